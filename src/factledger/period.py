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


# --- period mentions: the text a fact's period_text may be ----------------------------------------
# A small grammar of the ways a text names a period or a date (docs/fact-format.md, "period_text"):
# a calendar expression — a year, then optionally a part of it — or a relative span, then
# optionally a word for what happened in it (財報, 電話會, 期間). Quantities (2.45億, 300萬人) are
# not periods: every branch ends in a calendar word, a quarter/half label or a 4-digit year.
_YEAR = r"(?:(?:19|20)[0-9]{2}年?度?|[今去前明本當同]年度?)"
_YEAR_PART = r"(?:全年|年初|年中|年底|年末|年內|[上下]半年度?|H[12])"
_QUARTER = (
    r"(?:Q[1-4]|第?[一二三四1-4]季度?|前[一二三1-3]季度?|[一二三四1-4]季報|半年報|年報"
    r"|[本上下當同]季度?)"
)
_MONTH = r"(?:(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?|[本上下當同]個?月)"
_DAY = r"(?:(?:3[01]|[12][0-9]|0?[1-9])[日號]|雙(?:11|12|十一|十二))"
_DAY_PART = r"(?:初|中|底|末|上旬|中旬|下旬)"
_DATE = rf"(?:{_MONTH}{_DAY}?{_DAY_PART}?|{_DAY})"
_CALENDAR = rf"(?:{_YEAR}(?:{_YEAR_PART}|{_QUARTER}|{_DATE})?|{_YEAR_PART}|{_QUARTER}|{_DATE})"
_COUNT = r"(?:[0-9]{1,3}|[一二兩三四五六七八九十]{1,3}|半|幾|數)"
_SPAN = r"(?:年|個?季度|個?月|周|週|星期|天|日|個?交易日)"
_RELATIVE = (
    rf"(?:(?:過去|最近|近|隨後|未來|此前|之前|前|後){_COUNT}{_SPAN}(?:前|後|內|來|以來)?"
    rf"|{_COUNT}{_SPAN}(?:前|後|內|以來))"
)
_EVENT = r"(?:期間|以來|財報|業績|電話會)"
PERIOD_MENTION = re.compile(rf"(?:{_CALENDAR}|{_RELATIVE}){_EVENT}?")


def is_period_mention(text: str) -> bool:
    """Whether ``text`` (folded: NFKC, no whitespace) is a mention a period can be read from:
    ``Q3``, ``2025Q3``, ``第三季``, ``前三季度``, ``上半年``, ``2025年``, ``今年4月15日``,
    ``2025年2月底``, ``2024年雙11``, ``一個月前``, ``過去一年``, ``第三季電話會``; not a
    quantity such as ``2.45億``."""
    return PERIOD_MENTION.fullmatch(text) is not None
