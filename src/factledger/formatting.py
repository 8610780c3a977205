"""Numbers, intervals and periods written for people — the one place that does it.

Numbers are written the way the corpus writes them (億 and 萬 for money and counts, 第n for
ranks, ISO days for dates) so that a reviewer can hold a figure against its quote. Every face —
rule and conflict messages, the CLI, the page, ClaimReview — calls these functions.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from factledger.model import MYRIAD_UNITS, Interval, Period

# The suffix a number carries in each canonical unit, as the articles write it.
UNIT_SUFFIX = {
    "CNY": "元",
    "USD": "美元",
    "HKD": "港元",
    "EUR": "歐元",
    "count": "",
    "%": "%",
    "pp": "個百分點",
    "x": "倍",
    "points": "分",
    "credits": "靈感值",
    "minutes": "分鐘",
}
_MYRIADS = ((1e8, "億"), (1e4, "萬"))


def _plain(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}"


def unit_suffix(unit: str) -> str:
    """元, 美元/月, %, … for a canonical unit; an unknown unit is written after a space."""
    base, _, per = unit.partition("/")
    suffix = UNIT_SUFFIX.get(base, f" {base}" if base else "")
    if per:
        suffix += "/" + {"month": "月", "day": "日", "year": "年", "quarter": "季"}.get(per, per)
    return suffix


def number(x: float | None, unit: str = "", *, suffix: bool = True) -> str:
    """One number in ``unit``: 7億元, 958.9萬, 12.4%, 第2, 2025-09-23; ``?`` when unknown."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "?"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if unit == "date":  # dates are day ordinals, so interval arithmetic works on them
        try:
            return date.fromordinal(round(x)).isoformat()
        except (ValueError, OverflowError):
            return _plain(x)
    if unit == "rank":
        return f"第{_plain(x)}"
    end = unit_suffix(unit) if suffix else ""
    if unit.partition("/")[0] in MYRIAD_UNITS:
        for scale, word in _MYRIADS:
            if abs(x) >= scale:
                # 4 decimals of 億 is 1萬: finer than any figure the press writes
                return f"{round(x / scale, 4):.4f}".rstrip("0").rstrip(".") + word + end
    return _plain(round(x, 6)) + end


def interval(iv: Interval | None) -> str:
    """``[1.45億元, 1.55億元]``, ``(1.5億元, ∞)``; a single value is just the value."""
    if iv is None:
        return "?"
    if iv.is_empty:
        return "∅"
    if math.isinf(iv.lo) and math.isinf(iv.hi):
        return "any value"
    if iv.is_point:
        return number(iv.lo, iv.unit)
    if iv.unit == "date" and not (iv.lo_open or iv.hi_open):
        return f"{number(iv.lo, 'date')}..{number(iv.hi, 'date')}"  # how periods are written
    left = "(" if iv.lo_open else "["
    right = ")" if iv.hi_open else "]"
    return f"{left}{number(iv.lo, iv.unit)}, {number(iv.hi, iv.unit)}{right}"


def interval_words(iv: Interval | None) -> str:
    """Half-bounded intervals in words (``more than 7億元``, ``at most 1%``), others as brackets."""
    if iv is None:
        return "?"
    lo_inf, hi_inf = math.isinf(iv.lo), math.isinf(iv.hi)
    if hi_inf and not lo_inf:
        return f"{'more than' if iv.lo_open else 'at least'} {number(iv.lo, iv.unit)}"
    if lo_inf and not hi_inf:
        return f"{'less than' if iv.hi_open else 'at most'} {number(iv.hi, iv.unit)}"
    return interval(iv)


def interval_from_json(data: dict[str, Any] | None) -> Interval | None:
    """The report document's interval (null for an unbounded end) back as an Interval."""
    if not data:
        return None
    lo, hi = data.get("lo"), data.get("hi")
    return Interval(
        -math.inf if lo is None else lo,
        math.inf if hi is None else hi,
        bool(data.get("lo_open")),
        bool(data.get("hi_open")),
        data.get("unit") or "",
    )


# --- periods --------------------------------------------------------------------------------------


def _month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def period_label(start: date | Period, end: date | None = None) -> str:
    """A period in its shortest standard spelling, computed from the dates alone, so that a
    result id does not depend on how a curator wrote it (2025-01..2025-03 → 2025Q1). The label
    parses back to the same dates."""
    if isinstance(start, Period):
        start, end = start.start, start.end
    assert end is not None
    s, e = start, end

    def atoms(months: int) -> tuple[str, str] | None:
        if s.day != 1 or (s.month - 1) % months or e != _month_end(e) or e.month % months:
            return None
        if months == 12:
            return f"FY{s.year}", f"FY{e.year}"
        if months == 6:
            return f"{s.year}H{(s.month + 5) // 6}", f"{e.year}H{e.month // 6}"
        if months == 3:
            return f"{s.year}Q{(s.month + 2) // 3}", f"{e.year}Q{e.month // 3}"
        return f"{s:%Y-%m}", f"{e:%Y-%m}"

    for months in (12, 6, 3, 1):
        pair = atoms(months)
        if pair:
            a, b = pair
            return a if a == b else f"{a}..{b}"
    return s.isoformat() if s == e else f"{s.isoformat()}..{e.isoformat()}"


