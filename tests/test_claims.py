"""Claim facts: comparisons, records, ranks and counts checked against the corpus's figures."""

from __future__ import annotations

from pathlib import Path

import pytest

import factledger
from factledger.mentions import find_mentions

SEED = """---
id: claims
title: 快手與可靈
outlet: 測試
language: zh-Hant
published: '2025-11-27'
published_basis: test fixture
curation: partial
---
快手Q3日活4.16億,創歷史新高。快手Q2日活4.25億。可靈月活約600萬,顯著高於即夢AI月活約800萬。
可靈的使用份額為30%,即夢為20%,海螺為25%,可靈排名第一,即夢排名第二。
可靈2.0於4月發佈。可靈2.1於5月發佈。可靈今年已迭代了3次。
"""
REGISTRIES = {
    "entities.yaml": "entities:\n  - {key: kuaishou, names: [快手], kind: company}\n"
    "  - {key: kling, names: [可靈], kind: product}\n"
    "  - {key: jimeng, names: [即夢AI], kind: product}\n"
    "  - {key: hailuo, names: [海螺], kind: product}\n",
    "metrics.yaml": "metrics:\n"
    "  - {key: dau, dimension: count, unit: count, series: true, description: d}\n"
    "  - {key: mau, dimension: count, unit: count, series: true, description: m}\n"
    "  - {key: usage_share, dimension: share, unit: '%', series: true, description: s}\n"
    "  - {key: usage_rank, dimension: rank, unit: rank, series: true, description: r}\n"
    "  - {key: release_date, dimension: date, unit: date, series: false, description: r}\n"
    "  - {key: releases, dimension: count, unit: count, series: true, description: n}\n",
}


def fact(fid: str, entity: str, metric: str, period: str, value: str, quote: str,
         extra: str = "") -> str:  # fmt: skip
    return (
        f'  - id: {fid}\n    entity: {entity}\n    metric: {metric}\n    period: "{period}"\n'
        f'    value: "{value}"\n    kind: actual\n    quote: "{quote}"\n{extra}'
    )


Q1 = "快手Q3日活4.16億,創歷史新高。"
Q2 = "快手Q2日活4.25億。"
Q3 = "可靈月活約600萬,顯著高於即夢AI月活約800萬。"
Q4 = "可靈的使用份額為30%,即夢為20%,海螺為25%,可靈排名第一,即夢排名第二。"
FACTS = [
    fact("dau-q3", "kuaishou", "dau", "2025Q3", "4.16億", Q1),
    fact("dau-q2", "kuaishou", "dau", "2025Q2", "4.25億", Q2),
    fact("dau-record", "kuaishou", "dau", "2025Q3", "創歷史新高", Q1,
         "    claim: {record_high: 'true'}\n"),
    fact("kling-mau", "kling", "mau", "2025Q3", "約600萬", Q3),
    fact("jimeng-mau", "jimeng", "mau", "2025Q3", "約800萬", Q3),
    fact("kling-above", "kling", "mau", "2025Q3", "顯著高於", Q3,
         "    claim: {greater_than: 'jimeng.mau@2025Q3'}\n"),
    *(fact(f"{e}-share", e, "usage_share", "2025Q3", v, Q4, "    qualifiers: {of: board}\n")
      for e, v in (("kling", "30%"), ("jimeng", "20%"), ("hailuo", "25%"))),
    fact("kling-rank", "kling", "usage_rank", "2025Q3", "第一", Q4,
         "    qualifiers: {of: board}\n    claim: {rank: '1', ranking: board, by: usage_share}\n"),
    fact("jimeng-rank", "jimeng", "usage_rank", "2025Q3", "第二", Q4,
         "    qualifiers: {of: board}\n    claim: {rank: '2', ranking: board, by: usage_share}\n"),
    fact("r20", "kling", "release_date", "2025-04", "4月", "可靈2.0於4月發佈。",
         "    qualifiers: {model: kling-2.0}\n"),
    fact("r21", "kling", "release_date", "2025-05", "5月", "可靈2.1於5月發佈。",
         "    qualifiers: {model: kling-2.1}\n"),
    fact("releases", "kling", "releases", "2025-11", "3次", "可靈今年已迭代了3次。",
         "    claim: {count: '3', of: release_date}\n"),
]  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    for d in ("seeds", "facts", "checks/rules"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "seeds" / "claims.md").write_text(SEED, encoding="utf-8")
    for name, text in REGISTRIES.items():
        (tmp_path / "facts" / name).write_text(text, encoding="utf-8")
    (tmp_path / "facts" / "claims.yaml").write_text(
        "source: claims\nfacts:\n" + "".join(FACTS), encoding="utf-8"
    )
    return tmp_path


def claims(root: Path) -> dict:
    outcome = factledger.run(root, expectations=False)
    assert not [r.message for r in outcome.results if r.kind == "input"]
    assert all(r.passed for r in outcome.results if r.kind == "provenance"), [
        r.message for r in outcome.results if r.kind == "provenance" and not r.passed
    ]
    return {r.id: r for r in outcome.results if r.kind == "claim"}


