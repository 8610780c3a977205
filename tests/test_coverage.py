"""Coverage: mentions covered by values or period texts, ignored with a reason, or reported."""

from __future__ import annotations

from pathlib import Path

from factledger import engine
from factledger.checks import coverage
from factledger.cli import main
from factledger.load import load_corpus

from .conftest import FACTS


def measure(root: Path):
    return coverage.measure_corpus(load_corpus(root))["mini"]


def uncovered(root: Path) -> list[str]:
    return [m.text for m in measure(root).uncovered]


def test_values_and_period_texts_cover_mentions(mini: Path) -> None:
    # mini has facts for 1.5 and 2.5 (and 4.16); 3, 7, Q1..Q3, the title's 10 and 前三季度 are open
    assert uncovered(mini) == ["10", "Q1", "Q2", "Q3", "3", "三季度", "7", "Q3"]
    facts = FACTS.replace(
        '    kind: actual\n    quote: "快手Q3',
        '    kind: actual\n    period_text: ["Q3"]\n    quote: "快手Q3',
    )
    (mini / "facts" / "mini.yaml").write_text(facts, encoding="utf-8")
    assert uncovered(mini) == ["10", "Q1", "Q2", "Q3", "3", "三季度", "7"]


def _ignore(root: Path, entries: str) -> None:
    path = root / "facts" / "mini.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "ignore:\n" + entries, encoding="utf-8")


def test_ignore_with_and_without_context(mini: Path) -> None:
    _ignore(
        mini,
        '  - mention: "Q3"\n    reason: quarter names\n'
        '  - mention: "Q1"\n    context: "今年Q1、Q2"\n    reason: test\n'
        '  - mention: "99"\n    reason: matches nothing\n',
    )
    cov = measure(mini)
    assert [m.text for m, _ in cov.ignored] == ["Q1", "Q3", "Q3"]
    assert "Q1" not in [m.text for m in cov.uncovered]
    assert [ig.mention for ig in cov.unused_ignores] == ["99"]
    # unused ignore entries are reported where they are written
    results = coverage.check_corpus(load_corpus(mini))[0]
    [unused] = [r for r in results if r.verdict == "unused"]
    assert unused.where == "facts/mini.yaml:31" and unused.severity == "warning"


def test_ratio_excludes_ignored(mini: Path) -> None:
    cov = measure(mini)
    assert len(cov.mentions) == 11 and len(cov.covered) == 3
    assert cov.ratio == 3 / 11


def test_complete_source_fails_on_uncovered(mini: Path) -> None:
    seed = mini / "seeds" / "mini.md"
    assert engine.run(mini, expectations=False).passed  # partial: uncovered is info only
    seed.write_text(
        seed.read_text(encoding="utf-8").replace("curation: partial", "curation: complete"), "utf-8"
    )
    outcome = engine.run(mini, expectations=False)
    bad = [f.result for f in outcome.open_errors]
    assert bad and all(r.kind == "coverage" for r in bad)
    assert any("「7」" in r.message and "已超過【7】億元" in r.message for r in bad)


def test_coverage_cannot_be_acknowledged(mini: Path) -> None:
    seed = mini / "seeds" / "mini.md"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace("curation: partial", "curation: complete"), "utf-8"
    )
    r = next(f.result for f in engine.run(mini, expectations=False).open_errors)
    assert not r.acknowledgeable


def test_coverage_command(mini: Path, capsys) -> None:
    assert main(["coverage", "--root", str(mini)]) == 0  # partial sources do not fail it
    out = capsys.readouterr().out
    assert "mini" in out and "uncovered in mini (partial):" in out and "【7】" in out


def test_suggest_prints_stubs_and_writes_nothing(mini: Path, capsys) -> None:
    before = {p: p.read_bytes() for p in (mini / "facts").iterdir()}
    assert main(["suggest", "--root", str(mini), "mini"]) == 0
    out = capsys.readouterr().out
    assert "stub(s) for mini" in out
    assert 'value: "超過7億元"' in out  # hedge and unit prefilled from the source
    assert 'quote: "粗略計算,前三季度,可靈收入已超過7億元。"' in out
    assert "entity: kling" in out and "metric: revenue" in out  # guessed from 可靈, 收入
    assert {p: p.read_bytes() for p in (mini / "facts").iterdir()} == before
    assert main(["suggest", "--root", str(mini), "nope"]) == 2
