"""Periods as date ranges: ``2025Q3``, ``2025H1``, ``FY2025``, ``2025-09``, ``2025-11-27``,
``A..B``.

``2025Q1`` and ``2025-01..2025-03`` parse to the same range, so facts written either way compare
equal. Strings in, :class:`Period` or :class:`PeriodError` out; no files, no line numbers.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
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
_YEAR_PART = r"(?:全年|年初|年中|年底|年末|年內|[上下]半年度?|H[12]|同期)"
# 一季報 before 一季: a search must take the whole word (the mention finder counts 一季報 whole)
_QUARTER = (
    r"(?:Q[1-4]|[一二三四1-4]季報|半年報|年報|第?[一二三四1-4]季度?|前[一二三1-3]季度?"
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


def period_mentions(folded: str) -> list[tuple[int, int]]:
    """Where the folded ``folded`` names a period (:func:`is_period_mention`), leftmost-longest
    and in order. Left out: a match that would cut a number (2月 in 12月, 3年 in 2023年), and a
    bare four-digit "year" the number goes on after (2000億, 2000多部, 2025.5)."""
    from factledger.mentions import cuts_none, mentions_of
    from factledger.quantity import unit_word_end

    numbers = mentions_of(folded)
    found = []
    for m in PERIOD_MENTION.finditer(folded):
        start, end = m.start(), m.end()
        if end == start or not cuts_none(numbers, start, end):
            continue
        if (
            m.group(0).isdigit()
            and end < len(folded)
            and (folded[end] in _NUMBER_GOES_ON or unit_word_end(folded, end) > end)
        ):
            continue
        found.append((start, end))
    return found


_NUMBER_GOES_ON = frozenset("十百千萬億兆多餘.,%")


# --- reading a period mention --------------------------------------------------------------------
# What `factledger suggest` proposes as a fact's period: the mention read against the source's
# publication date (今年, 上個月, a quarter without a year) and, for 同期, the period the sentence
# is about. A mention it cannot place (隨後4個交易日, 一個月後: relative to an event) reads as None.
_CN_SMALL = {
    "一": 1,
    "二": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_RELATIVE_YEARS = {"今": 0, "本": 0, "去": -1, "前": -2, "明": 1}
_READ_YEAR = re.compile(r"^(?:(?P<y>(?:19|20)[0-9]{2})年?度?|(?P<r>[今去前明本當同])年度?)")
_READ_EVENT = re.compile(rf"{_EVENT}$")
_READ_QUARTER = re.compile(
    r"^(?:Q(?P<q>[1-4])|第?(?P<cq>[一二三四1-4])季度?|(?P<rq>[一二三四1-4])季報"
    r"|前(?P<upto>[一二三1-3])季度?|(?P<h>半年報)|(?P<fy>年報))$"
)
_READ_HALF = re.compile(r"^(?:(?P<half>[上下])半年度?|H(?P<hn>[12]))$")
_READ_DATE = re.compile(
    r"^(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?"
    r"(?:(?P<day>3[01]|[12][0-9]|0?[1-9])[日號])?(?P<part>初|中|底|末|上旬|中旬|下旬)?$"
)
_READ_DOUBLE = re.compile(r"^雙(?P<which>11|12|十一|十二)$")
_READ_RELATIVE_MONTH = re.compile(r"^(?P<which>[本上下當同])個?月$")
_READ_AGO = re.compile(r"^(?P<n>[0-9]{1,3}|[一二兩三四五六七八九十]{1,3}|半)(?P<unit>年|個?月)前$")
_READ_PAST = re.compile(
    r"^(?:過去|最近|近)(?P<n>[0-9]{1,3}|[一二兩三四五六七八九十]{1,3})年(?:來|以來)?$"
)
# 年初, 年中 and 年內 name a time, not a span a figure is about (年初目標: the target set then;
# 年內高點: the year's high so far).
_YEAR_PARTS = {"全年": (1, 12), "年底": (12, 12), "年末": (12, 12)}


def _small_number(text: str) -> int | None:
    """1..999 written in digits or in simple Chinese numerals (三, 十二, 二十)."""
    if text.isdigit():
        return int(text)
    if text in _CN_SMALL:
        return _CN_SMALL[text]
    tens, _, units = text.partition("十")
    if "十" not in text or len(text) > 3:
        return None
    high = _CN_SMALL.get(tens, 0) if tens else 1
    low = _CN_SMALL.get(units, 0) if units else 0
    return (
        high * 10 + low
        if (not tens or tens in _CN_SMALL) and (not units or units in _CN_SMALL)
        else None
    )


def _months_back(day: date, n: int) -> tuple[int, int]:
    total = day.year * 12 + day.month - 1 - n
    return total // 12, total % 12 + 1


def _latest(make: Callable[[int], Period], published: Period) -> Period:
    """The period ``make(year)`` of the publication year, or of the year before when it would
    not have begun by publication: a bare Q4 in an article of March 2025 is 2024Q4."""
    this = make(published.start.year)
    return this if this.start <= published.end else make(published.start.year - 1)


def read_period_mention(
    text: str, published: Period, *, year: int | None = None, base: Period | None = None
) -> Period | None:
    """The period the folded mention ``text`` names (as :func:`is_period_mention` reads them),
    or None when it cannot be placed. ``published`` resolves 今年, 上個月, 兩個月前 and a
    part of a year written without one (the latest that had begun by publication); ``year`` is a
    year the context gave (2025年, ... 一季度); ``base`` the period 同期 refers to (the sentence's
    own: 去年同期 is the same period a year before it)."""
    if not is_period_mention(text):
        return None
    rest = _READ_EVENT.sub("", text) or text  # 2025Q3財報 → 2025Q3; 以來 alone stays
    explicit: int | None = None
    if m := _READ_YEAR.match(rest):
        if m["y"]:
            explicit = int(m["y"])
        elif m["r"] in _RELATIVE_YEARS:
            explicit = published.start.year + _RELATIVE_YEARS[m["r"]]
        else:  # 當年, 同年: the year the context is about
            explicit = year if year is not None else (base.start.year if base else None)
            if explicit is None:
                return None
        rest = rest[m.end() :]
    y = explicit if explicit is not None else year

    def at(make: Callable[[int], str]) -> Period:
        if y is not None:
            return parse_period(make(y))
        return _latest(lambda yy: parse_period(make(yy)), published)

    if rest in ("", "全年", "年度"):
        if explicit is None and rest == "":
            return None
        return at(lambda yy: f"FY{yy}")
    if rest in _YEAR_PARTS:
        first, last = _YEAR_PARTS[rest]
        return at(lambda yy: f"{yy}-{first:02d}" if first == last else f"FY{yy}")
    if rest == "同期":
        if base is None:
            return None
        shift = explicit - base.start.year if explicit is not None else 0
        try:
            return parse_period(_shifted(base, shift))
        except (PeriodError, ValueError):
            return None
    if m := _READ_HALF.match(rest):
        h = 1 if (m["half"] == "上" or m["hn"] == "1") else 2
        return at(lambda yy: f"{yy}H{h}")
    if m := _READ_QUARTER.match(rest):
        if m["h"]:
            return at(lambda yy: f"{yy}H1")
        if m["fy"]:
            return at(lambda yy: f"FY{yy}")
        if m["upto"]:
            n = _small_number(m["upto"]) or 1
            return at(lambda yy: f"{yy}Q1..{yy}Q{n}" if n > 1 else f"{yy}Q1")
        q = int(m["q"]) if m["q"] else _small_number(m["cq"] or m["rq"]) or 1
        return at(lambda yy: f"{yy}Q{q}")
    if m := _READ_DATE.match(rest):
        month = _small_number(m["month"]) or 1
        if m["day"]:
            day = int(m["day"])
            try:
                return at(lambda yy: date(yy, month, day).isoformat())
            except ValueError:
                return None
        return at(lambda yy: f"{yy}-{month:02d}")
    if m := _READ_DOUBLE.match(rest):  # 雙11, 雙十二: the shopping festival's day
        month = 11 if m["which"] in ("11", "十一") else 12
        return at(lambda yy: date(yy, month, month).isoformat())
    if m := _READ_RELATIVE_MONTH.match(rest):
        shift = {"本": 0, "當": 0, "上": 1, "下": -1}.get(m["which"])
        if shift is None or explicit is not None:
            return None
        yy, mm = _months_back(published.start, shift)
        return parse_period(f"{yy}-{mm:02d}")
    if explicit is None and (m := _READ_AGO.match(rest)):
        n = _small_number(m["n"]) if m["n"] != "半" else None
        if m["unit"] == "年":
            return parse_period(f"FY{published.start.year - n}") if n else None
        yy, mm = _months_back(published.start, n if n is not None else 0)
        return parse_period(f"{yy}-{mm:02d}") if n else None
    if explicit is None and (m := _READ_PAST.match(rest)):
        n = _small_number(m["n"])
        if not n:
            return None
        last = published.start.year - 1
        return parse_period(f"FY{last - n + 1}" if n == 1 else f"FY{last - n + 1}..FY{last}")
    return None


def _shifted(period: Period, years: int) -> str:
    """``period`` moved by whole years, in its standard spelling (2025Q1, 1 year back → 2024Q1)."""
    from factledger.formatting import period_label

    def move(day: date, end: bool) -> date:
        if end and day.month == 2 and day.day >= 28:  # the end of February moves to its end
            return date(day.year + years, 2, calendar.monthrange(day.year + years, 2)[1])
        return day.replace(year=day.year + years)

    return period_label(move(period.start, False), move(period.end, True))
