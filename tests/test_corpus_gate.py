"""The bundled corpus through the gate: green as committed, red when a fact is broken."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from factledger import engine
from factledger.load import load_corpus

BOHU = "facts/bohu-kling-two-faces.yaml"


# mau_growth_qoq is declared growth_of: mau with basis: qoq (facts/metrics.yaml)
QOQ = (
    "invariant:growth_of:kuaishou.mau_growth_qoq@2025Q1"
    "~growth(kuaishou.mau@2025Q1,kuaishou.mau@2024Q4)"
)


def _break_mau(root: Path) -> None:
    """Kuaishou's 2025Q1 MAU 7.12億 → 2.1 (still a span of its quote: 同比增長2.1%)."""
    path = root / BOHU
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: bh-kuaishou-mau-2025q1\n")
    i = text.index('value: "7.12億"', start)
    path.write_text(text[:i] + 'value: "2.1"' + text[i + len('value: "7.12億"') :], "utf-8")


def test_bundled_corpus_passes_the_gate(bundled: Path) -> None:
    outcome = engine.run(bundled, expectations=False)
    assert outcome.passed, [f.result.message for f in outcome.open_errors]
    assert outcome.exit_code == 0
    rules = [r for r in outcome.results if r.kind == "rule" and not r.id.startswith("rule:derived")]
    assert len(rules) >= 25
    assert not [r.id for r in rules if r.verdict in ("unresolved", "error")]


def test_broken_fact_turns_its_rules_red_with_numbers_sources_quotes(bundled: Path) -> None:
    _break_mau(bundled)
    outcome = engine.run(bundled, expectations=False)
    red = {f.result.id: f.result for f in outcome.open_errors if f.result.kind == "invariant"}
    assert QOQ in red, sorted(red)
    r = red[QOQ]
    assert r.verdict == "violated" and "bh-kuaishou-mau-2025q1" in r.fact_ids
    ops = {op["fact_id"]: op for op in r.data.to_json()["operands"]}
    assert ops["bh-kuaishou-mau-2025q1"]["source"] == "bohu-kling-two-faces"
    assert "7.12億" in ops["bh-kuaishou-mau-2025q1"]["quote"]
    assert ops["bh-kuaishou-mau-2025q1"]["file"] == BOHU
    assert "−3.26" in r.message or "-3.26" in r.message or "3.26" in r.message


def test_pytest_checks_names_rule_file_line_sources_and_quotes(bundled: Path) -> None:
    _break_mau(bundled)
    # the copy's own checks/conftest.py makes the copy the corpus under test
    env = {**os.environ, "FACTLEDGER_NO_REPORT": "1"}
    env.pop("FACTLEDGER_ROOT", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "checks", "-q", "-p", "no:cacheprovider", "-k", "mau"],
        capture_output=True, text=True, env=env, cwd=bundled, timeout=600, check=False,
    )  # fmt: skip
    out = proc.stdout
    assert proc.returncode == 1, out[-2000:]
    assert "test_invariant[invariant:growth_of:kuaishou.mau_growth_qoq@2025Q1" in out
    growth = next(
        f for f in load_corpus(bundled).facts if f.id == "bh-kuaishou-mau-growth-qoq-2025q1"
    )
    assert f"{BOHU}:{growth.line}: invariant violated (error)" in out  # at the growth fact
    assert "bohu-kling-two-faces" in out and "今年一季度,快手月活使用者為7.12億" in out
    assert "Traceback" not in out


def test_date_value_outside_its_period_fails_an_expectation(bundled: Path) -> None:
    path = bundled / "facts/tmtpost-kling-price-cut.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: tmt-kling-release-date-2.5-turbo\n")
    i = text.index('period: "2025-09-23"', start)
    path.write_text(text[:i] + 'period: "2025-08"' + text[i + len('period: "2025-09-23"') :],
                    "utf-8")  # fmt: skip
    outcome = engine.run(bundled)
    bad = [f.result for f in outcome.open_errors if f.result.kind == "expectation"]
    assert {r.fact_ids for r in bad} == {("tmt-kling-release-date-2.5-turbo",)}
    # the 9月23日 value is after the end of 2025-08
    assert {r.id.split(":")[1] for r in bad} == {"date-in-period-end"}
    assert all(r.file == "facts/tmtpost-kling-price-cut.yaml" for r in bad)
