"""The incremental cache: what a warm run re-reads and re-runs, a cache that cannot be trusted
(corrupt, foreign, another version or format, tampered), --no-cache, the cache folder's place,
checks a run skips, cross-check coverage measured later, and a check without incremental
support. Every cached outcome is compared with a full run's."""

from __future__ import annotations

import dataclasses
import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from factledger import cli, engine, incremental
from factledger.checks import Check, CheckContext, CheckOutput, default_checks, provenance
from factledger.incremental import loading
from factledger.incremental.store import DB_NAME, CacheError, Store, pack, unpack
from factledger.model import Result

from .conftest import edit_facts
from .test_incremental import assert_same


def cached(root: Path, notices: list[str] | None = None, **kw) -> engine.Outcome:
    """A run through the cache, which is closed afterwards (as when a command exits)."""
    notice = (notices if notices is not None else []).append
    session = incremental.Session(root, notice=notice, **kw)
    try:
        return session.run(materialize=True)
    finally:
        session.close()


def db(root: Path) -> Path:
    return root / ".factledger-cache" / DB_NAME


# --- what a warm run does -------------------------------------------------------------------------


def test_a_warm_run_reads_the_changed_file_and_rechecks_the_changed_fact(
    bundled: Path, monkeypatch
) -> None:
    cached(bundled, expectations=False)
    read, checked = [], []
    real_read, real_check = loading.load_fact_file, provenance.check_fact
    monkeypatch.setattr(loading, "load_fact_file", lambda c, p, s: read.append(p.name)
                        or real_read(c, p, s))  # fmt: skip
    monkeypatch.setattr(provenance, "check_fact", lambda f, *a: checked.append(f.id)
                        or real_check(f, *a))  # fmt: skip
    path = bundled / "facts" / "bohu-kling-two-faces.yaml"
    path.write_text(path.read_text("utf-8").replace('"超1億元"', '"超2億元"', 1), "utf-8")
    outcome = cached(bundled, expectations=False)
    assert read == ["bohu-kling-two-faces.yaml"]
    assert checked == ["bh-kling-revenue-cumulative-2025-02"]
    assert_same(outcome, engine.run(bundled, expectations=False), "one edit")


def test_nothing_changed_nothing_runs(mini: Path, monkeypatch) -> None:
    first = cached(mini, expectations=False)
    stored, read = [], []
    real_put, real_read = Store.put_units, loading.load_fact_file
    monkeypatch.setattr(Store, "put_units", lambda self, chk, *a, **k: stored.append(chk)
                        or real_put(self, chk, *a, **k))  # fmt: skip
    monkeypatch.setattr(loading, "load_fact_file", lambda c, p, s: read.append(p.name)
                        or real_read(c, p, s))  # fmt: skip
    os.utime(mini / "facts" / "mini.yaml")  # a touch: a new time, the same content
    again = cached(mini, expectations=False)
    assert read == []
    assert set(stored) == {loading.LOAD}  # the settings' and unread files' problems only
    assert_same(again, first, "a touch")


# --- a cache that cannot be trusted is discarded, with a notice ----------------------------------


def _corrupt(path: Path) -> None:
    path.write_bytes(b"not a database at all" * 100)


def _foreign(path: Path) -> None:
    path.unlink()
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE meta(key TEXT, value BLOB)")
    con.commit()
    con.close()


def _other_version(path: Path) -> None:
    con = sqlite3.connect(path)
    row = con.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    stamp = {**unpack(row[0]), "factledger": "0.0.1"}
    con.execute("UPDATE meta SET value = ? WHERE key = 'stamp'", (pack(stamp),))
    con.commit()
    con.close()


