"""Written precision: a number stands for the values that round half up to it, [v − h, v + h);
touching intervals do not overlap, so a difference in the last written digit is a disagreement —
in conflicts, in every rule comparison and after an exchange-rate conversion or a division."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from factledger import intervals, table
from factledger.checks.conflicts import check as conflicts
from factledger.checks.rules import evaluate
from factledger.checks.rules.evaluation import FactIndex
from factledger.expression import parse_assertion
from factledger.load.rules import Rule
from factledger.model import Fact, Metric
from factledger.period import parse_period
from factledger.quantity import parse_quantity

METRICS = {
    "revenue": Metric("revenue", "money", "CNY", True, "revenue"),
    "growth": Metric("growth", "growth", "%", True, "revenue growth"),
    "margin_change": Metric("margin_change", "share-change", "pp", True, "margin change"),
}


def fact(fid: str, value: str, metric: str = "revenue", source: str | None = None) -> Fact:
    dimension = METRICS[metric].dimension
    written = Fact(
        id=fid, source=source or fid, entity="co", metric=metric,
        period=parse_period("2025Q1"), value=value, kind="actual", quote=value,
        stated=parse_period("2025-05-20"), file=f"facts/{fid}.yaml", line=1,
        interval=parse_quantity(value, dimension=dimension),
    )  # fmt: skip
    (canonical,), problems = table.canonicalize([written], METRICS)
    assert not problems
    return canonical


def verdict(*facts: Fact) -> str:
    results, _, _ = conflicts(list(facts), METRICS)
    (r,) = results
    return r.verdict


@pytest.mark.parametrize(
    ("values", "metric", "expected"),
    [
        (("71.25億", "71.3億", "71億"), "revenue", "agree"),
        (("2.084億", "2.08億"), "revenue", "agree"),
        (("29.9億", "30億"), "revenue", "agree"),
        (("增長12.4%", "增長12.5%"), "growth", "conflict"),
        (("上升1.1個百分點", "上升1.2個百分點"), "margin_change", "conflict"),
        (("下降0.5個百分點", "下降0.6個百分點"), "margin_change", "conflict"),
        (("1.4億美元", "1.5億美元"), "revenue", "conflict"),  # touching after conversion too
        (("1.4億美元", "1.4億美元"), "revenue", "agree"),
    ],
)
def test_last_digit_disagreements_between_outlets(
    values: tuple[str, ...], metric: str, expected: str
) -> None:
    facts = [fact(f"s{i}", v, metric) for i, v in enumerate(values)]
    assert verdict(*facts) == expected
    if expected == "agree":  # pairwise, not just all together
        for a, b in itertools.combinations(facts, 2):
            assert a.canonical.overlaps(b.canonical), (a.value, b.value)


def test_touching_ends_survive_conversion_and_division() -> None:
    """The same rate or divisor applied to two touching values: the floats are rounded outward
    (sound), the exact ends still touch, so the values still disagree."""
    a = parse_quantity("1.4億美元", dimension="money")
    b = parse_quantity("1.5億美元", dimension="money")
    rate = intervals.point(7.1302)  # an exchange rate with an inexact binary product
    for op, k in ((intervals.mul, rate), (intervals.div, intervals.point(3.0))):
        ca, cb = op(a, k), op(b, k)
        assert ca.hi >= cb.lo  # the rounded floats alone would overlap …
        assert ca.high[0] == cb.low[0] and ca.high[1] and not cb.low[1]
        assert not ca.overlaps(cb)  # … the exact ends do not
        assert intervals.hull(ca, cb).contains(float(ca.high[0]))


def test_two_usd_figures_are_compared_in_usd() -> None:
    """Conversion with the rate's ±2 % would make 1.4億美元 and 1.5億美元 overlap in CNY."""
    a, b = fact("a", "1.4億美元"), fact("b", "1.5億美元")
    assert a.canonical.unit == "CNY" and a.canonical.overlaps(b.canonical)
    assert verdict(a, b) == "conflict"
    rule = Rule("r", "t", "error", "{a} == {b}", parse_assertion("{a} == {b}"), "r.yaml", 1)
    assert evaluate(rule, FactIndex([a, b])).verdict == "violated"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{a} == {b}", "violated"),
        ("{a} ~ {b}", "violated"),
        ("{a} < {b}", "holds"),
        ("{a} <= {b}", "holds"),
        ("{b} <= {a}", "violated"),
        ("{a} == {a2}", "possible"),
    ],
)
def test_rule_comparisons_follow_the_same_rule(expression: str, expected: str) -> None:
    facts = [fact("a", "增長12.4%", "growth"), fact("b", "增長12.5%", "growth"),
             fact("a2", "增長12.4%", "growth", source="other")]  # fmt: skip
    rule = Rule("r", "test", "error", expression, parse_assertion(expression), "r.yaml", 1)
    assert evaluate(rule, FactIndex(facts)).verdict == expected


