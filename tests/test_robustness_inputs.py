"""Inputs that used to crash, hang or pass silently (issue 18): each is now one located error or
read as written, within a bounded amount of work.

Classes: denial of service (sizes, special files, links, quadratic rendering), crashes (a seed
that is a folder or a dangling link), silent acceptance (scalar aliases, CRLF and byte-order
marks, 0/0, unknown currencies, non-ASCII digits). Hypothesis examples are bounded.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
import subprocess
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factledger import cli, engine, intervals
from factledger.checks.rules import evaluate
from factledger.checks.rules.evaluation import FactIndex
from factledger.expression import Call, Compare, ExprError, IdRef, Num, Str, parse_assertion
from factledger.load import load_corpus, split_front_matter
from factledger.load import yamlnodes as yn
from factledger.load.rules import Rule, load_rule_text
from factledger.load.settings import load_settings
from factledger.model import Fact, Interval
from factledger.period import PeriodError, parse_period
from factledger.report.view import annotated_text
from factledger.text import fold, locate

from .conftest import FACTS, SEED, edit_facts, write_mini

BOUNDED = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def problems_in(root: Path, rel: str) -> list[str]:
    return [p.message for p in load_corpus(root).problems if p.file == rel]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- a child process, so that a regression hangs or eats memory there, not in the test run ------


def _child(conn, fn, args, memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        conn.send(("ok", fn(*args)))
    except BaseException:  # pragma: no cover - reported by the parent
        conn.send(("raised", traceback.format_exc()))


def in_child(fn, *args, seconds: float = 60, memory: int = 2 << 30):
    """``fn(*args)`` in a forked process with ``memory`` bytes of address space; a hang is cut off
    after ``seconds`` (a guard against a regression, not a speed requirement)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, memory))
    proc.start()
    ready = parent.poll(seconds)
    proc.kill() if not ready else None
    proc.join()
    assert ready, f"did not finish within {seconds} s (a FIFO read, or /dev/zero read whole)"
    status, value = parent.recv()
    assert status == "ok", value
    return value


def _problems_of(root: str, rel: str) -> list[str]:
    return problems_in(Path(root), rel)


# --- denial of service: files are checked before they are read -----------------------------------

needs_posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev/zero")
INPUTS = [
    "seeds/mini.md",
    "facts/mini.yaml",
    "facts/entities.yaml",
    "checks/rules/r.yaml",
    "checks/acknowledged.yaml",
]


@needs_posix
class TestSpecialFiles:
    @pytest.mark.parametrize("rel", INPUTS)
    def test_a_link_to_dev_zero_is_refused_unread(self, mini: Path, rel: str) -> None:
        (mini / "checks" / "rules").mkdir(exist_ok=True)
        path = mini / rel
        path.unlink(missing_ok=True)
        path.symlink_to("/dev/zero")
        # /dev/zero lies outside the corpus: refused before anything about it is read
        found = in_child(_problems_of, str(mini), rel, memory=1 << 30)
        assert len(found) == 1 and "symlink leaves the corpus folder" in found[0], found

    @pytest.mark.parametrize("rel", INPUTS)
    def test_a_fifo_is_refused_without_waiting(self, mini: Path, rel: str) -> None:
        (mini / "checks" / "rules").mkdir(exist_ok=True)
        path = mini / rel
        path.unlink(missing_ok=True)
        os.mkfifo(path)
        found = in_child(_problems_of, str(mini), rel)
        assert len(found) == 1 and found[0].endswith("not a regular file (a named pipe)"), found

    def test_a_device_inside_the_corpus_is_refused_unread(self, mini: Path) -> None:
        # a link inside the corpus to a device (character special file), as a bind mount would
        dev = mini / "facts" / "zero"
        try:
            os.mknod(dev, 0o600 | 0o020000, os.makedev(1, 5))  # /dev/zero's numbers
        except (PermissionError, OSError) as exc:
            pytest.skip(f"cannot make a device node here: {exc}")
        (mini / "facts" / "mini.yaml").unlink()
        (mini / "facts" / "mini.yaml").symlink_to("zero")
        found = in_child(_problems_of, str(mini), "facts/mini.yaml", memory=1 << 30)
        assert found == ["not a regular file (a character device)"], found

    def test_new_source_refuses_a_fifo_article(self, tmp_path: Path) -> None:
        root = tmp_path / "desk"
        cli.main(["init", str(root)])
        article = tmp_path / "article.txt"
        os.mkfifo(article)
        argv = ["new-source", str(article), "--root", str(root), "--id", "x", "--outlet", "o",
                "--published", "2025-06", "--published-basis", "b"]  # fmt: skip
        assert in_child(cli.main, argv) == 2
        assert not (root / "seeds" / "x.md").exists()

    def test_a_fifo_settings_file_is_said_not_skipped(self, mini: Path) -> None:
        os.mkfifo(mini / "factledger.toml")
        _, found = in_child(load_settings, mini)
        assert [p.message for p in found] == ["cannot read: not a regular file (a named pipe)"]


