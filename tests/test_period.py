"""Periods: every written form is a date range; equal ranges compare equal however written."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factledger.formatting import period_label
from factledger.period import PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ("2025Q4", date(2025, 10, 1), date(2025, 12, 31)),
        ("2025H1", date(2025, 1, 1), date(2025, 6, 30)),
        ("FY2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-11-27", date(2025, 11, 27), date(2025, 11, 27)),
        ("2025Q1..2025Q3", date(2025, 1, 1), date(2025, 9, 30)),
        ("2024-06..2025-02", date(2024, 6, 1), date(2025, 2, 28)),
    ],
)
def test_forms(text: str, start: date, end: date) -> None:
    p = parse_period(text)
    assert (p.start, p.end, p.text) == (start, end, text)


def test_same_range_same_key() -> None:
    assert parse_period("2025Q1").key == parse_period("2025-01..2025-03").key
    assert parse_period(date(2025, 11, 27)).key == parse_period("2025-11-27").key
    assert parse_period(2025).key == parse_period("FY2025").key


@pytest.mark.parametrize(
    "bad", ["2025Q5", "2025-13", "2025-02-30", "2025Q3..2025Q1", "Q3", "", None, "2025H3", "1800"]
)
def test_bad_periods_raise_period_error(bad: object) -> None:
    with pytest.raises(PeriodError):
        parse_period(bad)


days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=200, deadline=None)
@given(days, days)
def test_format_then_parse_round_trips(a: date, b: date) -> None:
    start, end = min(a, b), max(a, b)
    p = parse_period(period_label(start, end))
    assert (p.start, p.end) == (start, end)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_arbitrary_text_parses_or_raises_period_error(text: str) -> None:
    try:
        p = parse_period(text)
    except PeriodError as exc:
        assert str(exc)
    else:
        assert p.start <= p.end