def _other_format(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.close()


def _other_folder(path: Path) -> None:
    con = sqlite3.connect(path)
    row = con.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    stamp = {**unpack(row[0]), "root": "/somewhere/else"}
    con.execute("UPDATE meta SET value = ? WHERE key = 'stamp'", (pack(stamp),))
    con.commit()
    con.close()


def _tampered(path: Path) -> None:
    """Every stored result altered by one byte: their checksums no longer match."""
    con = sqlite3.connect(path)
    rows = con.execute("SELECT rowid, blob FROM results").fetchall()
    flipped = [(blob[:20] + bytes([blob[20] ^ 1]) + blob[21:], rowid) for rowid, blob in rows]
    con.executemany("UPDATE results SET blob = ? WHERE rowid = ?", flipped)
    con.commit()
    con.close()


def _text_for_blobs(path: Path) -> None:
    """A value of the wrong type where an object is stored."""
    con = sqlite3.connect(path)
    con.execute("UPDATE results SET blob = 'text, not a stored object'")
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        (_corrupt, "cannot be read"),
        (_foreign, "not a factledger cache"),
        (_other_version, "made by factledger 0.0.1"),
        (_other_format, "another format"),
        (_other_folder, "another corpus folder"),
        (_tampered, "checksum"),
        (_text_for_blobs, "discarded"),
    ],
)
def test_an_untrustworthy_cache_is_discarded_with_a_notice(bundled: Path, spoil, why: str) -> None:
    cached(bundled, expectations=False)
    spoil(db(bundled))
    edit_path = bundled / "facts" / "bohu-kling-two-faces.yaml"
    edit_path.write_text(edit_path.read_text("utf-8").replace('"超1億元"', '"超2億元"', 1), "utf-8")
    notices: list[str] = []
    outcome = cached(bundled, notices, expectations=False)
    assert len(notices) == 1 and "discarded" in notices[0] and why in notices[0], notices
    assert_same(outcome, engine.run(bundled, expectations=False), "a spoiled cache")
    notices.clear()
    assert_same(cached(bundled, notices, expectations=False), outcome, "the rebuilt cache")
    assert notices == []


def test_the_unpickler_builds_only_data_classes() -> None:
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    for obj in (Evil(), Path("x"), print):
        blob = pickle.dumps(obj)
        import hashlib

        value = hashlib.blake2b(blob, digest_size=8).digest() + blob
        with pytest.raises(CacheError, match="may not build"):
            unpack(value)
    result = Result("a", "rule", "error", "fail", "m")
    assert unpack(pack(result)) == result
    with pytest.raises(CacheError, match="checksum"):
        unpack(b"\0" * 8 + pickle.dumps(result))


# --- --no-cache, and where the cache may be ------------------------------------------------------


def test_no_cache_neither_reads_nor_writes_it(mini: Path, capsys) -> None:
    assert cli.main(["check", "--fast", "--no-report", "--no-cache", "--root", str(mini)]) == 0
    assert not (mini / ".factledger-cache").exists()
    (mini / ".factledger-cache").mkdir()
    _corrupt(db(mini))
    assert cli.main(["check", "--fast", "--no-report", "--no-cache", "--root", str(mini)]) == 0
    assert "discarded" not in capsys.readouterr().err
    assert cli.main(["check", "--fast", "--no-report", "--root", str(mini)]) == 0
    assert "discarded" in capsys.readouterr().err


@pytest.mark.parametrize("place", ["../elsewhere", ".", "facts/cache", "/tmp/x"])
def test_a_cache_folder_outside_the_corpus_or_among_its_inputs_is_not_used(
    mini: Path, place: str
) -> None:
    (mini / "factledger.toml").write_text(f'[cache]\ncache_dir = "{place}"\n', "utf-8")
    notices: list[str] = []
    outcome = cached(mini, notices, expectations=False)
    assert notices and "cache not used" in notices[0]
    assert not (mini.parent / "elsewhere").exists() and not (mini / "facts" / "cache").exists()
    assert_same(outcome, engine.run(mini, expectations=False), "no cache")