class TestCaps:
    @pytest.mark.parametrize(
        "rel", ["checks/rules/r.yaml", "facts/entities.yaml", "checks/acknowledged.yaml"]
    )
    def test_every_yaml_input_has_the_yaml_cap(self, mini: Path, rel: str) -> None:
        (mini / "factledger.toml").write_text("[limits]\nmax_yaml_bytes = 700\n", "utf-8")
        (mini / "checks" / "rules").mkdir(exist_ok=True)
        (mini / rel).write_text("# padding\n" * 100, encoding="utf-8")
        found = problems_in(mini, rel)
        assert found and "over the 700-byte cap (limits.max_yaml_bytes" in found[0], found

    def test_a_seed_over_its_cap_is_one_located_error_and_exit_2(self, mini: Path, capsys) -> None:
        (mini / "factledger.toml").write_text("[limits]\nmax_seed_bytes = 400\n", "utf-8")
        (mini / "seeds" / "mini.md").write_text(SEED + "填充" * 200, encoding="utf-8")
        found = problems_in(mini, "seeds/mini.md")
        assert len(found) == 1 and "400-byte cap (limits.max_seed_bytes" in found[0], found
        code, out, _ = run_cli(capsys, "check", "--root", str(mini), "--no-report", "-q")
        assert code == 2 and "seeds/mini.md: input: error" in out

    def test_the_default_seed_cap_is_10_mb(self) -> None:
        assert load_settings(Path("/nonexistent"))[0].max_seed_bytes == 10 * 1024 * 1024

    def test_the_settings_file_is_capped_at_1_mib(self, mini: Path) -> None:
        (mini / "factledger.toml").write_text("#" * (1024 * 1024 + 1), encoding="utf-8")
        _, found = load_settings(mini)
        assert len(found) == 1 and "1,048,576-byte cap" in found[0].message


class TestLinks:
    def test_a_link_that_leaves_the_corpus_is_refused(self, mini: Path, tmp_path: Path) -> None:
        outside = tmp_path / "outside.md"
        outside.write_text(SEED, encoding="utf-8")
        (mini / "seeds" / "mini.md").unlink()
        (mini / "seeds" / "mini.md").symlink_to(outside)
        found = problems_in(mini, "seeds/mini.md")
        assert found == [f"symlink leaves the corpus folder (to {outside.resolve()})"]

    def test_a_folder_linked_from_outside_is_refused(self, mini: Path, tmp_path: Path) -> None:
        rules = tmp_path / "elsewhere"
        rules.mkdir()
        (rules / "r.yaml").write_text("rules: []\n", encoding="utf-8")
        (mini / "checks" / "rules").symlink_to(rules)
        found = problems_in(mini, "checks/rules/r.yaml")
        assert found and "leaves the corpus folder" in found[0], found

    def test_a_link_inside_the_corpus_is_read(self, mini: Path) -> None:
        (mini / "shared").mkdir()
        (mini / "facts" / "mini.yaml").rename(mini / "shared" / "mini.yaml")
        (mini / "facts" / "mini.yaml").symlink_to(mini / "shared" / "mini.yaml")
        assert problems_in(mini, "facts/mini.yaml") == []
        assert len(load_corpus(mini).facts) == 3


# --- crashes: a seed that is a folder or a dangling link -----------------------------------------


class TestUnreadableSeeds:
    @pytest.mark.parametrize("kind", ["folder", "dangling link"])
    @pytest.mark.parametrize("command", ["check", "coverage", "suggest", "diff"])
    def test_one_located_error_and_exit_2(self, mini: Path, capsys, kind: str, command) -> None:
        if command == "diff":
            if shutil.which("git") is None:
                pytest.skip("needs git")
            for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
                subprocess.run(
                    ["git", "-C", str(mini), "-c", "user.name=t", "-c", "user.email=t@e.x",
                     "-c", "commit.gpgsign=false", *args], check=True, capture_output=True,
                )  # fmt: skip
        path = mini / "seeds" / "broken.md"
        if kind == "folder":
            path.mkdir()
            expected = "not a regular file (a folder)"
        else:
            path.symlink_to(mini / "seeds" / "gone.md")
            expected = f"dangling symlink (to {mini / 'seeds' / 'gone.md'})"
        assert problems_in(mini, "seeds/broken.md") == [expected]
        argv = {
            "check": ["check", "--no-report", "-q"],
            "coverage": ["coverage"],
            "suggest": ["suggest", "mini"],
            "diff": ["diff", "--base", "HEAD"],
        }[command]
        code, out, err = run_cli(capsys, *argv, "--root", str(mini))
        assert code == 2
        assert "seeds/broken.md" in out + err
        if command in ("check", "coverage"):
            assert f"seeds/broken.md: input: error: {expected}" in out + err
        assert "Traceback" not in out + err
        assert "seeds/broken.md" in engine.run(mini, expectations=False).corpus.unreadable

    def test_other_seeds_are_still_read(self, mini: Path) -> None:
        (mini / "seeds" / "broken.md").mkdir()
        assert len(load_corpus(mini).facts) == 3


