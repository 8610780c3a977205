"""Reviewing findings: `factledger ack`, and what a stale acknowledgement prints."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from factledger import acknowledge, engine
from factledger.acknowledge import AckError, append_entry, entry_text
from factledger.cli import main
from factledger.load import load_corpus
from factledger.pytest_plugin import describe

from .test_diff import REV, commit_all, write

ACKS = "checks/acknowledged.yaml"
DAU_RULE = "rule:kuaishou-dau-rises"
TODAY = date.today().isoformat()


def make_dau_stale(root: Path) -> None:
    """yunmeiti's 快手日活3.8億 becomes 3.9億 (seed and fact): the reviewed rule finding changes."""
    for rel in ("seeds/yunmeiti-kling-q1-revenue.md", "facts/yunmeiti-kling-q1-revenue.yaml"):
        path = root / rel
        text = path.read_text("utf-8").replace("快手日活3.8億", "快手日活3.9億")
        path.write_text(text.replace('value: "3.8億"', 'value: "3.9億"', 1), "utf-8")


def test_a_stale_acknowledgement_prints_its_replacement(bundled: Path, capsys) -> None:
    make_dau_stale(bundled)
    code = main(["check", "--root", str(bundled), "--fast", "--no-report", "-q"])
    assert code == 1
    out = capsys.readouterr().out
    now = next(f.result for f in engine.run(bundled, expectations=False).findings
               if f.result.id == DAU_RULE)  # fmt: skip
    ack = next(a for a in load_corpus(bundled).acks if a.id == DAU_RULE)
    reviewed, line = ack.fingerprint, ack.line
    assert f"stale: {ACKS}:{line} reviewed fingerprint {reviewed}; the finding is now " \
           f"{now.fingerprint}." in out  # fmt: skip
    # not in git here: the values now, instead of a comparison
    assert "ymt-kuaishou-dau-2025q1 = '3.9億' @ 2025Q1" in out
    assert f"After reviewing it again, replace the entry at {ACKS}:{line} with:" in out
    entry = out.split("with:\n", 1)[1].split("      or run:")[0]
    [parsed] = yaml.safe_load(entry)
    assert parsed["id"] == DAU_RULE and parsed["fingerprint"] == now.fingerprint
    assert parsed["verdict"] == "source-error" and parsed["date"] == TODAY
    assert parsed["reason"].startswith("Yunmeiti's 快手日活3.8億 (undated")
    assert f"or run: factledger ack {DAU_RULE} --verdict source-error --reason" in out


