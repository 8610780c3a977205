""" "The source is wrong": the number changed in the article, its quotes and values together."""

from __future__ import annotations

from pathlib import Path

import pytest

from factledger import engine
from factledger.devtools import source_errors as se

SEED = """---
id: users
title: 快手用戶
outlet: 測試
language: zh-Hant
published: '2025-11-27'
published_basis: test fixture
curation: partial
---
快手Q3日活4.16億,月活7.31億。可靈收入超過3億元。
"""
FACTS = """source: users
facts:
  - id: u-dau
    entity: kuaishou
    metric: dau
    period: "2025Q3"
    value: "4.16億"
    kind: actual
    quote: "快手Q3日活4.16億,月活7.31億。"
  - id: u-mau
    entity: kuaishou
    metric: mau
    period: "2025Q3"
    value: "7.31億"
    kind: actual
    quote: "快手Q3日活4.16億,月活7.31億。"
  - id: u-revenue
    entity: kling
    metric: revenue
    period: "2025Q3"
    value: "超過3億元"
    kind: actual
    quote: "可靈收入超過3億元。"
"""
REGISTRIES = {
    "entities.yaml": "entities:\n  - {key: kuaishou, names: [快手], kind: company}\n"
    "  - {key: kling, names: [可靈], kind: product}\n",
    "metrics.yaml": "metrics:\n"
    "  - {key: dau, dimension: count, unit: count, series: true, description: daily actives}\n"
    "  - {key: mau, dimension: count, unit: count, series: true, description: monthly actives}\n"
    "  - {key: revenue, dimension: money, unit: CNY, series: true, description: revenue}\n",
}
RULE = """rules:
  - id: dau-below-mau
    description: Daily actives are a subset of monthly actives.
    severity: error
    assert: kuaishou.dau@2025Q3 < kuaishou.mau@2025Q3
"""


@pytest.fixture
def users(tmp_path: Path) -> Path:
    for d in ("seeds", "facts", "checks/rules"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "seeds" / "users.md").write_text(SEED, encoding="utf-8")
    (tmp_path / "facts" / "users.yaml").write_text(FACTS, encoding="utf-8")
    for name, text in REGISTRIES.items():
        (tmp_path / "facts" / name).write_text(text, encoding="utf-8")
    (tmp_path / "checks" / "rules" / "users.yaml").write_text(RULE, encoding="utf-8")
    return tmp_path


def test_a_compared_fact_is_touched_and_its_tenfold_slip_detected(users: Path) -> None:
    h = se.Harness(users)
    assert h.touched == {"u-dau", "u-mau"}
    d = h.run("x10", h.facts["u-dau"])
    assert d is not None and d.detected and d.touched
    assert d.by == ("rule",) and d.finding_ids == ("rule:dau-below-mau",)
    assert d.change == "4.16億 → 41.6億" and not d.inconsistent
    # the monthly figure is caught the other way round: a tenth of it is below the daily one
    assert h.run("div10", h.facts["u-mau"]).detected


def test_a_fact_nothing_compares_is_untouched_and_its_slip_missed(users: Path) -> None:
    h = se.Harness(users)
    d = h.run("x10", h.facts["u-revenue"])
    assert d is not None and not d.detected and not d.touched
    assert d.why_missed == "untouched"


def test_the_article_quotes_and_values_change_together(users: Path) -> None:
    h = se.Harness(users)
    corpus, changed, change = h.mutate("x1.3", h.facts["u-dau"])
    assert changed == ["u-dau"] and change == "4.16億 → 5.41億"
    assert "快手Q3日活5.41億,月活7.31億。" in corpus.sources["users"].body
    quotes = {f.id: f.quote for f in corpus.facts}
    assert quotes["u-dau"] == quotes["u-mau"] == "快手Q3日活5.41億,月活7.31億。"
    outcome = engine.evaluate(corpus, h.checks, crosscheck=False)
    assert all(r.passed for r in outcome.results if r.kind == "provenance")


def test_cross_check_coverage_is_in_the_run_and_the_coverage_command(users: Path, capsys) -> None:
    from factledger.cli import main

    cross = engine.run(users, expectations=False).extras["crosscheck"]
    assert cross["summary"] == {"numeric": 3, "touched": 2, "share": round(2 / 3, 4)}
    assert cross["sources"]["users"]["untouched"] == ["u-revenue"]
    assert main(["coverage", "--root", str(users)]) == 0
    out = capsys.readouterr().out
    cross_table = out[out.index("cross-checks") :]
    row = next(line for line in cross_table.splitlines() if line.startswith("users "))
    assert row.split() == ["users", "3", "2", "66.7%"]


@pytest.mark.parametrize(
    ("written", "kind", "expected"),
    [
        ("1.5", "x10", "15"),
        ("1.5", "div10", "0.15"),
        ("1.5", "x1.3", "2.0"),
        ("3", "x1.3", "4"),
        ("3,850", "x10", "38500"),
        ("12.4", "last_digit", "12.5"),
        ("9", "last_digit", "10"),
    ],
)
def test_numbers_are_rewritten_with_their_written_precision(
    written: str, kind: str, expected: str
) -> None:
    assert se.rewrite(written, kind, whole=False) == expected