def test_the_cache_folder_says_it_is_a_cache(mini: Path) -> None:
    cached(mini, expectations=False)
    folder = mini / ".factledger-cache"
    assert (folder / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text("utf-8").startswith("Signature: 8a477f597d28d172")


# --- checks a run skips, measurements a run skips, checks without incremental support ----------


def test_a_check_a_fast_run_skips_sees_the_changes_when_it_runs(mini: Path) -> None:
    before = cached(mini)  # every check, great-expectations too
    facts = mini / "facts" / "mini.yaml"
    text = facts.read_text("utf-8")
    block = text[text.index("  - id: m-dau-q3") :]
    facts.write_text(text + block.replace("m-dau-q3", "m-dau-q3-again"), "utf-8")
    fast = cached(mini, expectations=False)
    assert_same(fast, engine.run(mini, expectations=False), "the fast run")
    full = cached(mini)  # great-expectations again: it sees the fact the fast run added
    assert_same(full, engine.run(mini), "the full run after it")
    rows = {r.id: r.data.rows_checked for r in full.results if r.id == "expectation:ids-unique"}
    assert rows == {"expectation:ids-unique": len(before.corpus.facts) + 1}


def test_cross_check_coverage_measured_when_a_run_first_asks(bundled: Path) -> None:
    cached(bundled, expectations=False, crosscheck=False)
    outcome = cached(bundled, expectations=False, crosscheck=True)
    assert_same(outcome, engine.run(bundled, expectations=False, crosscheck=True), "crosscheck")
    assert outcome.extras["crosscheck"]["summary"]["touched"] > 0


def _count_facts(ctx: CheckContext) -> CheckOutput:
    results = [Result(f"count:{len(ctx.facts)}", "count", "warning", "counted", "facts")]
    return CheckOutput(results, {"facts": len(ctx.facts)})


def test_a_check_without_incremental_support_runs_whole_after_any_change(mini: Path) -> None:
    checks = [*default_checks(), Check("count", _count_facts, ("count",))]
    cached(mini, checks=checks, expectations=False)
    edit_facts(mini, "  - id: m-dau-q3", "  - id: m-dau-q3-renamed")
    outcome = cached(mini, checks=checks, expectations=False)
    assert outcome.extras["count"] == {"facts": 3}
    assert_same(outcome, engine.run(mini, checks=checks, expectations=False), "a custom check")


# --- sessions -------------------------------------------------------------------------------------


def test_a_session_reruns_on_its_open_cache_and_an_older_outcome_refuses_to_read(
    mini: Path,
) -> None:
    session = incremental.Session(mini, expectations=False, notice=pytest.fail)
    first = session.run()
    assert not session.changed()
    edit_facts(mini, "4.16億", "4.17億")
    assert session.changed()
    second = session.run()
    assert session.changed_files == ["facts/mini.yaml"]
    assert_same(second, engine.run(mini, expectations=False), "a session's second run")
    with pytest.raises(CacheError, match="replaced by a later run"):
        list(first.results)
    # another process's run (the pre-commit hook) meanwhile: the session sees its state
    edit_facts(mini, "4.17億", "4.18億")
    cached(mini, expectations=False)
    edit_facts(mini, "4.18億", "4.16億")
    assert_same(session.run(), engine.run(mini, expectations=False), "after another process")


def test_a_session_materializes_what_a_report_reads(mini: Path) -> None:
    outcome = incremental.run(mini, expectations=False, materialize=True, notice=pytest.fail)
    assert dataclasses.is_dataclass(outcome.corpus.facts[0])
    assert len(outcome.corpus.sources) == 1 and "mini" in outcome.corpus.sources


# --- imports: heavy libraries only when a check needs them --------------------------------------


HEAVY = ("pandas", "pandera", "great_expectations", "currency_converter", "cn2an", "jinja2")


def _loaded_after(code: str) -> list[str]:
    script = code + f"\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    return eval(out.strip().splitlines()[-1])  # our own printed list


def test_the_command_line_imports_no_heavy_library() -> None:
    assert _loaded_after("import factledger.cli") == []


def test_a_warm_fast_run_without_fact_changes_loads_no_table_library(mini: Path) -> None:
    args = ["check", "--fast", "--no-report", "-q", "--root", str(mini)]
    cached(mini, expectations=False, crosscheck=False)
    (mini / "checks" / "acknowledged.yaml").write_text("acknowledged: []\n", "utf-8")
    loaded = _loaded_after(f"from factledger import cli\ncli.main({args!r})")
    assert loaded == []
    # a changed fact is re-validated by the pandera schema: then pandas and pandera load
    edit_facts(mini, "4.16億", "4.17億")
    loaded = _loaded_after(f"from factledger import cli\ncli.main({args!r})")
    assert "pandera" in loaded and "great_expectations" not in loaded


def test_store_open_creates_and_reopens(tmp_path: Path) -> None:
    root = tmp_path / "c"
    root.mkdir()
    store, why = Store.open(root, ".factledger-cache")
    assert why is None
    store.close()
    store, why = Store.open(root, ".factledger-cache")
    assert why is None
    assert store.meta("stamp")["root"] == str(root.resolve())
    store.close()


def test_the_reports_of_a_cached_run_are_a_full_runs(bundled: Path) -> None:
    """check (with its reports) through the cache, after an edit, writes the JSON document a
    --no-cache run writes (but for the run's id and time)."""
    import json

    def document(*flags: str) -> dict:
        out = bundled / "out"
        assert cli.main(["check", "--root", str(bundled), "--out", str(out), *flags]) in (0, 1)
        doc = json.loads((out / "discrepancies.json").read_text("utf-8"))
        for key in ("run_id", "timestamp", "commit"):
            doc["summary"].pop(key)
        return doc

    document()
    edit_path = bundled / "facts" / "bohu-kling-two-faces.yaml"
    edit_path.write_text(edit_path.read_text("utf-8").replace('"超1億元"', '"超2億元"', 1), "utf-8")
    cached_doc = document("--fast")
    assert cached_doc == document("--fast", "--no-cache")
    assert cached_doc["summary"]["gate"] == "fail"
