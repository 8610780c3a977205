"""Sound interval arithmetic over :class:`factledger.model.Interval`.

Every operator returns an interval that contains every real result of the operator applied to
points of its operands: ``x ∈ a, y ∈ b ⇒ x ∘ y ∈ a ∘ b``. Three things make that hold on floats:

* Finite ends are combined exactly (:class:`fractions.Fraction`) and rounded *outward* to floats;
  when the rounding was inexact the float end is made closed, because it now lies strictly outside
  the exact bound and including it costs nothing. The exact ends are kept beside the floats
  (``Interval.exact``) and every comparison uses them, so two intervals that touched before an
  operation (precision intervals of 12.4 and 12.5: [12.35, 12.45) and [12.45, 12.55)) still touch
  after the same conversion or division, and do not overlap. Exact results stay exact, so
  ``(1.5e8, ∞) + (2.5e8, ∞) + (3e8, ∞)`` is exactly ``(7e8, ∞)``, open at 7e8.
* Infinite ends follow the extended-real rules with ``0 · ∞ = 0`` for ends (the product of a
  zero end with an unbounded end is the zero that the zero end attains), so no NaN ever appears.
* Division by an interval that contains 0 strictly inside, or is exactly {0}, gives
  ``(−∞, ∞)``; when 0 is only an end, it gives the correct half-line. It never raises.

Units (the algebra the rule language relies on). Values are numbers *as written*: 30 % is the
number 30 (percent points), as ``share()`` and ``growth()`` return them, so a share is applied
as ``revenue * share / 100`` — the way curators write formulas.

* ``""`` is a bare number (a literal written in a rule). In ``+``, ``−``, comparisons and
  :func:`hull` it takes the other operand's unit (``> 7億`` against CNY); in ``×`` and ``÷`` it
  scales the other operand without changing its unit.
* ``%``, ``x`` and ``count`` are *unitless-compatible*: in ``×`` and ``÷`` they act as plain
  numbers and the other operand keeps its unit (10億 CNY × 30 % / 100 = 3億 CNY;
  10億 CNY / 2 x = 5億 CNY; revenue / users = CNY per user, labelled CNY).
* Two unitless-compatible factors give the one of higher rank, count > % > x
  (7億 count × 30 % / 100 = 2.1億 count; 2 x × 30 % = 60 %).
* A unit divided by the same unit is ``""`` (CNY / CNY, % / %): a plain ratio.
* ``date`` values are day numbers: date − date is a duration in ``minutes`` (the
  canonical duration unit); date ± days or minutes is a ``date``.
* Anything else is a compound unit written ``a*b`` or ``a/b`` (CNY / USD is an exchange rate);
  compound units are not simplified further.
* ``+`` and ``−`` otherwise need equal units and raise :class:`UnitMismatch` naming both.
"""

from __future__ import annotations

import functools
import math
import sys
from fractions import Fraction

from factledger.model import Interval

INF = math.inf
_MAX = sys.float_info.max

# Units that multiply and divide as plain numbers, ranked for the unit of their product.
UNITLESS_COMPATIBLE = {"x": 1, "%": 2, "count": 3}
DATE, DAYS, MINUTES = "date", "days", "minutes"
MINUTES_PER_DAY = 1440

# An end value: exact finite Fraction, or ±inf.
End = Fraction | float


class UnitMismatch(ValueError):
    """Two operands whose units cannot be combined by the operator."""

    def __init__(self, op: str, left: str, right: str) -> None:
        self.op = op
        self.left = left
        self.right = right
        super().__init__(
            f"cannot {op} {left or 'a bare number'} and {right or 'a bare number'}: units differ"
        )


# --- construction -------------------------------------------------------------------------


def point(x: float, unit: str = "") -> Interval:
    """The closed interval [x, x]."""
    return Interval(float(x), float(x), unit=unit)


def entire(unit: str = "") -> Interval:
    """(−∞, ∞): nothing is known."""
    return Interval(-INF, INF, True, True, unit)


