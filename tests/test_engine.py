"""The engine end to end on a tiny corpus: provenance, acknowledgements, the gate, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from factledger import engine
from factledger.cli import main

from .conftest import edit_facts, write_mini


def run(root: Path) -> engine.Outcome:
    return engine.run(root, expectations=False)


def open_ids(outcome: engine.Outcome) -> list[str]:
    return [f.result.id for f in outcome.open_errors]


def test_clean_corpus_passes(mini: Path) -> None:
    outcome = run(mini)
    assert outcome.passed, [f.result.message for f in outcome.open_errors]
    assert outcome.exit_code == 0
    kinds = {r.kind for r in outcome.results}
    assert {"provenance", "schema"} <= kinds


@pytest.mark.parametrize(
    ("old", "new", "kind", "line", "needle"),
    [
        ('value: "4.16億"', 'value: "4.17億"', "provenance", 22, "value: '4.17億' is not a span"),
        (
            'quote: "快手Q3日活4.16億。"',
            'quote: "快手Q3日活4.18億。"',
            "provenance",
            24,
            "quote: not found in seeds/mini.md; nearest passage",
        ),
        ("entity: kuaishou", "entity: kuaishu", "input", 19, "unknown entity"),
        ('period: "2025Q3"', 'period: "2025Q9"', "input", 21, "is not a period"),
    ],
)
def test_broken_fact_fails_the_gate_naming_file_and_line(
    mini: Path, old: str, new: str, kind: str, line: int, needle: str
) -> None:
    edit_facts(mini, old, new)
    outcome = run(mini)
    assert not outcome.passed
    bad = [f.result for f in outcome.open_errors if f.result.kind == kind]
    assert bad, open_ids(outcome)
    assert any(
        r.file == "facts/mini.yaml" and r.line == line and needle in r.message for r in bad
    ), [(r.where, r.message) for r in bad]
    assert outcome.exit_code == 1


def test_simplified_quote_is_explained(mini: Path) -> None:
    edit_facts(mini, 'quote: "快手Q3日活4.16億。"', 'quote: "快手Q3日活4.16亿。"')
    msgs = [f.result.message for f in run(mini).open_errors]
    assert any("traditional/simplified" in m for m in msgs), msgs


def _ack(root: Path, rid: str, fp: str) -> None:
    (root / "checks" / "acknowledged.yaml").write_text(
        "acknowledged:\n"
        f"  - id: {rid!r}\n    fingerprint: {fp!r}\n    verdict: sources-disagree\n"
        "    reason: test\n    reviewer: tester\n    date: '2026-11-29'\n",
        encoding="utf-8",
    )


def test_stale_acknowledgement_fails_the_gate(mini: Path) -> None:
    _ack(mini, "conflict:nothing-like-this", "0" * 16)
    outcome = run(mini)
    assert not outcome.passed
    [stale] = [f.result for f in outcome.open_errors]
    assert stale.kind == "acknowledgement" and stale.verdict == "unmatched"
    assert (stale.file, stale.line) == ("checks/acknowledged.yaml", 2)


def test_provenance_cannot_be_acknowledged(mini: Path) -> None:
    edit_facts(mini, 'value: "4.16億"', 'value: "4.17億"')
    failing = next(f.result for f in run(mini).open_errors if f.result.kind == "provenance")
    _ack(mini, failing.id, failing.fingerprint)
    outcome = run(mini)
    assert not outcome.passed
    kinds = {(f.result.kind, f.result.verdict) for f in outcome.open_errors}
    assert ("acknowledgement", "refused") in kinds and ("provenance", "fail") in kinds


def test_acknowledged_finding_passes_until_its_evidence_changes(mini: Path) -> None:
    """An acknowledgeable finding (made here with a stand-in rule result) and its review."""
    from factledger.engine import apply_acknowledgements
    from factledger.model import Acknowledgement, Result

    finding = Result(
        id="rule:x",
        kind="rule",
        severity="error",
        verdict="violated",
        message="m",
        fingerprint="abc",
    )
    ack = Acknowledgement("rule:x", "abc", "source-error", "r", "me", "2026-11-29", "a.yaml", 2)
    [f], extra = apply_acknowledgements([finding], [ack])
    assert f.status == "acknowledged" and not extra
    changed = Result(
        id="rule:x",
        kind="rule",
        severity="error",
        verdict="violated",
        message="m",
        fingerprint="abd",
    )
    [f], extra = apply_acknowledgements([changed], [ack])
    assert f.status == "stale-ack"


def test_cli_exit_codes(mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["check", "--root", str(mini), "--no-report", "-q"]) == 0
    edit_facts(mini, 'value: "4.16億"', 'value: "4.17億"')
    assert main(["check", "--root", str(mini), "--no-report", "-q"]) == 1
    out = capsys.readouterr().out
    assert "facts/mini.yaml:22: provenance: fail" in out
    (mini / "facts" / "broken.yaml").write_text("source: [", encoding="utf-8")
    assert main(["check", "--root", str(mini), "--no-report", "-q"]) == 2
    assert main(["check", "--root", str(tmp_path / "nowhere")]) == 2


def test_check_writes_reports(mini: Path) -> None:
    assert main(["check", "--root", str(mini), "-q"]) == 0
    assert (mini / "reports" / "discrepancies.json").exists()
    assert (mini / "reports" / "junit.xml").exists()


def test_engine_never_writes_to_seeds_or_facts(mini: Path) -> None:
    def snapshot() -> dict[str, bytes]:
        return {
            str(p): p.read_bytes()
            for d in ("seeds", "facts")
            for p in sorted((mini / d).rglob("*"))
            if p.is_file()
        }

    before = snapshot()
    main(["check", "--root", str(mini), "-q"])
    assert snapshot() == before


def test_write_mini_roundtrip(tmp_path: Path) -> None:
    root = write_mini(tmp_path / "x")
    assert run(root).passed
