"""Dates (9月23日, 4月初, 2024下半年) and ranks (第二名): their own small grammars."""

from __future__ import annotations

import calendar
import re
from datetime import date

from factledger.model import Interval
from factledger.quantity.numerals import (
    _CN_DIGITS,
    _alternation,
    _arabic,
    _chinese,
    _Local,
    _words,
)

# --- dates and ranks: their own small grammars ---------------------------------------------------

_DATE_RE = re.compile(
    r"(?:(?P<y>[0-9]{4})年)?(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日號]"
    r"|(?P<iy>[0-9]{4})-(?P<im>[0-9]{1,2})-(?P<id>[0-9]{1,2})"
)


_COARSE_DATE_RE = re.compile(
    r"(?:(?P<y>[0-9]{4})年?)?(?:(?P<m>[0-9]{1,2})月(?P<part>初|上旬|中旬|下旬|底|末)?"
    r"|(?P<half>上半年|下半年)|(?<=年))"
)
_MONTH_PARTS = {None: (1, 31), "初": (1, 10), "上旬": (1, 10), "中旬": (11, 20),
                "下旬": (21, 31), "底": (21, 31), "末": (21, 31)}  # fmt: skip


def _coarse_date(text: str, year: int | None) -> Interval | None:
    """4月, 2024年6月, 4月底, 2025年, 2024下半年 → the days they allow, as ordinals."""
    m = _COARSE_DATE_RE.fullmatch(text)
    if not m or not (m["y"] or m["m"] or m["half"]):
        return None
    y = int(m["y"]) if m["y"] else year
    if y is None or isinstance(y, bool) or not isinstance(y, int):
        raise _Local("a date without a year needs year=")
    try:
        if m["m"]:
            month = int(m["m"])
            last = calendar.monthrange(y, month)[1]
            lo_day, hi_day = _MONTH_PARTS[m["part"]]
            start, end = date(y, month, lo_day), date(y, month, min(hi_day, last))
        elif m["half"]:
            start, end = (
                (date(y, 1, 1), date(y, 6, 30))
                if m["half"] == "上半年"
                else (date(y, 7, 1), date(y, 12, 31))
            )
        else:
            start, end = date(y, 1, 1), date(y, 12, 31)
    except (ValueError, OverflowError) as exc:
        raise _Local(f"not a calendar date ({exc})") from exc
    return Interval(float(start.toordinal()), float(end.toordinal()), unit="date")


def _parse_date(text: str, year: int | None) -> Interval:
    """9月23日 (+ year), 2025年4月15日, 2025-04-15 → the day's ordinal, lo = hi; a month, half
    or year (4月, 4月底, 2024下半年, 2025年) → the range of its days."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        coarse = _coarse_date(text, year)
        if coarse is not None:
            return coarse
        raise _Local("not a date (expected e.g. 9月23日, 2025年4月15日, 4月, 2025年)")
    y = m["y"] or m["iy"]
    if y is None:
        if year is None:
            raise _Local("a date without a year needs year=")
        if isinstance(year, bool) or not isinstance(year, int):
            raise _Local(f"year {year!r} is not an integer")
    try:
        day = date(int(y) if y else year, int(m["m"] or m["im"]), int(m["d"] or m["id"]))  # type: ignore[arg-type]
    except (ValueError, OverflowError) as exc:
        raise _Local(f"not a calendar date ({exc})") from exc
    n = float(day.toordinal())
    return Interval(n, n, unit="date")


_RANK_SCOPES = _words("全球 全國 國內 海外 世界 行業 業內 榜單 排名 位居 位列 名列 分列")
_INT = rf"[0-9]+|[{_CN_DIGITS}十百千]+"
_RANK_RE = re.compile(
    rf"(?:{_alternation(_RANK_SCOPES)})*"
    rf"(?:第(?P<nth>{_INT})|前(?P<top>{_INT})|(?P<bare>{_INT}))(?:名|位|家|代|屆|級|個)?"
)


def _parse_rank(text: str) -> Interval:
    """第二名, 全球第一, 三名 (二、三名 as two facts) → that rank; 前三名 → [1, 3]."""
    m = _RANK_RE.fullmatch(text)
    if not m:
        raise _Local("not a rank (expected e.g. 第一, 第二名, 三名, 全球第一)")
    digits = m["nth"] or m["top"] or m["bare"]
    number = _arabic(digits) if digits[0].isdigit() else _chinese(digits)
    n = number.value
    if n < 1 or n != n.to_integral_value():
        raise _Local("a rank is a whole number from 1")
    if m["top"]:
        return Interval(1.0, float(n), unit="rank", hedge="前")
    return Interval(float(n), float(n), unit="rank")