def empty(unit: str = "") -> Interval:
    """The empty set (lo > hi)."""
    return Interval(INF, -INF, True, True, unit)


def with_unit(iv: Interval, unit: str) -> Interval:
    """The same set of values labelled with another unit (keeps the hedge and exact ends)."""
    return Interval(iv.lo, iv.hi, iv.lo_open, iv.hi_open, unit, iv.hedge, iv.exact)


# --- exact ends and outward rounding --------------------------------------------------------


def _exact(x: float | Fraction) -> End:
    if isinstance(x, float):
        return x if math.isinf(x) else _fraction_of(x)
    return Fraction(x)


@functools.lru_cache(maxsize=65536)
def _fraction_of(x: float) -> Fraction:
    """A finite float's exact value. Cached: the same values recur across a corpus's rules, and
    building a Fraction is most of an interval operation's cost."""
    return Fraction(x)


def _is(f: float, value: Fraction) -> bool:
    """Whether the finite float ``f`` is exactly ``value`` (both sides in lowest terms, so the
    pairs compare without building a Fraction)."""
    return f.as_integer_ratio() == (value.numerator, value.denominator)


def _ends(a: Interval) -> tuple[tuple[End, bool], tuple[End, bool]]:
    """Both ends of ``a``, exact, with their openness."""
    (lo, lo_open), (hi, hi_open) = a.low, a.high
    return (_exact(lo), lo_open), (_exact(hi), hi_open)


def _round(value: End, *, down: bool, open_: bool) -> tuple[float, bool]:
    """Round an exact end outward to a float; an inexact rounding closes the end."""
    if isinstance(value, float):  # ±inf: always open
        return value, True
    try:
        f = float(value)  # int/int true division: correctly rounded to nearest
    except OverflowError:
        f = INF if value > 0 else -INF
    if math.isinf(f):
        # Beyond the float range: the lower end of a huge positive value is the largest float
        # (closed, strictly below the exact value); the upper end is unbounded.
        if down and f > 0:
            return _MAX, False
        if not down and f < 0:
            return -_MAX, False
        return f, True
    if _is(f, value):
        return f, open_
    exact_f = _fraction_of(f)
    if down and exact_f > value:
        f = math.nextafter(f, -INF)
    elif not down and exact_f < value:
        f = math.nextafter(f, INF)
    return f, False


def _make(lo: End, lo_open: bool, hi: End, hi_open: bool, unit: str) -> Interval:
    lo_f, lo_o = _round(lo, down=True, open_=lo_open)
    hi_f, hi_o = _round(hi, down=False, open_=hi_open)
    inexact = any(
        not isinstance(end, float) and (math.isinf(f) or not _is(f, end))
        for end, f in ((lo, lo_f), (hi, hi_f))
    )
    exact = (lo, lo_open, hi, hi_open) if inexact else None
    return Interval(lo_f, hi_f, lo_o, hi_o, unit, exact=exact)


def _add_end(a: End, b: End) -> End:
    # Never called with opposite infinities: a lo end is never +inf of a nonempty interval.
    if isinstance(a, float):
        return a
    if isinstance(b, float):
        return b
    return a + b


def _mul_end(a: End, b: End) -> End:
    """Product of two ends with 0 · ∞ = 0 (the zero end attains 0 whatever the other is)."""
    if a == 0 or b == 0:
        return Fraction(0)
    if isinstance(a, float) or isinstance(b, float):
        return INF if (a > 0) == (b > 0) else -INF
    return a * b


# --- units ----------------------------------------------------------------------------------


def common_unit(op: str, a: str, b: str) -> str:
    """The unit of ``a op b`` for +, −, comparisons and hulls: equal, or a bare number adopts."""
    if a == b or not b:
        return a
    if not a:
        return b
    raise UnitMismatch(op, a, b)


def sum_unit(a: str, b: str) -> str:
    """Unit of a + b."""
    if {a, b} == {DATE, DAYS}:
        return DATE  # a date moved by a number of days
    return common_unit("add", a, b)