def period_as_written(p: Period) -> str:
    """How the curator wrote it, with the dates when the text alone does not show them."""
    span = p.start.isoformat() if p.start == p.end else f"{p.start}..{p.end}"
    return p.text if p.text == span else f"{p.text} ({span})"


def qualifiers(q: dict[str, str] | tuple[tuple[str, str], ...] | None) -> str:
    items = q.items() if isinstance(q, dict) else (q or ())
    return ", ".join(f"{k}={v}" for k, v in sorted(items))


def where(file: str | None, line: int | None) -> str:
    if not file:
        return ""
    return file if line is None else f"{file}:{line}"


# --- text from the corpus, shown to people ------------------------------------------------------

# Characters a reader must see rather than have obeyed: C0 controls but tab and newline (a CR is
# shown unless it ends a CRLF line: alone it returns the cursor and can overwrite a CI log line),
# DEL and the C1 controls (ESC and CSI sequences rewrite or hide terminal lines; XML 1.0 cannot
# hold them), invisible direction and zero-width controls (Trojan Source reordering), the
# noncharacters U+FFFE/U+FFFF and lone surrogates (invalid in XML and in UTF-8).
CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e"
    "\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]|\r(?!\n)"
)


def control_name(ch: str) -> str:
    """``U+001B`` for a control character: how every face writes one."""
    return f"U+{ord(ch):04X}"


def visible_controls(value: object) -> str:
    """``value`` as text with every control of :data:`CONTROLS` written ``[U+001B]``: the one
    escaping used by every text output (CLI, JUnit, pytest failures, diff, SVG tooltips); the
    HTML page marks the same characters with :func:`control_name` in a styled span."""
    text = str(value)
    return CONTROLS.sub(lambda m: f"[{control_name(m.group())}]", text)


# --- a value as the press writes it (the inverse of the quantity parser) ------------------------

# The unit written_value writes per dimension (parse_quantity reads it back).
_FORMAT_UNITS = {
    "money": "元",
    "count": "",
    "share": "%",
    "growth": "%",
    "ratio": "倍",
    "score": "分",
    "credits": "靈感值",
    "duration": "分鐘",
    "price-per-period": "元/月",
    "money-per-day": "元",
}


def written_value(x: float, decimals: int, *, dimension: str, scale: str = "") -> str:
    """Write ``x`` (in the dimension's canonical unit) the way the press would, rounded half up
    to ``decimals`` places of ``scale`` (萬, 億, ...): written_value(1.5e8, 1, dimension="money",
    scale="億") == "1.5億元". A negative growth is written 下降….%. parse_quantity reads the text
    back to the interval of width 10^-decimals·scale around the written number, which holds x."""
    # the parser's own tables, so that what is written here is what it reads back
    from factledger.quantity.grammar import _check_dimension
    from factledger.quantity.numerals import _ONE, _PRECISION, _SCALES, QuantityError

    _check_dimension(dimension)
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        raise QuantityError(f"cannot format {x!r}: not a finite number")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 20:
        raise QuantityError(f"cannot format {x!r}: decimals {decimals!r} is not in 0..20")
    if scale and scale not in _SCALES:
        raise QuantityError(f"cannot format {x!r}: unknown scale {scale!r}")
    if dimension in ("date", "rank"):
        if decimals or scale or x != int(x) or x < 1:
            raise QuantityError(f"cannot format {x!r} as a {dimension}: a whole number from 1")
        if dimension == "rank":
            return f"第{int(x)}"
        try:
            day = date.fromordinal(int(x))
        except (ValueError, OverflowError) as exc:
            raise QuantityError(f"cannot format {x!r} as a date: {exc}") from None
        return f"{day.year}年{day.month}月{day.day}日"
    if x < 0 and dimension != "growth":
        raise QuantityError(f"cannot format {x!r}: {dimension} is not negative")
    try:
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            # the shortest decimal that is x (repr), as written: 1.15 rounds half up to 1.2,
            # not down as its binary value 1.1499… would
            exact = Decimal(x if isinstance(x, int) else repr(x))
            q = (abs(exact) / (_SCALES[scale] if scale else _ONE)).quantize(
                Decimal(1).scaleb(-decimals), ROUND_HALF_UP
            )
    except InvalidOperation:
        raise QuantityError(f"cannot format {x!r}: too large") from None
    text = f"{q:f}{scale}{_FORMAT_UNITS[dimension]}"
    return f"下降{text}" if x < 0 else text