# --- denial of service: the page is linear in the seed -------------------------------------------


def test_highlighting_a_large_seed_takes_memory_in_proportion(tmp_path: Path) -> None:
    """A reviewer's page of a 2-million-character seed: the old per-character flags and runs
    held a set per character (over 400 MB here, and a quadratic string build); now the marks
    are cut into segments at their ends."""
    import tracemalloc

    body = "filler text without numbers. " * 70_000 + "收入超過1.5億元。"
    source = {"title": "t", "body": body, "coverage": {"uncovered": [{"at": 3, "text": "x"}]}}
    facts = [{"quote": "收入超過1.5億元。", "value": "1.5億元"}]
    tracemalloc.start()
    try:
        segments = annotated_text(source, facts)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "".join(s["text"] for s in segments) == f"t\n{body}"
    assert [s["text"] for s in segments if s["v"]] == ["1.5億元"]
    assert len(segments) <= 7
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MB"


# --- silent acceptance: aliases -----------------------------------------------------------------


class TestAliases:
    def test_a_scalar_alias_is_refused_at_its_line(self, mini: Path) -> None:
        edit_facts(mini, 'period: "2025Q1"', 'period: &p "2025Q1"')
        edit_facts(mini, 'period: "2025Q2"', "period: *p")
        corpus = load_corpus(mini)
        found = [(p.line, p.message) for p in corpus.problems]
        line = FACTS.splitlines().index('    period: "2025Q2"') + 1
        assert (line, "YAML aliases (*name) are not allowed") in found, found
        assert "m-rev-q2" not in {f.id for f in corpus.facts}

    def test_an_alias_as_a_key_is_refused(self) -> None:
        _, found = yn.parse("&k a: 1\n*k : 2\n")
        assert [p.message for p in found] == ["YAML aliases (*name) are not allowed"]

    @BOUNDED
    @given(
        name=st.text(alphabet="abcdefghij", min_size=1, max_size=6),
        value=st.text(alphabet="0123456789QH-", min_size=1, max_size=8),
        where=st.sampled_from(["map", "list", "nested"]),
    )
    def test_any_alias_use_is_refused(self, name: str, value: str, where: str) -> None:
        text = {
            "map": f"a: &{name} '{value}'\nb: *{name}\n",
            "list": f"a: [&{name} '{value}', *{name}]\n",
            "nested": f"a: &{name}\n  x: '{value}'\nb:\n  c: *{name}\n",
        }[where]
        node, found = yn.parse(text)
        assert [p.message for p in found] == ["YAML aliases (*name) are not allowed"]
        assert yn.plain(node).__repr__().count(repr(value)) == 1  # the alias is not expanded


# --- silent acceptance: CRLF and byte-order marks in seeds ----------------------------------------


def _results(root: Path) -> list[tuple[str, str, str]]:
    return sorted(
        (r.id, r.verdict, r.fingerprint) for r in engine.run(root, expectations=False).results
    )