def difference_unit(a: str, b: str) -> str:
    """Unit of a − b."""
    if a == b == DATE:
        return DAYS
    if (a, b) == (DATE, DAYS):
        return DATE
    return common_unit("subtract", a, b)


def product_unit(a: str, b: str) -> str:
    """Unit of a × b (see the module docstring)."""
    if not a or not b:
        return a or b
    if a in UNITLESS_COMPATIBLE and b in UNITLESS_COMPATIBLE:
        return a if UNITLESS_COMPATIBLE[a] >= UNITLESS_COMPATIBLE[b] else b
    if a in UNITLESS_COMPATIBLE:
        return b
    if b in UNITLESS_COMPATIBLE:
        return a
    return f"{a}*{b}"


def quotient_unit(a: str, b: str) -> str:
    """Unit of a ÷ b (see the module docstring)."""
    if not b or (b in UNITLESS_COMPATIBLE and a != b):
        return a  # a plain-number divisor: the numerator keeps its unit
    if a == b:
        return ""
    return f"1/{b}" if not a else f"{a}/{b}"


# --- operators ------------------------------------------------------------------------------


def neg(a: Interval) -> Interval:
    """−a (exact)."""
    if a.is_empty:
        return empty(a.unit)
    exact = None
    if a.exact is not None:
        lo, lo_open, hi, hi_open = a.exact
        exact = (-hi, hi_open, -lo, lo_open)
    return Interval(-a.hi, -a.lo, a.hi_open, a.lo_open, a.unit, exact=exact)


def add(a: Interval, b: Interval) -> Interval:
    """a + b; units must agree (a date may move by days or minutes)."""
    if DATE in (a.unit, b.unit):
        a, b = _minutes_as_days(a), _minutes_as_days(b)
    unit = sum_unit(a.unit, b.unit)
    if a.is_empty or b.is_empty:
        return empty(unit)
    (a_lo, a_lo_open), (a_hi, a_hi_open) = _ends(a)
    (b_lo, b_lo_open), (b_hi, b_hi_open) = _ends(b)
    lo = _add_end(a_lo, b_lo)
    hi = _add_end(a_hi, b_hi)
    return _make(lo, a_lo_open or b_lo_open, hi, a_hi_open or b_hi_open, unit)


def _days_as_minutes(a: Interval) -> Interval:
    """Durations are compared in minutes (the quantity parser's canonical duration unit)."""
    return with_unit(scale(with_unit(a, ""), MINUTES_PER_DAY), MINUTES) if a.unit == DAYS else a


def _minutes_as_days(a: Interval) -> Interval:
    if a.unit != MINUTES:
        return a
    return with_unit(div(with_unit(a, ""), point(MINUTES_PER_DAY)), DAYS)


def sub(a: Interval, b: Interval) -> Interval:
    """a − b; units must agree (date − date is a duration in minutes; date − minutes a date)."""
    if a.unit == DATE:
        b = _minutes_as_days(b)
    unit = difference_unit(a.unit, b.unit)
    return _days_as_minutes(with_unit(add(with_unit(a, ""), with_unit(neg(b), "")), unit))


def _mul_raw(a: Interval, b: Interval, unit: str) -> Interval:
    """The product set of a and b (numbers only), labelled ``unit``."""
    if a.is_empty or b.is_empty:
        return empty(unit)
    a_ends, b_ends = _ends(a), _ends(b)
    corners: list[tuple[End, bool]] = []
    for p, p_open in a_ends:
        for q, q_open in b_ends:
            value = _mul_end(p, q)
            # A corner value is attained when both ends are attained, or when a closed zero end
            # makes the product 0 whatever the other factor is.
            attained = (not p_open and not q_open) or (p == 0 and not p_open)
            attained = attained or (q == 0 and not q_open)
            corners.append((value, attained))
    return _from_corners(corners, unit)


def _from_corners(corners: list[tuple[End, bool]], unit: str) -> Interval:
    """The interval spanned by corner values; an end is attained if any corner attaining it is."""
    lo = min(v for v, _ in corners)
    hi = max(v for v, _ in corners)
    lo_open = not any(at for v, at in corners if v == lo)
    hi_open = not any(at for v, at in corners if v == hi)
    return _make(lo, lo_open, hi, hi_open, unit)