def test_agreeing_duplicates_intersect_with_open_ends() -> None:
    a, b = fact("a", "71.25億"), fact("b", "71.3億")
    both = a.canonical.intersect(b.canonical)
    assert (both.lo, both.hi, both.lo_open, both.hi_open) == (7.125e9, 7.1255e9, False, True)


@pytest.mark.parametrize(
    ("written", "dimension", "lo", "hi", "lo_open", "hi_open", "unit"),
    [
        ("12.4%", "growth", 12.35, 12.45, False, True, "%"),
        ("下降3.4%", "growth", -3.45, -3.35, True, False, "%"),  # a decline mirrors the ends
        ("上升1.1個百分點", "share-change", 1.05, 1.15, False, True, "pp"),
        ("下降0.5個百分點", "share-change", -0.55, -0.45, True, False, "pp"),
        ("1.2pp", "share-change", 1.15, 1.25, False, True, "pp"),
        ("0.3ppt", "share-change", 0.25, 0.35, False, True, "pp"),
        ("翻倍", "growth", 50, 150, False, True, "%"),  # ×2: a whole multiple to its last digit
        ("翻番", "growth", 50, 150, False, True, "%"),
        ("翻了一番", "growth", 50, 150, False, True, "%"),
        ("翻兩番", "growth", 250, 350, False, True, "%"),  # ×4
        ("增長一倍", "growth", 50, 150, False, True, "%"),  # N = 1: only the ×2 reading
        ("增長超過一倍", "growth", 100, float("inf"), True, True, "%"),
        ("一倍以上", "growth", 100, float("inf"), False, True, "%"),
        ("增長超過兩倍", "growth", 100, float("inf"), True, True, "%"),  # N ≥ 2: still ambiguous
        ("翻了3倍", "growth", 200, 300, False, False, "%"),
        ("兆", "money", 1e12, 1e13, False, True, "CNY"),  # 兆的GMV: the trillion scale
        ("千億級", "money", 1e11, 1e12, False, True, "CNY"),
        ("百億級", "money", 1e10, 1e11, False, True, "CNY"),
        ("2700億", "money", 2.6995e11, 2.7005e11, False, True, "CNY"),
        ("約50億元", "money", 4.75e9, 5.25e9, False, False, "CNY"),  # hedges keep their reading
    ],
)
def test_golden_readings(
    written: str, dimension: str, lo: float, hi: float, lo_open: bool, hi_open: bool, unit: str
) -> None:
    got = parse_quantity(written, dimension=dimension)
    assert (got.lo, got.hi, got.lo_open, got.hi_open, got.unit) == pytest.approx(
        (lo, hi, lo_open, hi_open, unit)
    )


def test_a_pp_change_is_not_a_score() -> None:
    """百分點 is one unit: its 分 is never read as points."""
    with pytest.raises(ValueError, match="does not fit dimension score"):
        parse_quantity("1.1個百分點", dimension="score")


def test_value_dates_for_fx_are_the_facts() -> None:
    assert fact("a", "1.4億美元").value_date == date(2025, 3, 31)