def test_each_claim_is_checked(corpus: Path) -> None:
    got = claims(corpus)
    verdicts = {k: (r.verdict, r.severity) for k, r in got.items()}
    assert verdicts == {
        "claim:dau-record": ("violated", "error"),  # 4.16億 is below Q2's 4.25億
        "claim:kling-above": ("violated", "error"),  # 約600萬 is not above 約800萬
        "claim:kling-rank": ("holds", "error"),
        "claim:jimeng-rank": ("violated", "error"),  # 20% is third, behind 海螺's 25%
        "claim:releases": ("possible", "error"),  # 3 claimed, the corpus lists 2: may be so
    }
    assert "ranks 3" in got["claim:jimeng-rank"].message
    assert "the corpus lists 2" in got["claim:releases"].message


def test_a_record_with_nothing_earlier_is_unverifiable(corpus: Path) -> None:
    text = (corpus / "facts" / "claims.yaml").read_text("utf-8")
    start = text.index("  - id: dau-q2")
    end = text.index("  - id: dau-record")
    (corpus / "facts" / "claims.yaml").write_text(text[:start] + text[end:], "utf-8")
    got = claims(corpus)["claim:dau-record"]
    assert (got.verdict, got.severity) == ("unverifiable", "info") and not got.is_finding


def test_a_count_below_the_listed_members_is_violated(corpus: Path) -> None:
    for name in ("seeds/claims.md", "facts/claims.yaml"):
        path = corpus / name
        path.write_text(path.read_text("utf-8").replace("3次", "1次"), "utf-8")
    path = corpus / "facts" / "claims.yaml"
    path.write_text(path.read_text("utf-8").replace("count: '3'", "count: '1'"), "utf-8")
    assert claims(corpus)["claim:releases"].verdict == "violated"


def test_a_count_counts_the_series_members_however_they_are_recorded(corpus: Path) -> None:
    """A release recorded under a registered member entity (kling-2.2, member_of kling) is one of
    the series' releases; the same member recorded as kling with model=kling-2.2 is not two."""
    path = corpus / "facts" / "entities.yaml"
    path.write_text(path.read_text("utf-8") + "  - {key: kling-2.2, names: [可靈2.2], kind: model,"
                    " member_of: kling}\n", "utf-8")  # fmt: skip
    seed = corpus / "seeds" / "claims.md"
    seed.write_text(seed.read_text("utf-8") + "可靈2.2於6月發佈。\n", "utf-8")
    facts = corpus / "facts" / "claims.yaml"
    one = fact("r22", "kling-2.2", "release_date", "2025-06", "6月", "可靈2.2於6月發佈。")
    facts.write_text(facts.read_text("utf-8") + one, "utf-8")
    got = claims(corpus)["claim:releases"]
    assert got.verdict == "holds" and "the corpus lists 3" in got.message
    assert "kling-2.2: 6月" in got.message and "r22" in got.fact_ids
    twice = fact("r22b", "kling", "release_date", "2025-06", "6月", "可靈2.2於6月發佈。",
                 "    qualifiers: {model: kling-2.2}\n")  # fmt: skip
    facts.write_text(facts.read_text("utf-8") + twice, "utf-8")
    got = claims(corpus)["claim:releases"]
    assert got.verdict == "holds" and "the corpus lists 3" in got.message


def test_claim_words_are_mentions_that_coverage_counts() -> None:
    words = [m.text for m in find_mentions("快手Q3日活4.16億,創歷史新高,遠高於行業平均的60%")]
    assert words == ["Q3", "4.16", "創歷史新高", "高於", "60"]


def test_a_malformed_claim_is_a_located_input_error(corpus: Path) -> None:
    path = corpus / "facts" / "claims.yaml"
    path.write_text(
        path.read_text("utf-8").replace("claim: {greater_than: 'jimeng.mau@2025Q3'}",
                                        "claim: {greater: 'jimeng.mau@2025Q3'}"),
        "utf-8",
    )  # fmt: skip
    outcome = factledger.run(corpus, expectations=False)
    (problem,) = [r for r in outcome.results if r.kind == "input"]
    assert problem.message.startswith("claim: one of greater_than, less_than, rank")
    assert problem.fact_ids == ("kling-above",) and problem.line is not None


def test_two_entries_claiming_one_place_contradict_without_figures(corpus: Path) -> None:
    path = corpus / "facts" / "claims.yaml"
    text = path.read_text("utf-8").replace("ranking: board, by: usage_share", "ranking: board")
    path.write_text(text, "utf-8")
    got = claims(corpus)
    # no figures named: nothing contradicts places 1 and 2, and nothing confirms them
    assert got["claim:kling-rank"].verdict == got["claim:jimeng-rank"].verdict == "unverifiable"
    path.write_text(text.replace("rank: '2', ranking: board", "rank: '1', ranking: board"), "utf-8")
    got = claims(corpus)
    assert got["claim:jimeng-rank"].verdict == "violated"
    assert got["claim:jimeng-rank"].severity == "error"
    assert set(got["claim:jimeng-rank"].fact_ids) == {"jimeng-rank", "kling-rank"}
    assert "another entry claims the same place" in got["claim:jimeng-rank"].message


def test_a_rank_whose_by_is_no_metric_is_a_located_input_error(corpus: Path) -> None:
    path = corpus / "facts" / "claims.yaml"
    path.write_text(path.read_text("utf-8").replace("by: usage_share}", "by: nothing}", 1), "utf-8")
    outcome = factledger.run(corpus, expectations=False)
    (problem,) = [r for r in outcome.results if r.kind == "input"]
    assert "by: (their metric), not 'nothing'" in problem.message
    assert problem.fact_ids == ("kling-rank",)
