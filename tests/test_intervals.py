"""Interval arithmetic: soundness against exact rational arithmetic, edge cases, units."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from factledger import intervals as iv
from factledger.intervals import UnitMismatch
from factledger.model import Interval

INF = math.inf
SETTINGS = settings(max_examples=300, deadline=None)


def contains_exact(interval: Interval, q: Fraction) -> bool:
    """Membership of an exact rational, so float rounding of the test itself cannot hide bugs."""
    lo_ok = (
        interval.lo == -INF
        or q > Fraction(interval.lo)
        or (q == Fraction(interval.lo) and not interval.lo_open)
    )
    hi_ok = (
        interval.hi == INF
        or q < Fraction(interval.hi)
        or (q == Fraction(interval.hi) and not interval.hi_open)
    )
    return lo_ok and hi_ok


def no_nan(interval: Interval) -> bool:
    return not (math.isnan(interval.lo) or math.isnan(interval.hi))


# Magnitudes from tiny to huge, plus small integers and zero (where the edge cases are).
finite = st.one_of(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-5, max_value=5).map(float),
    st.floats(min_value=-1e-6, max_value=1e-6, allow_nan=False),
)


@st.composite
def interval_and_point(draw: st.DrawFn, unbounded: bool = True) -> tuple[Interval, Fraction]:
    """A nonempty interval (open/closed ends, optionally unbounded) and an exact point in it."""
    a, b = sorted([draw(finite), draw(finite)])
    lo_open, hi_open = draw(st.booleans()), draw(st.booleans())
    if a == b:
        lo_open = hi_open = False
    lo = -INF if unbounded and draw(st.integers(0, 5)) == 0 else a
    hi = INF if unbounded and draw(st.integers(0, 5)) == 0 else b
    interval = Interval(lo, hi, lo_open, hi_open)
    t = Fraction(draw(st.integers(0, 1000)), 1000)
    candidates = [Fraction(a) + t * (Fraction(b) - Fraction(a)), Fraction(a), Fraction(b)]
    candidates += [Fraction(a) - 7, Fraction(b) + 7]  # reachable only through an unbounded end
    inside = [c for c in candidates if contains_exact(interval, c)]
    assume(inside)
    return interval, draw(st.sampled_from(inside))


BINARY: dict[str, tuple[Callable[[Interval, Interval], Interval], Callable]] = {
    "add": (iv.add, lambda x, y: x + y),
    "sub": (iv.sub, lambda x, y: x - y),
    "mul": (iv.mul, lambda x, y: x * y),
    "div": (iv.div, lambda x, y: x / y),
    "hull": (iv.hull, lambda x, y: x),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(left=interval_and_point(), right=interval_and_point())
def test_binary_operators_are_sound(
    name: str, left: tuple[Interval, Fraction], right: tuple[Interval, Fraction]
) -> None:
    (a, x), (b, y) = left, right
    op, exact = BINARY[name]
    assume(not (name == "div" and y == 0))  # x / 0 is undefined, nothing to contain
    result = op(a, b)
    assert no_nan(result)
    assert contains_exact(result, exact(x, y)), (a, b, x, y, result)


@SETTINGS
@given(left=interval_and_point(unbounded=False), right=interval_and_point(unbounded=False))
def test_finite_operators_are_sound_and_finite(
    left: tuple[Interval, Fraction], right: tuple[Interval, Fraction]
) -> None:
    (a, x), (b, y) = left, right
    for name in ("add", "sub", "mul"):
        op, exact = BINARY[name]
        result = op(a, b)
        assert contains_exact(result, exact(x, y))
        assert not math.isinf(result.lo) and not math.isinf(result.hi)


@SETTINGS
@given(pair=interval_and_point(), k=finite)
def test_unary_operators_are_sound(pair: tuple[Interval, Fraction], k: float) -> None:
    a, x = pair
    assert contains_exact(iv.neg(a), -x)
    assert contains_exact(iv.scale(a, k), x * Fraction(k))
    assert contains_exact(iv.widen(a, 0.02), x)
    assert no_nan(iv.scale(a, k))


@SETTINGS
@given(left=interval_and_point(), right=interval_and_point())
def test_relations_agree_with_points(
    left: tuple[Interval, Fraction], right: tuple[Interval, Fraction]
) -> None:
    """'always' must hold for the drawn points; a true point relation makes 'sometimes' true."""
    (a, x), (b, y) = left, right
    truth = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y}
    for op, holds_here in truth.items():
        always, sometimes = iv.relation(a, op, b)
        if always:
            assert holds_here, (op, a, b, x, y)
        if holds_here:
            assert sometimes, (op, a, b, x, y)


# --- the example and exactness ------------------------------------------------------


def test_hedged_sum_is_exactly_open_at_the_total() -> None:
    above = [Interval(v, INF, True, True, "CNY") for v in (1.5e8, 2.5e8, 3e8)]
    total = iv.add(iv.add(above[0], above[1]), above[2])
    assert total == Interval(7e8, INF, True, True, "CNY")
    assert total.lo_open and not total.contains(7e8) and total.contains(7e8 + 1)


def test_inexact_ends_round_outward_and_close() -> None:
    result = iv.add(iv.point(0.1), iv.point(0.2))
    exact = Fraction(0.1) + Fraction(0.2)
    assert contains_exact(result, exact)
    assert Fraction(result.lo) < exact < Fraction(result.hi)
    assert not result.lo_open and not result.hi_open


def test_overflow_goes_to_infinity_not_nan() -> None:
    big = iv.point(sys.float_info.max)
    total = iv.add(big, big)
    assert total.hi == INF and total.lo == sys.float_info.max


def test_exact_quotients_stay_exact() -> None:
    assert iv.div(iv.point(1e9), iv.point(2e9)) == iv.point(0.5)
    assert iv.div(iv.point(1), iv.point(3)) != iv.point(1 / 3)  # widened: 1/3 is not a float


# --- infinities and zero --------------------------------------------------------------------


def test_zero_times_infinity_is_zero_for_ends() -> None:
    assert iv.mul(Interval(0, 1), Interval(1, INF)) == Interval(0, INF, False, True)
    # 0 is not attained when the zero end is open
    assert iv.mul(Interval(0, 1, True, False), Interval(1, INF)) == Interval(0, INF, True, True)
    # 0 is attained by the closed zero end, whatever the other factor's ends are
    assert iv.mul(Interval(0, 1), Interval(1, 2, True, True)).lo_open is False


def test_product_of_unbounded_intervals() -> None:
    assert iv.mul(Interval(-INF, 0, True, True), Interval(0, INF, True, True)) == Interval(
        -INF, 0, True, True
    )
    assert iv.mul(Interval(-1, 1), iv.entire()) == iv.entire()


@pytest.mark.parametrize(
    ("divisor", "expected"),
    [
        (Interval(-1, 1), Interval(-INF, INF, True, True)),  # 0 strictly inside
        (Interval(0, 0), Interval(-INF, INF, True, True)),  # only 0
        (Interval(0, 1), Interval(1, INF, False, True)),  # 0 a closed end: a half-line
        (Interval(0, 1, True, False), Interval(1, INF, False, True)),
        (Interval(0, 2, True, True), Interval(0.5, INF, True, True)),
        (Interval(-1, 0), Interval(-INF, -1, True, False)),
        (Interval(2, INF), Interval(0, 0.5, True, False)),
        (Interval(-INF, -2), Interval(-0.5, 0, False, True)),
    ],
)
def test_division_by_intervals_touching_zero(divisor: Interval, expected: Interval) -> None:
    assert iv.div(Interval(1, 1), divisor) == expected


def test_division_never_raises_and_zero_over_anything_nonzero_is_zero() -> None:
    assert iv.div(iv.point(0), Interval(-1, 1)) == iv.point(0)
    assert iv.div(Interval(-1, 1), Interval(0, 0)) == iv.entire()
    assert iv.div(iv.entire(), iv.entire()) == iv.entire()


def test_empty_operands_give_empty_results() -> None:
    assert iv.add(iv.empty(), iv.point(1)).is_empty
    assert iv.mul(iv.point(1), iv.empty()).is_empty
    assert iv.hull(iv.empty(), iv.point(1)) == iv.point(1)


# --- units ----------------------------------------------------------------------------------


def test_add_needs_equal_units_and_names_both() -> None:
    with pytest.raises(UnitMismatch) as exc:
        iv.add(iv.point(1, "CNY"), iv.point(1, "USD"))
    assert "CNY" in str(exc.value) and "USD" in str(exc.value)
    with pytest.raises(UnitMismatch):
        iv.sub(iv.point(1, "%"), iv.point(1, "count"))


def test_bare_number_adopts_the_other_unit() -> None:
    assert iv.add(iv.point(1, "CNY"), iv.point(2)).unit == "CNY"
    assert iv.hull(iv.point(1), iv.point(2, "%")).unit == "%"


@pytest.mark.parametrize(
    ("a", "b", "op", "expected"),
    [
        # percent points are numbers as written: a share is applied with / 100
        (iv.point(30, "%"), iv.point(1e9, "CNY"), iv.mul, iv.point(3e10, "CNY")),
        (iv.point(2, "x"), iv.point(1e8, "CNY"), iv.mul, iv.point(2e8, "CNY")),
        (iv.point(50, "%"), iv.point(50, "%"), iv.mul, iv.point(2500, "%")),
        (iv.point(2, "x"), iv.point(30, "%"), iv.mul, iv.point(60, "%")),
        (iv.point(50, "%"), iv.point(1e8, "count"), iv.mul, iv.point(5e9, "count")),
        (iv.point(3, ""), iv.point(1e8, "CNY"), iv.mul, iv.point(3e8, "CNY")),
        (iv.point(1e9, "CNY"), iv.point(2e9, "CNY"), iv.div, iv.point(0.5, "")),
        (iv.point(30, "%"), iv.point(60, "%"), iv.div, iv.point(0.5, "")),
        (iv.point(1e9, "CNY"), iv.point(2, "x"), iv.div, iv.point(5e8, "CNY")),
        (iv.point(1e8, "CNY"), iv.point(50, "%"), iv.div, iv.point(2e6, "CNY")),
        (iv.point(7e8, "CNY"), iv.point(1e8, "USD"), iv.div, iv.point(7, "CNY/USD")),
        (iv.point(1e8, "CNY"), iv.point(2, "count"), iv.div, iv.point(5e7, "CNY")),
        (iv.point(1, ""), iv.point(4, "CNY"), iv.div, iv.point(0.25, "1/CNY")),
        (iv.point(2, "CNY"), iv.point(3, "USD"), iv.mul, iv.point(6, "CNY*USD")),
        (
            iv.point(739400, "date"),
            iv.point(739356, "date"),
            iv.sub,
            iv.point(44 * 1440, "minutes"),
        ),
        (
            iv.point(739356, "date"),
            iv.point(44 * 1440, "minutes"),
            iv.add,
            iv.point(739400, "date"),
        ),
        (iv.point(739356, "date"), iv.point(44, "days"), iv.add, iv.point(739400, "date")),
        (iv.point(739400, "date"), iv.point(44, "days"), iv.sub, iv.point(739356, "date")),
    ],
)
def test_unit_algebra(a: Interval, b: Interval, op: Callable, expected: Interval) -> None:
    assert op(a, b) == expected


def test_comparison_units_must_agree() -> None:
    with pytest.raises(UnitMismatch):
        iv.relation(iv.point(1, "CNY"), "<", iv.point(1, "USD"))


# --- relations and ~ ------------------------------------------------------------------------


def test_relation_with_open_touching_ends() -> None:
    below = Interval(0, 1, False, True)
    above = Interval(1, 2)
    assert iv.relation(below, "<", above) == (True, True)
    assert iv.relation(Interval(0, 1), "<", above) == (False, True)
    assert iv.relation(above, "<", Interval(0, 1)) == (False, False)
    assert iv.relation(Interval(0, 1), "<=", Interval(1, 2)) == (True, True)
    assert iv.relation(iv.point(1), "==", iv.point(1)) == (True, True)


def test_approx_uses_the_relative_band() -> None:
    holds, possible, diff, eps = iv.approx(iv.point(102), iv.point(100), 0.02)
    assert (holds, possible) == (True, True) and eps == pytest.approx(2.04)
    holds, possible, _, _ = iv.approx(iv.point(110), iv.point(100), 0.02)
    assert (holds, possible) == (False, False)
    holds, possible, diff, _ = iv.approx(
        Interval(7e8, INF, True, True), Interval(7e8, INF, True, True), 0
    )
    assert (holds, possible) == (False, True) and diff == iv.entire()
