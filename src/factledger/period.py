"""Periods as date ranges: ``2025Q3``, ``2025H1``, ``FY2025``, ``2025-09``, ``2025-11-27``,
``A..B``.

``2025Q1`` and ``2025-01..2025-03`` parse to the same range, so facts written either way compare
equal. Strings in, :class:`Period` or :class:`PeriodError` out; no files, no line numbers.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from factledger.model import Period

# ASCII and full-width digits only (as the quantity parser): \d would read Bengali ২০২৫ as 2025.
_D = "[0-9０-９]"
_ATOM = re.compile(
    rf"^(?:FY(?P<fy>{_D}{{4}})|(?P<y>{_D}{{4}})(?:(?P<q>Q[1-4])|(?P<h>H[12])"
    rf"|-(?P<m>{_D}{{2}})(?:-(?P<d>{_D}{{2}}))?)?)$"
)


class PeriodError(ValueError):
    """A period that cannot be read; the message says what is wrong."""


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _atom(text: str) -> tuple[date, date]:
    m = _ATOM.match(text)
    if not m:
        raise PeriodError(
            f"{text!r} is not a period (expected e.g. 2025Q3, 2025H1, FY2025, 2025-09, 2025-11-27)"
        )
    year = int(m["fy"] or m["y"])
    if year < 1900 or year > 2200:
        raise PeriodError(f"{text!r}: year {year} out of range 1900..2200")
    if m["q"]:
        q = int(m["q"][1])
        return date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
    if m["h"]:
        h = int(m["h"][1])
        return date(year, 6 * h - 5, 1), _month_end(year, 6 * h)
    if m["m"]:
        month = int(m["m"])
        if not 1 <= month <= 12:
            raise PeriodError(f"{text!r}: month {month} out of range")
        if m["d"]:
            try:
                day = date(year, month, int(m["d"]))
            except ValueError as exc:
                raise PeriodError(f"{text!r}: {exc}") from None
            return day, day
        return date(year, month, 1), _month_end(year, month)
    return date(year, 1, 1), date(year, 12, 31)


def parse_period(value: object) -> Period:
    """Parse a period written as text, or a date YAML already turned into one."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return Period(value.isoformat(), value, value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # an unquoted year
    if not isinstance(value, str):
        raise PeriodError(f"expected a period string, got {type(value).__name__}")
    text = value.strip()
    if ".." in text:
        left, _, right = text.partition("..")
        start, _ = _atom(left.strip())
        _, end = _atom(right.strip())
        if start > end:
            raise PeriodError(f"{text!r}: span starts after it ends")
        return Period(text, start, end)
    start, end = _atom(text)
    return Period(text, start, end)


# How long a period is, by calendar: a month-aligned period of 1, 3, 6 or 12 months, a single
# day, or any other span. Charts put each on its own band; trends compare one granularity.
GRANULARITIES = ("day", "month", "quarter", "half-year", "year", "span")
_BY_MONTHS = {1: "month", 3: "quarter", 6: "half-year", 12: "year"}


def granularity(period: Period) -> str:
    start, end = period.start, period.end
    if start == end:
        return "day"
    if start.day != 1 or end != _month_end(end.year, end.month):
        return "span"
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return _BY_MONTHS.get(months, "span")
