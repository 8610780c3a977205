"""Provenance: the quote is in the source, the value (and shared hedge/unit) in the quote."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from factledger.checks.provenance import check_fact, nearest_passage
from factledger.model import Fact, Period, Source
from factledger.text import fold

BODY = "今年Q1、Q2、Q3,可靈收入分別超過1.5億元、2.5億元、3億元。快手Q3日活4.16億,創歷史新高。"
SOURCE = Source(
    "s",
    "標題10億",
    BODY,
    "測試",
    "zh-Hant",
    Period("2025", date(2025, 1, 1), date(2025, 12, 31)),
    "test",
    "complete",
    "seeds/s.md",
)
P = Period("2025Q2", date(2025, 4, 1), date(2025, 6, 30))
FACT = Fact(
    id="f",
    source="s",
    entity="kling",
    metric="revenue",
    period=P,
    value="2.5億元",
    kind="actual",
    quote="今年Q1、Q2、Q3,可靈收入分別超過1.5億元、2.5億元、3億元。",
    stated=P,
    file="facts/s.yaml",
    line=3,
    hedge="超過",
    field_lines={"value": 7, "quote": 9, "hedge": 8},
)


def messages(fact: Fact) -> list[tuple[str, int | None]]:
    return [
        (r.message, r.line) for r in check_fact(fact, SOURCE, fold(SOURCE.text)) if not r.passed
    ]


def test_clean_fact_passes() -> None:
    [r] = check_fact(FACT, SOURCE, fold(SOURCE.text))
    assert r.passed and r.fact_ids == ("f",)


def test_whitespace_and_width_are_folded() -> None:
    spaced = replace(FACT, quote="今年 Q1、Q2、Q3，可靈收入分別超過 1.5億元、2.5 億元、3億元。")
    assert messages(spaced) == []


def test_title_is_quotable() -> None:
    assert messages(replace(FACT, quote="標題10億", value="10億", hedge=None)) == []


def test_value_not_in_quote_names_value_line() -> None:
    [(msg, line)] = messages(replace(FACT, value="2.6億元"))
    assert msg.startswith("value: '2.6億元' is not a span of the quote") and line == 7


def test_quote_not_in_source_shows_nearest_passage() -> None:
    [(msg, line)] = messages(
        replace(FACT, quote="今年Q1、Q2、Q3,可靈收入分別超過1.5億元、2.5億元、4億元。")
    )
    assert "quote: not found in seeds/s.md" in msg and "nearest passage" in msg and line == 9
    assert "可靈收入分別超過1.5億元" in msg


def test_hedge_and_unit_must_occur_in_quote() -> None:
    found = messages(replace(FACT, hedge="約", unit="美元"))
    assert [m for m, _ in found] == [
        "hedge: '約' does not occur in the quote",
        "unit: '美元' does not occur in the quote",
    ]


def test_period_text_must_occur_in_quote() -> None:
    assert messages(replace(FACT, period_text=("Q4",))) == [
        ("period_text: 'Q4' does not occur in the quote", 3)
    ]


def test_nearest_passage_finds_the_closest_text() -> None:
    assert nearest_passage(fold(BODY), "快手Q3日活4.17億").startswith("快手Q3日活4.16億")


def test_dropped_hedge_is_reported() -> None:
    dropped = replace(FACT, id="q1", value="1.5億元", hedge=None)
    [(msg, line)] = messages(dropped)
    assert msg.startswith("value: the quote says '超過' next to '1.5億元'") and line == 7
    # given as hedge:, or inside the value, it is fine
    assert messages(replace(dropped, hedge="超過")) == []
    assert messages(replace(dropped, value="超過1.5億元")) == []


def test_period_must_agree_with_its_period_text() -> None:
    q1 = Period("2025Q1", date(2025, 1, 1), date(2025, 3, 31))
    fact = replace(FACT, period_text=("Q2",), field_lines={"period": 5})
    assert messages(fact) == []  # Q2 reads as 2025Q2: the fact's period
    [(msg, line)] = messages(replace(fact, period=q1))
    assert msg.startswith("period: 2025Q1 does not overlap what its period_text 'Q2' says")
    assert line == 5


def test_period_text_forms() -> None:
    from factledger.checks.provenance import period_text_ranges

    fy = Period("FY2025", date(2025, 1, 1), date(2025, 12, 31))
    assert period_text_ranges("2024年三季報", fy) == [(date(2024, 7, 1), date(2024, 9, 30))]
    assert period_text_ranges("一季度", fy) == [(date(2025, 1, 1), date(2025, 3, 31))]
    assert period_text_ranges("2025年2月底", fy) == [(date(2025, 2, 1), date(2025, 2, 28))]
    assert period_text_ranges("今年4月15日", fy) == [(date(2025, 4, 15), date(2025, 4, 15))]
    assert period_text_ranges("2024下半年", fy) == [(date(2024, 7, 1), date(2024, 12, 31))]
    assert period_text_ranges("過去一年", fy) == []