class TestLineEnds:
    @pytest.mark.parametrize("bom", ["", "\ufeff"], ids=["no-bom", "bom"])
    @pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
    def test_the_seed_reads_as_with_lf(self, tmp_path: Path, bom: str, newline: str) -> None:
        plain = write_mini(tmp_path / "lf")
        other = write_mini(tmp_path / "other")
        (other / "seeds" / "mini.md").write_bytes((bom + SEED.replace("\n", newline)).encode())
        corpus = load_corpus(other)
        assert corpus.problems == [] and corpus.unreadable == set()
        source = corpus.sources["mini"]
        # the body is kept as written; quotes written with \n match it (whitespace folds)
        assert source.body == SEED.split("---\n", 2)[2].replace("\n", newline)
        assert _results(other) == _results(plain)
        for fact in corpus.facts:
            start, end = locate(source.text, fact.quote)
            assert fold(source.text[start:end]) == fold(fact.quote)

    def test_front_matter_lines_keep_their_numbers(self, mini: Path) -> None:
        crlf = "\ufeff" + SEED.replace("curation: partial", "curation: sometimes")
        (mini / "seeds" / "mini.md").write_bytes(crlf.replace("\n", "\r\n").encode())
        corpus = load_corpus(mini)
        found = [(p.line, p.message) for p in corpus.problems if p.file == "seeds/mini.md"]
        line = SEED.splitlines().index("curation: partial") + 1
        assert found == [(line, "curation: must be complete or partial")]

    @BOUNDED
    @given(
        front=st.lists(st.sampled_from(["a: 1", "b: 'x'", "# c", ""]), max_size=4),
        body=st.text(max_size=60),
        crlf=st.booleans(),
        bom=st.booleans(),
    )
    def test_split_keeps_the_body_as_written(self, front, body, crlf, bom) -> None:
        nl = "\r\n" if crlf else "\n"
        text = ("\ufeff" if bom else "") + f"---{nl}" + "".join(f"{x}{nl}" for x in front)
        parts = split_front_matter(text + f"---{nl}" + body)
        assert parts is not None
        yaml_text, got = parts
        assert got == body
        assert yaml_text.replace("\r\n", "\n") == "".join(f"{x}\n" for x in front)


# --- silent acceptance: the rules language -------------------------------------------------------


def _rule(expression: str) -> Rule:
    return Rule("r", "d", "error", expression, parse_assertion(expression), "x.yaml", 1)


def _cny(fid: str, value: float) -> Fact:
    return Fact(
        id=fid, source="s", entity="kling", metric="revenue", period=parse_period("2025Q1"),
        value=str(value), kind="actual", quote="q", stated=parse_period("2025-11-27"),
        file="facts/s.yaml", line=1, interval=Interval(value, value, unit="CNY"),
        canonical=Interval(value, value, unit="CNY"),
    )  # fmt: skip


class TestRulesLanguage:
    def test_zero_over_zero_is_unbounded(self) -> None:
        zero = intervals.point(0.0)
        assert intervals.div(zero, zero) == intervals.entire()
        assert evaluate(_rule("0/0 == 0"), FactIndex([])).verdict != "holds"
        assert evaluate(_rule("0/0 == 5"), FactIndex([])).verdict != "violated"

    @BOUNDED
    @given(x=st.floats(-1e12, 1e12, allow_nan=False))
    def test_anything_over_exactly_zero_is_unbounded(self, x: float) -> None:
        assert intervals.div(intervals.point(x), intervals.point(0.0)) == intervals.entire()

    @pytest.mark.parametrize("code", ["XYZ", "JPY"])
    def test_an_unknown_currency_is_a_located_error(self, code: str) -> None:
        text = (
            "rules:\n  - id: r\n    description: d\n    severity: error\n"
            f'    assert: \'fx(kling.revenue@2025Q1, "{code}", "CNY") ~ 1\'\n'
        )
        rules, found = load_rule_text(text, "checks/rules/x.yaml")
        assert rules == []
        assert [(p.line, p.message) for p in found] == [
            (5, f"assert: unknown currency '{code}' (one of CNY, USD, HKD, EUR) at column 26")
        ]

    def test_an_unknown_currency_in_a_tree_is_an_error_result(self) -> None:
        # a tree built without the parser: the amount is already CNY, yet XYZ is not a currency
        tree = Compare("~", Call("fx", (IdRef("a"), Str("XYZ"), Str("CNY"))), Num(1e8))
        rule = Rule("r", "d", "error", 'fx({a}, "XYZ", "CNY") ~ 1e8', tree, "x.yaml", 1)
        result = evaluate(rule, FactIndex([_cny("a", 1e8)]))
        assert result.verdict == "error" and "unknown currency 'XYZ'" in result.message

    @pytest.mark.parametrize("digit", ["৪", "٨", "८", "๘", "𝟖"])
    def test_other_scripts_digits_are_not_numbers(self, digit: str) -> None:
        with pytest.raises(ExprError, match=f"unexpected '{digit}' at column 1"):
            parse_assertion(f"{digit} == 8")
        with pytest.raises(PeriodError):
            parse_period(f"202{digit}Q1")

    def test_full_width_digits_are_numbers(self) -> None:
        assert parse_assertion("８.５ == 8.5") == parse_assertion("8.5 == 8.5")
        assert parse_period("２０２５Q1").start == parse_period("2025Q1").start

    @BOUNDED
    @given(
        text=st.text(
            alphabet=st.characters(
                categories=["Nd"], exclude_characters="0123456789０１２３４５６７８９"
            ),
            min_size=1,
            max_size=4,
        )
    )
    def test_no_other_decimal_digit_reads_as_a_number(self, text: str) -> None:
        with pytest.raises(ExprError):
            parse_assertion(f"{text} == 1")
