"""The one formatter: numbers as the corpus writes them, intervals, periods."""

from __future__ import annotations

import math
from datetime import date

from factledger import formatting as fmt
from factledger.model import Interval, Period
from factledger.period import parse_period
from factledger.text import locate


def iv(lo, hi, lo_open=False, hi_open=False, unit="CNY") -> Interval:
    lo = -math.inf if lo is None else lo
    hi = math.inf if hi is None else hi
    return Interval(lo, hi, lo_open, hi_open, unit)


def test_numbers_are_written_as_the_corpus_writes_them() -> None:
    assert fmt.number(355.54e8, "CNY") == "355.54億元"
    assert fmt.number(958.9e4, "count") == "958.9萬"
    assert fmt.number(1.4e8, "USD") == "1.4億美元"
    assert fmt.number(12.4, "%") == "12.4%"
    assert fmt.number(2, "rank") == "第2"
    assert fmt.number(1314, "CNY/month") == "1,314元/月"
    assert fmt.number(739517.0, "date") == "2025-09-23"
    assert fmt.number(math.inf, "CNY") == "∞"
    assert fmt.number(None) == "?"


def test_intervals() -> None:
    assert fmt.interval(iv(1.45e8, 1.55e8)) == "[1.45億元, 1.55億元]"
    assert fmt.interval(iv(1.5e8, None, lo_open=True)) == "(1.5億元, ∞)"
    assert fmt.interval(iv(5e7, 5e7)) == "5000萬元"
    assert fmt.interval(iv(1, 2, hi_open=True, unit="x")) == "[1倍, 2倍)"
    assert fmt.interval(iv(None, None)) == "any value"
    assert fmt.interval(iv(2, 1)) == "∅"
    assert fmt.interval_words(iv(1.5e8, None, lo_open=True)) == "more than 1.5億元"
    assert fmt.interval_words(iv(None, 1, unit="%")) == "at most 1%"
    assert fmt.interval(iv(739038.0, 739067.0, unit="date")) == "2024-06-01..2024-06-30"


def test_interval_from_json_reads_null_as_unbounded() -> None:
    data = iv(1.5e8, None, lo_open=True).to_json()
    assert data["hi"] is None
    assert fmt.interval_from_json(data) == iv(1.5e8, None, lo_open=True)


def test_period_labels_are_the_shortest_standard_spelling() -> None:
    assert fmt.period_label(parse_period("2025-01..2025-03")) == "2025Q1"
    assert fmt.period_label(parse_period("2025Q1..2025Q3")) == "2025Q1..2025Q3"
    assert fmt.period_label(parse_period("2025-01-01..2025-12-31")) == "FY2025"
    assert fmt.period_label(parse_period("2025-09-23")) == "2025-09-23"
    assert fmt.period_as_written(parse_period("2025Q3")) == "2025Q3 (2025-07-01..2025-09-30)"


def test_locate_folds_like_the_checks() -> None:
    text = "標題\n營收超過1.5億元，其中３月"
    assert locate(text, "超過1.5億元,其中3月") == (5, 17)
    assert locate(text, "不存在") is None


def test_period_as_written_keeps_the_curators_text() -> None:
    p = Period("2025年", date(2025, 1, 1), date(2025, 12, 31))
    assert fmt.period_as_written(p) == "2025年 (2025-01-01..2025-12-31)"