def test_ack_updates_a_stale_entry_in_place(bundled: Path, capsys) -> None:
    make_dau_stale(bundled)
    before = (bundled / ACKS).read_text("utf-8")
    ack = next(a for a in load_corpus(bundled).acks if a.id == DAU_RULE)
    line = ack.line
    entry_end = before.splitlines().index("", line)  # the blank line after the entry
    code = main(["ack", DAU_RULE, "--root", str(bundled), "--fast", "--verdict", "source-error",
                 "--reason", "3.9億 is still below huxiu's 破4億 for 2024Q4: an outdated figure.",
                 "--reviewer", "analyst"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert f"{ACKS}:{line}: updated the stale entry {DAU_RULE}" in capsys.readouterr().out
    after = (bundled / ACKS).read_text("utf-8")
    outcome = engine.run(bundled, expectations=False)
    assert outcome.passed
    [f] = [f for f in outcome.findings if f.result.id == DAU_RULE]
    assert f.status == "acknowledged" and f.ack.reviewer == "analyst" and f.ack.date == TODAY
    # only the entry's own lines changed; every comment and other entry is as it was
    old_lines, new_lines = before.splitlines(), after.splitlines()
    assert old_lines[: line - 1] == new_lines[: line - 1]
    assert old_lines[entry_end:] == new_lines[len(new_lines) - len(old_lines) + entry_end :]
    assert len(yaml.safe_load(after)["acknowledged"]) == len(yaml.safe_load(before)["acknowledged"])


def test_ack_appends_a_new_entry_and_keeps_comments(tmp_path: Path, capsys) -> None:
    write(tmp_path)
    acks = tmp_path / ACKS
    acks.write_text("# reviewed findings\nacknowledged: []  # none yet\n", "utf-8")
    assert main(["check", "--root", str(tmp_path), "--no-report", "-q"]) == 1
    capsys.readouterr()
    args = ["ack", REV, "--root", str(tmp_path), "--fast", "--verdict", "sources-disagree",
            "--reason", "b rounds: 1億 against 超過1.5億", "--reviewer", "me"]  # fmt: skip
    assert main(args) == 0
    assert f"{ACKS}:3: acknowledged {REV}" in capsys.readouterr().out
    text = acks.read_text("utf-8")
    assert text.startswith("# reviewed findings\nacknowledged:  # none yet\n  - id: ")
    assert main(["check", "--root", str(tmp_path), "--no-report", "-q"]) == 0
    capsys.readouterr()
    assert main(args) == 0  # again: already acknowledged, nothing written
    assert "already acknowledged" in capsys.readouterr().out
    assert acks.read_text("utf-8") == text


def test_ack_refuses_what_cannot_be_acknowledged(tmp_path: Path, capsys) -> None:
    write(tmp_path)
    path = tmp_path / "facts" / "src-a.yaml"
    path.write_text(path.read_text("utf-8").replace('value: "3.8億"', 'value: "3.9億"'), "utf-8")
    base = ["--root", str(tmp_path), "--fast", "--verdict", "source-error", "--reason", "r",
            "--reviewer", "me"]  # fmt: skip
    assert main(["ack", "provenance:a-dau-q1:value", *base]) == 2
    assert "provenance findings cannot be acknowledged: fix the data" in capsys.readouterr().err
    assert main(["ack", "conflict:nope", *base]) == 2
    assert "'conflict:nope' is not a current finding" in capsys.readouterr().err
    assert main(["ack", "provenance:a-rev-q1", *base]) == 2
    assert "is not a finding (Passes, error): there is nothing to review" in capsys.readouterr().err
    assert not (tmp_path / ACKS).exists()  # nothing was written
    assert main(["ack", REV, *base[:-4], "--reason", " ", "--reviewer", "me"]) == 2


@pytest.mark.parametrize(
    ("before", "after_head"),
    [
        (None, "acknowledged:\n  - id: "),
        ("", "acknowledged:\n  - id: "),
        ("acknowledged:\n", "acknowledged:\n  - id: "),
        ("acknowledged: []\n# tail\n", "acknowledged:\n  - id: "),
        ("# only a comment\n", "# only a comment\nacknowledged:\n  - id: "),
    ],
)
def test_append_to_an_empty_file(before: str | None, after_head: str) -> None:
    values = {"fingerprint": "0123", "verdict": "superseded", "reason": "r", "reviewer": "me",
              "date": "2026-01-02"}  # fmt: skip
    edit = append_entry(before, lambda indent: entry_text("rule:x", values, indent))
    assert edit.text.startswith(after_head)
    [entry] = yaml.safe_load(edit.text)["acknowledged"]
    assert entry == {"id": "rule:x", **values}
    assert edit.text.splitlines()[edit.line - 1].lstrip().startswith("- id: ")


def test_append_after_the_last_entry_in_the_file_style() -> None:
    text = ("acknowledged:\n- id: a\n  fingerprint: '1'\n  verdict: superseded\n  reason: r\n"
            "  reviewer: me\n  date: '2026-01-01'\n# trailing comment\n")  # fmt: skip
    values = {"fingerprint": "2", "verdict": "superseded", "reason": "r2", "reviewer": "me",
              "date": "2026-01-02"}  # fmt: skip
    edit = append_entry(text, lambda indent: entry_text("b", values, indent))
    lines = edit.text.splitlines()
    assert lines[8] == '- id: "b"' and lines[-1] == "# trailing comment"  # own indent 0
    assert [e["id"] for e in yaml.safe_load(edit.text)["acknowledged"]] == ["a", "b"]


def test_a_long_reason_is_folded_and_reads_back() -> None:
    reason = ("快手日活3.8億 is an outdated figure: " * 8).strip()
    values = {"fingerprint": "f", "verdict": "source-error", "reason": reason, "reviewer": "me",
              "date": "2026-01-02"}  # fmt: skip
    text = entry_text("rule:x", values)
    assert "reason: >-\n" in text and max(len(x) for x in text.splitlines()) <= 100
    assert yaml.safe_load(text)[0]["reason"] == reason


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_what_changed_comes_from_git_history(tmp_path: Path, capsys) -> None:
    from .test_diff import git

    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q")
    root = top / "corpus"
    write(root)
    rev = next(f.result for f in engine.run(root, expectations=False).findings
               if f.result.id == REV)  # fmt: skip
    (root / ACKS).write_text(
        "acknowledged:\n"
        f"  - id: {REV}\n    fingerprint: {rev.fingerprint}\n    verdict: sources-disagree\n"
        "    reason: b rounds differently\n    reviewer: test\n    date: '2025-11-28'\n",
        encoding="utf-8",
    )
    commit_all(top, "acknowledge")
    write(root, rev="1.2億元")  # uncommitted: the finding changes
    assert main(["check", "--root", str(root), "--fast", "--no-report", "-q"]) == 1
    out = capsys.readouterr().out
    assert "b-rev-q1: value '1億元' → '1.2億元'; quote '可靈一季度收入1億元。' → " in out
    # and pytest's failure text says the same
    outcome = engine.run(root, expectations=False)
    [stale] = [f for f in outcome.findings if f.status == "stale-ack"]
    text = describe(stale, outcome)
    assert "b-rev-q1: value '1億元' → '1.2億元'" in text
    assert f'  - id: "{REV}"' in text and f'fingerprint: "{stale.result.fingerprint}"' in text


def test_update_entry_refuses_a_missing_entry() -> None:
    with pytest.raises(AckError, match="no entry acknowledges"):
        acknowledge.update_entry("acknowledged: []\n", "rule:x", {"verdict": "superseded"})