def test_chinese_numerals_are_rewritten_as_chinese_numerals() -> None:
    assert se.rewrite_numbers("破億", "x10", whole=False) == "破十億"
    assert se.rewrite_numbers("第二名", "x10", whole=True) == "第二十名"
    assert se.rewrite_numbers("第二名", "div10", whole=True) is None  # no rank 0.2
    assert se.rewrite_numbers("一大半", "x10", whole=False) is None  # nothing to slip on


@pytest.fixture(scope="module")
def bundled() -> se.Harness:
    from .conftest import PROJECT

    return se.Harness(PROJECT)


def test_every_last_digit_slip_of_the_bundled_corpus_is_caught(bundled: se.Harness) -> None:
    """Written precision: where another source gives a figure exactly, changing the article's
    last digit must turn the agreement into a disagreement (issue: 100 % of applicable facts)."""
    report = bundled.report("last_digit")
    assert report.applicable >= 1
    assert [d.fact_id for d in report.detections if not d.detected] == []


def test_every_checkable_bundled_claim_reversed_is_caught(bundled: se.Harness) -> None:
    """A comparison or record the corpus can check, said the other way round, must fail."""
    report = bundled.report("claim_flip")
    assert report.applicable >= 1
    assert [d.fact_id for d in report.detections if d.touched and not d.detected] == []


@pytest.mark.parametrize(
    ("written", "expected"),
    [("創下新低", "創下新高"), ("創歷史新高", "創歷史新低"), ("顯著高於", "顯著低於"),
     ("超越", "不及"), ("不及", "超越"), ("持平", None)],
)  # fmt: skip
def test_claim_words_flip_to_their_reverse(written: str, expected: str | None) -> None:
    assert se.flip_words(written) == expected


@pytest.mark.parametrize(
    ("written", "delta", "expected"),
    [("第二名", 1, "第三名"), ("四次", -1, "三次"), ("3次", 1, "4次"), ("第九", 1, "第十"),
     ("第一", -1, None), ("1.5次", 1, None), ("許多次", 1, None)],
)  # fmt: skip
def test_ranks_and_counts_shift_by_one_as_written(
    written: str, delta: int, expected: str | None
) -> None:
    assert se.shift_number(written, delta) == expected


CLAIMS_SEED = SEED.replace(
    "可靈收入超過3億元。",
    "快手Q3日活創歷史新高。快手Q2日活4.0億。可靈迭代了2次。可靈2.0於4月發佈,可靈2.1於5月發佈。",
)
CLAIMS_FACTS = (
    FACTS.split("  - id: u-revenue")[0]
    + """  - id: u-dau-q2
    entity: kuaishou
    metric: dau
    period: "2025Q2"
    value: "4.0億"
    kind: actual
    quote: "快手Q2日活4.0億。"
  - id: u-record
    entity: kuaishou
    metric: dau
    period: "2025Q3"
    value: "創歷史新高"
    kind: actual
    quote: "快手Q3日活創歷史新高。"
    claim: {record_high: "true"}
  - id: u-releases
    entity: kling
    metric: releases
    period: "2025-06"
    value: "2次"
    kind: actual
    quote: "可靈迭代了2次。"
    claim: {count: "2", of: release_date}
  - id: u-r20
    entity: kling
    metric: release_date
    qualifiers: {model: kling-2.0}
    period: "2025-04"
    value: "4月"
    kind: actual
    quote: "可靈2.0於4月發佈,可靈2.1於5月發佈。"
  - id: u-r21
    entity: kling
    metric: release_date
    qualifiers: {model: kling-2.1}
    period: "2025-05"
    value: "5月"
    kind: actual
    quote: "可靈2.0於4月發佈,可靈2.1於5月發佈。"
"""
)


def test_a_reversed_record_and_a_count_one_short_are_caught(users: Path) -> None:
    (users / "seeds" / "users.md").write_text(CLAIMS_SEED, encoding="utf-8")
    (users / "facts" / "users.yaml").write_text(CLAIMS_FACTS, encoding="utf-8")
    metrics = users / "facts" / "metrics.yaml"
    metrics.write_text(
        metrics.read_text("utf-8")
        + "  - {key: releases, dimension: count, unit: count, series: true, description: n}\n"
        "  - {key: release_date, dimension: date, unit: date, series: false, description: d}\n",
        "utf-8",
    )
    h = se.Harness(users)
    assert {f.id for f in h.claims} == {"u-record", "u-releases"}
    flip = h.run("claim_flip", h.facts["u-record"])
    assert flip is not None and flip.detected and flip.by == ("claim",)
    assert flip.change == "創歷史新高 → 創歷史新低" and not flip.inconsistent
    mutated, _, _ = h.mutate("claim_flip", h.facts["u-record"])  # type: ignore[misc]
    (record,) = [f for f in mutated.facts if f.id == "u-record"]
    assert record.claim.kind == "record_low" and "創歷史新低" in mutated.sources["users"].text
    fewer = h.run("claim_n-1", h.facts["u-releases"])
    assert fewer is not None and fewer.detected  # 1 claimed, 2 listed
    more = h.run("claim_n+1", h.facts["u-releases"])
    assert more is not None and not more.detected  # 3 claimed, 2 listed: need not list all
    assert h.run("claim_flip", h.facts["u-releases"]) is None  # a count has no direction
