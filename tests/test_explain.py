"""``factledger explain ID`` (a fact or a result) on the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from factledger.cli import main


def explain(root: Path, fact_id: str, capsys) -> tuple[int, str, str]:
    code = main(["explain", "--root", str(root), "--fast", fact_id])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_cross_checked_fact(bundled: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = explain(bundled, "dcd-kling-revenue-2025q2", capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "dcd-kling-revenue-2025q2 — facts/dongcaidi-kling-annual-revenue.yaml:141"
    assert "  quote:   「據悉,今年Q1、Q2,可靈收入分別超過1.5億元、超過2.5億元。」" in lines
    assert "  value:   '超過2.5億元'" in lines
    # how the value was read: the sound interval, as written and canonical
    assert "  as written:      more than 2.5億元  (2.5億元, ∞)" in lines
    assert "  canonical (CNY): more than 2.5億元  (2.5億元, ∞)" in lines
    assert "What checks it against other facts (5):" in lines
    assert any(
        x.endswith(
            ": invariant: Relation can hold (possible, error) — invariant:flow-sum:"
            "kling.revenue@2025Q1+kling.revenue@2025Q2+kling.revenue@2025Q3"
            "~kling.revenue@2025Q1..2025Q3"
        )
        for x in lines
    )
    assert any(x.endswith("conflict: Sources agree (agree, info) — conflict:kling.revenue@2025Q2")
               for x in lines)  # fmt: skip
    assert "Nothing cross-checks" not in out
    assert "provenance: Passes (pass, error) — provenance:dcd-kling-revenue-2025q2" in out


def test_a_fact_nothing_cross_checks_says_so(bundled: Path, capsys) -> None:
    code, out, _ = explain(bundled, "hx-kuaishou-cpm-llm-distribution-engine", capsys)
    assert code == 0
    assert "What checks it against other facts (0):" in out
    assert "Nothing cross-checks this fact: no rule, invariant, claim or conflict involves" in out
    assert "kuaishou.cpm@2025-03 or {hx-kuaishou-cpm-llm-distribution-engine}" in out
    assert "a relation of 'cpm' in facts/metrics.yaml" in out


def test_an_acknowledged_finding_shows_its_review(bundled: Path, capsys) -> None:
    code, out, _ = explain(bundled, "ymt-kuaishou-dau-2025q1", capsys)
    assert code == 0
    assert "rule: Rule violated (violated, warning, acknowledged) — rule:kuaishou-dau-rises" in out
    assert "      reviewed: source-error — Yunmeiti's 快手日活3.8億" in out


def test_unknown_and_unloaded_facts(bundled: Path, capsys) -> None:
    code, out, err = explain(bundled, "bh-kling-users-2024", capsys)
    assert (code, out) == (2, "")
    assert "no fact or result 'bh-kling-users-2024'" in err
    assert "did you mean bh-kling-users-2024q3" in err
    path = bundled / "facts" / "bohu-kling-two-faces.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("    metric: users\n", "    metric: userz\n", 1), "utf-8")
    code, out, _ = explain(bundled, "bh-kling-users-2024q3", capsys)
    assert code == 1
    assert "bh-kling-users-2024q3 was not loaded; its input problems:" in out
    assert "unknown metric 'userz'" in out


def test_a_result_id_shows_the_finding_and_the_facts_it_names(bundled: Path, capsys) -> None:
    rid = "invariant:member-in-ranking:poe-video-generation@2025-05:kling-2.0-master/kling"
    code, out, _ = explain(bundled, rid, capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith(
        "invariant: Ranking lists a series and its own member as rivals "
        f"(member-in-ranking, warning, acknowledged) — {rid}"
    )
    assert any(x.startswith("      reviewed: source-error — Bohu's Poe ranking") for x in lines)
    assert "The facts it names (4):" in lines
    assert "  bh-kling-usage-share-poe-2.0-master — facts/bohu-kling-two-faces.yaml:464" in lines
    assert any("'20.9%' (bohu-kling-two-faces)" in x for x in lines)
    assert any(x.startswith("      「根據全球大模型整合應用平台Poe") for x in lines)
    # the rank claim beside it names the model as the member the registry declares
    code, out, _ = explain(bundled, "bh-kling-usage-rank-poe-2.0-master", capsys)
    assert code == 0 and "20.9% (kling-2.0-master)" in out and "超過30% (kling)" in out
    # a result id that is close to a real one gets a hint, on stderr
    code, out, err = explain(bundled, rid[:-6], capsys)
    assert (code, out) == (2, "") and f"did you mean {rid}" in err