def mul(a: Interval, b: Interval) -> Interval:
    """a × b; units combine as described in the module docstring."""
    return _mul_raw(a, b, product_unit(a.unit, b.unit))


def _reciprocal(b: Interval) -> Interval:
    """{1/y : y ∈ b, y ≠ 0}, as one interval (the hull when it is two half-lines)."""
    if b.is_empty:
        return empty(b.unit)
    (lo, lo_open), (hi, hi_open) = _ends(b)
    if lo < 0 < hi or (lo == 0 and hi == 0):
        return entire(b.unit)
    if lo == 0:  # (0 or [0, hi]: only positive divisors count
        return _make(_inv_end(hi), hi_open, INF, True, b.unit)
    if hi == 0:  # [lo, 0) or [lo, 0]
        return _make(-INF, True, _inv_end(lo), lo_open, b.unit)
    return _make(_inv_end(hi), hi_open, _inv_end(lo), lo_open, b.unit)


def _inv_end(x: End) -> End:
    # 1/±∞ = 0; that end is open because ±∞ is never attained, which the caller's flag says.
    if isinstance(x, float):
        return Fraction(0)
    return 1 / x


def div(a: Interval, b: Interval) -> Interval:
    """a ÷ b. A divisor containing 0 gives (−∞, ∞), or a half-line when 0 is one of its ends."""
    unit = quotient_unit(a.unit, b.unit)
    if a.is_empty or b.is_empty:
        return empty(unit)
    (a_lo, _), (a_hi, _) = _ends(a)
    (b_lo, _), (b_hi, _) = _ends(b)
    if b_lo == 0 and b_hi == 0:
        # no nonzero divisor at all: 0/0 is undefined, never 0 (which would make 0/0 == 0 hold)
        return entire(unit)
    if a_lo == 0 and a_hi == 0:
        return point(0.0, unit)  # 0 / y = 0 for every nonzero y
    away_from_zero = b_lo > 0 or b_hi < 0
    if away_from_zero and not (math.isinf(b.lo) or math.isinf(b.hi)):
        return _div_raw(a, b, unit)  # exact corners
    # 0 or ±∞ at an end: through the reciprocal, whose ends need the half-line rules
    return _mul_raw(a, _reciprocal(b), unit)


def _div_raw(a: Interval, b: Interval, unit: str) -> Interval:
    """a / b for a finite divisor away from 0: exact corner quotients (1e9 / 2e9 is 0.5)."""
    corners: list[tuple[End, bool]] = []
    for p, p_open in _ends(a):
        for q, q_open in _ends(b):
            if isinstance(p, float):  # ±inf / nonzero finite
                value: End = p if q > 0 else -p
            else:
                value = p / q
            attained = (not p_open and not q_open) or (p == 0 and not p_open)
            corners.append((value, attained))
    return _from_corners(corners, unit)


def scale(a: Interval, k: float, unit: str | None = None) -> Interval:
    """k · a, optionally relabelled (share/growth use ``scale(q, 100, "%")``)."""
    result = _mul_raw(a, point(k), a.unit)
    return result if unit is None else with_unit(result, unit)


def hull(a: Interval, b: Interval) -> Interval:
    """The smallest interval containing both."""
    unit = common_unit("combine", a.unit, b.unit)
    if a.is_empty:
        return with_unit(b, unit)
    if b.is_empty:
        return with_unit(a, unit)
    (a_lo, a_lo_open), (a_hi, a_hi_open) = _ends(a)
    (b_lo, b_lo_open), (b_hi, b_hi_open) = _ends(b)
    mine_lo = a_lo < b_lo or (a_lo == b_lo and not a_lo_open)
    mine_hi = a_hi > b_hi or (a_hi == b_hi and not a_hi_open)
    lo, lo_open = (a_lo, a_lo_open) if mine_lo else (b_lo, b_lo_open)
    hi, hi_open = (a_hi, a_hi_open) if mine_hi else (b_hi, b_hi_open)
    return _make(lo, lo_open, hi, hi_open, unit)


def intersection(a: Interval, b: Interval) -> Interval:
    """a ∩ b with unit checking (model.Interval.intersect does not check units)."""
    unit = common_unit("intersect", a.unit, b.unit)
    return with_unit(a.intersect(b), unit)


def widen(a: Interval, relative: float) -> Interval:
    """a with each end moved outward by ``relative`` × its magnitude (sound outward rounding)."""
    r = Fraction(relative)
    (lo, lo_open), (hi, hi_open) = _ends(a)
    lo_w = lo if isinstance(lo, float) else lo - abs(lo) * r
    hi_w = hi if isinstance(hi, float) else hi + abs(hi) * r
    return _make(lo_w, lo_open, hi_w, hi_open, a.unit)


def is_subset(inner: Interval, outer: Interval) -> bool:
    """Every value of ``inner`` lies in ``outer``."""
    if inner.is_empty:
        return True
    (i_lo, i_lo_open), (i_hi, i_hi_open) = inner.low, inner.high
    (o_lo, o_lo_open), (o_hi, o_hi_open) = outer.low, outer.high
    lo_ok = i_lo > o_lo or (i_lo == o_lo and (i_lo_open or not o_lo_open))
    hi_ok = i_hi < o_hi or (i_hi == o_hi and (i_hi_open or not o_hi_open))
    return lo_ok and hi_ok


def magnitude(a: Interval) -> float:
    """The largest finite |end| (0 when no end is finite)."""
    ends = [abs(x) for x in (a.lo, a.hi) if not math.isinf(x)]
    return max(ends, default=0.0)


# --- comparisons ----------------------------------------------------------------------------


def _lt(a: Interval, b: Interval) -> tuple[bool, bool]:
    """(every x < y, some x < y) for x ∈ a, y ∈ b."""
    (a_lo, _), (a_hi, a_hi_open) = a.low, a.high
    (b_lo, b_lo_open), (b_hi, _) = b.low, b.high
    always = a_hi < b_lo or (a_hi == b_lo and (a_hi_open or b_lo_open))
    sometimes = a_lo < b_hi
    return always, sometimes


def _le(a: Interval, b: Interval) -> tuple[bool, bool]:
    (a_lo, a_lo_open), (a_hi, _) = a.low, a.high
    (b_lo, _), (b_hi, b_hi_open) = b.low, b.high
    always = a_hi <= b_lo
    sometimes = a_lo < b_hi or (a_lo == b_hi and not a_lo_open and not b_hi_open)
    return always, sometimes


def _eq(a: Interval, b: Interval) -> tuple[bool, bool]:
    always = a.is_point and b.is_point and a.low[0] == b.low[0]
    return always, a.overlaps(b)


def relation(a: Interval, op: str, b: Interval) -> tuple[bool, bool]:
    """For ``op`` in < <= > >= ==: (true for every pair of values, true for some pair)."""
    common_unit("compare", a.unit, b.unit)
    if a.is_empty or b.is_empty:
        return False, False
    if op == "<":
        return _lt(a, b)
    if op == "<=":
        return _le(a, b)
    if op == ">":
        return _lt(b, a)
    if op == ">=":
        return _le(b, a)
    if op == "==":
        return _eq(a, b)
    raise ValueError(f"unknown comparison {op!r}")


def approx(a: Interval, b: Interval, tolerance: float) -> tuple[bool, bool, Interval, float]:
    """a ~ b: D = a − b against [−ε, ε], ε = tolerance × the largest finite magnitude of either.

    Returns (D ⊆ [−ε, ε], D overlaps [−ε, ε], D, ε).
    """
    d = sub(a, b)
    eps = tolerance * max(magnitude(a), magnitude(b))
    band = Interval(-eps, eps, unit=d.unit)
    return is_subset(d, band), d.overlaps(band), d, eps
