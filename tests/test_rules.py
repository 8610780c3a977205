"""Rule files, the expression language and the evaluator."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factledger.checks import CheckContext
from factledger.checks.rules import CHECK, evaluate
from factledger.checks.rules.evaluation import FactIndex
from factledger.expression import (
    BinOp,
    Call,
    Compare,
    ExprError,
    IdRef,
    Neg,
    Num,
    Ref,
    Str,
    Trend,
    parse_assertion,
    parse_expression,
    to_text,
)
from factledger.formatting import interval as format_interval
from factledger.load.rules import Rule, derived_rules, load_rule_text, load_rules
from factledger.model import PASSING_VERDICTS, Fact, Interval
from factledger.period import parse_period

INF = math.inf
SETTINGS = settings(max_examples=300, deadline=None)
ENTITIES = {"kling", "kuaishou", "baidu-steam-engine"}
METRICS = {"revenue", "mau", "price_change", "revenue_share"}


def above(x: float, unit: str = "CNY") -> Interval:
    return Interval(x, INF, True, True, unit)


def exactly(x: float, unit: str = "CNY") -> Interval:
    return Interval(x, x, unit=unit)


def fact(
    fid: str,
    period: str,
    interval: Interval | None,
    *,
    entity: str = "kling",
    metric: str = "revenue",
    kind: str = "actual",
    source: str = "dongcaidi",
    qualifiers: tuple[tuple[str, str], ...] = (),
    stated: str = "2025-11-27",
    formula: str | None = None,
    value: str | None = None,
    line: int = 5,
) -> Fact:
    return Fact(
        id=fid,
        source=source,
        entity=entity,
        metric=metric,
        period=parse_period(period),
        value=value or (format_interval(interval) if interval else "?"),
        kind=kind,
        quote=f"quote of {fid}",
        stated=parse_period(stated),
        file=f"facts/{source}.yaml",
        line=line,
        qualifiers=qualifiers,
        interval=interval,
        canonical=interval,
        formula=formula,
        field_lines={"formula": line + 3},
    )


def rule(expression: str, tolerance: float = 0.0, rid: str = "r") -> Rule:
    return Rule(
        rid, "test rule", "error", expression, parse_assertion(expression), "x.yaml", 3, tolerance
    )


def check(expression: str, facts: list[Fact], tolerance: float = 0.0):
    return evaluate(rule(expression, tolerance), FactIndex(facts))


QUARTERS = [
    fact("dcd-q1", "2025Q1", above(1.5e8), value="超過1.5億元"),
    fact("dcd-q2", "2025Q2", above(2.5e8), value="2.5億元"),
    fact("dcd-q3", "2025Q3", above(3e8), value="3億元"),
    fact("dcd-9m", "2025Q1..2025Q3", above(7e8), kind="derived", value="超過7億元"),
]
NINE_MONTHS = (
    "kling.revenue@2025Q1 + kling.revenue@2025Q2 + kling.revenue@2025Q3 ~ "
    "kling.revenue@2025Q1..2025Q3"
)


# --- parser ---------------------------------------------------------------------------------


def test_parses_references_filters_ids_and_functions() -> None:
    tree = parse_assertion(
        "kling.price_change@2025-05[model=kling-2.1-hq, basis=kling-2.0-master] < -10"
    )
    assert isinstance(tree, Compare) and isinstance(tree.left, Ref)
    assert tree.left.filters == (("model", "kling-2.1-hq"), ("basis", "kling-2.0-master"))
    assert tree.left.period.key == "2025-05-01..2025-05-31"
    assert tree.right == Neg(Num(10.0))
    tree = parse_assertion(
        '{dcd-q1} + baidu-steam-engine.price_change@FY2025 ~ fx({x}, "USD", "CNY")'
    )
    assert isinstance(tree, Compare) and isinstance(tree.left, BinOp)
    assert tree.left.left == IdRef("dcd-q1")
    assert tree.left.right.entity == "baidu-steam-engine"  # type: ignore[union-attr]
    assert tree.right == Call("fx", (IdRef("x"), Str("USD"), Str("CNY")))
    assert parse_assertion("kling.revenue@FY2025[kind=guidance] > 7億").right == Num(7e8)  # type: ignore[union-attr]
    assert parse_assertion("increasing(kuaishou.mau@2024Q4..2025Q3)") == Trend(
        "increasing", Ref("kuaishou", "mau", parse_period("2024Q4..2025Q3"))
    )


def test_precedence_and_associativity() -> None:
    tree = parse_expression("1 - 2 - 3 * 4 / 5")
    assert to_text(tree) == "1 - 2 - 3 * 4 / 5"
    assert tree == BinOp(
        "-", BinOp("-", Num(1), Num(2)), BinOp("/", BinOp("*", Num(3), Num(4)), Num(5))
    )
    assert to_text(parse_expression("1 - (2 - 3)")) == "1 - (2 - 3)"
    assert to_text(parse_expression("-(1 + 2) * 3")) == "-(1 + 2) * 3"


def test_subtraction_right_after_a_period_is_still_subtraction() -> None:
    tree = parse_expression("kling.revenue@2025Q2-kling.revenue@2025Q1")
    assert isinstance(tree, BinOp) and tree.op == "-"


@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        ("(kling.revenue@2025Q1 + 1)) < 2", "unexpected ')'", 27),
        ("kling.revenue@2025Q1 + ", "unexpected end of expression", 24),
        ("kling.revenue@2025Q1", "an assertion needs one comparison", 21),
        ("kling.revenue@2025Q1 > ", "unexpected end of expression", 24),
        ("foo(1) < 2", "unknown function 'foo'", 1),
        ("kling.revenue@2025Q5 < 1", "bad period", 15),
        ("kling.revenue < 1", "needs a period", 1),
        ("1 < 2 < 3", "only one comparison", 7),
        ("1 < 2 ~ 3", "only one comparison", 7),
        ("(1 < 2)", "unexpected '<'", 4),
        ('"USD" < 1', "strings are only allowed as fx() currencies", 1),
        ("fx(1, USD, CNY) < 1", "unexpected 'USD'", 7),
        ('fx(1, "usd", "CNY") < 1', "quoted codes", 7),
        ("share(1) < 1", "share() takes 2 arguments", 1),
        ("sum() < 1", "one or more", 1),
        ("increasing(kuaishou.mau@2025) < 1", "whole assertion", 31),
        ("1 + increasing(kuaishou.mau@2025) < 1", "whole assertion", 5),
        ("kling.revenue@2025Q1[kind=guess] > 0", "unknown kind 'guess'", 22),
        ("kling.revenue@2025Q1[segment] > 0", "bad filter 'segment'", 22),
        ("kling.revenue@2025Q1[a=b > 0", "unclosed '['", 21),
        ("{bad id} > 0", "unterminated '{'", 1),
        ("{} > 0", "bad fact id ''", 1),
        ("1 # 2 < 3", "unexpected '#'", 3),
        ("1e999 < 1", "too large", 1),
        ("(" * 100 + "1" + ")" * 100 + " < 1", "nested more than", 65),
    ],
)
def test_syntax_errors_are_located(text: str, reason: str, column: int) -> None:
    with pytest.raises(ExprError) as exc:
        parse_assertion(text)
    assert reason in str(exc.value)
    assert exc.value.column == column, str(exc.value)
    assert str(exc.value).endswith(f"at column {column}")


# generated expressions round-trip through the printer
periods = st.sampled_from(
    [
        "2025Q1",
        "FY2025",
        "2025",
        "2025-05",
        "2025-11-27",
        "2025H2",
        "2025Q1..2025Q3",
        "2024-06..2025-02",
    ]
)
keys = st.from_regex(r"[a-z][a-z0-9_]{0,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
filter_values = st.from_regex(r"[a-z0-9][a-z0-9.\-]{0,8}", fullmatch=True)
filters = st.lists(
    st.tuples(keys.filter(lambda k: k != "kind"), filter_values),
    max_size=2,
    unique_by=lambda kv: kv[0],
).map(tuple)
refs = st.builds(Ref, keys, keys, periods.map(parse_period), filters)
ids = st.from_regex(r"[a-z0-9][a-z0-9.\-]{0,12}", fullmatch=True).map(IdRef)
numbers = st.floats(min_value=0, max_value=1e300, allow_nan=False).map(Num)


def _compound(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(BinOp, st.sampled_from("+-*/"), children, children),
        st.builds(Neg, children),
        st.lists(children, min_size=1, max_size=3).map(lambda a: Call("sum", tuple(a))),
        st.builds(
            lambda a, b, n: Call(n, (a, b)),
            children,
            children,
            st.sampled_from(["share", "growth"]),
        ),
        st.builds(lambda a: Call("fx", (a, Str("USD"), Str("CNY"))), children),
    )


expressions = st.recursive(st.one_of(refs, ids, numbers), _compound, max_leaves=12)
assertions = st.one_of(
    st.builds(
        Compare, st.sampled_from(["<", "<=", ">", ">=", "==", "~"]), expressions, expressions
    ),
    st.builds(Trend, st.sampled_from(["increasing", "decreasing"]), refs),
)


@SETTINGS
@given(tree=assertions)
def test_printed_assertions_parse_back_to_the_same_tree(tree: Compare | Trend) -> None:
    assert parse_assertion(to_text(tree)) == tree


_PIECES = ["..", "<=", "==", "kling.revenue@", "2025Q1", "億", "fx(", "sum("]
ALPHABET = st.sampled_from([*"abkl.@-_[]{},=()+-*/<>~\"' 0123456789eEQHFY", *_PIECES])


@SETTINGS
@given(text=st.one_of(st.text(max_size=60), st.lists(ALPHABET, max_size=40).map("".join)))
def test_arbitrary_text_raises_only_located_parse_errors(text: str) -> None:
    try:
        tree = parse_assertion(text)
    except ExprError as exc:
        assert 1 <= exc.column <= len(text) + 1
    else:
        assert parse_assertion(to_text(tree)) == tree


@SETTINGS
@given(text=st.text(max_size=200))
def test_arbitrary_rule_files_never_raise(text: str) -> None:
    _, problems = load_rule_text(text, "checks/rules/x.yaml")
    for p in problems:
        assert p.kind == "input" and p.file == "checks/rules/x.yaml"


def test_deeply_chained_expressions_are_refused_not_crashed() -> None:
    with pytest.raises(ExprError, match="more than 200 operations"):
        parse_assertion(" + ".join(["1"] * 5000) + " < 1")


# --- verdicts -------------------------------------------------------------------------------


def test_holds() -> None:
    result = check("kling.revenue@2025Q3 > 2億", QUARTERS)
    assert result.verdict == "holds" and result.passed
    assert "more than 3億元" in result.message


def test_possible_for_the_hedged_nine_month_sum() -> None:
    result = check(NINE_MONTHS, QUARTERS)
    assert result.verdict == "possible"
    assert result.data.to_json()["lhs"] == {
        "lo": 7e8,
        "hi": None,
        "lo_open": True,
        "hi_open": True,
        "unit": "CNY",
    }
    assert result.data.to_json()["rhs"] == result.data.to_json()["lhs"]
    assert "more than 7億元" in result.message
    assert "can agree" in result.message
    assert set(result.fact_ids) == {"dcd-q1", "dcd-q2", "dcd-q3", "dcd-9m"}


def test_violated() -> None:
    result = check("kling.revenue@2025Q1 + kling.revenue@2025Q2 < 4億", QUARTERS)
    assert result.verdict == "violated" and result.is_finding
    assert "no allowed value" in result.message


def test_unresolved_lists_the_missing_reference() -> None:
    result = check("kling.revenue@2025Q4 > 0", QUARTERS)
    assert result.verdict == "unresolved" and result.is_finding
    assert result.data.to_json()["unresolved"] == ["kling.revenue@2025Q4"]
    assert "kling.revenue@2025Q4" in result.message


def test_unit_mismatch_is_an_error_result_not_an_exception() -> None:
    facts = [*QUARTERS, fact("usd", "2025Q4", exactly(1e7, "USD"))]
    result = check("kling.revenue@2025Q3 + kling.revenue@2025Q4 > 0", facts)
    assert result.verdict == "error" and "CNY" in result.message and "USD" in result.message


def test_approx_tolerance_is_relative_to_the_larger_side() -> None:
    facts = [fact("a", "2025Q1", exactly(1.00e8)), fact("b", "2025Q2", exactly(1.05e8))]
    assert check("kling.revenue@2025Q1 ~ kling.revenue@2025Q2", facts, 0.05).verdict == "holds"
    assert check("kling.revenue@2025Q1 ~ kling.revenue@2025Q2", facts, 0.04).verdict == "violated"


def test_result_fields() -> None:
    result = check(NINE_MONTHS, QUARTERS)
    assert result.id == "rule:r" and result.kind == "rule" and result.severity == "error"
    assert (result.file, result.line) == ("x.yaml", 3)
    operand = next(o for o in result.data.to_json()["operands"] if o["fact_id"] == "dcd-q1")
    assert operand == {
        "ref": "kling.revenue@2025Q1",
        "fact_id": "dcd-q1",
        "source": "dongcaidi",
        "quote": "quote of dcd-q1",
        "value": "超過1.5億元",
        "interval": above(1.5e8).to_json(),
        "file": "facts/dongcaidi.yaml",
        "line": 5,
    }
    # the fingerprint follows the facts' values
    again = check(NINE_MONTHS, QUARTERS)
    assert again.fingerprint == result.fingerprint
    changed = [fact("dcd-q1", "2025Q1", above(1.6e8)), *QUARTERS[1:]]
    assert check(NINE_MONTHS, changed).fingerprint != result.fingerprint


# --- matching and multiple sources ----------------------------------------------------------


def test_period_spellings_match_the_same_facts() -> None:
    assert check("kling.revenue@2025-01..2025-03 > 1億", QUARTERS).verdict == "holds"


def test_qualified_facts_stay_out_of_unfiltered_references() -> None:
    facts = [
        fact("total", "2025Q3", exactly(355.54e8)),
        fact("live", "2025Q3", exactly(96e8), qualifiers=(("segment", "live-streaming"),)),
        fact("ads", "2025Q3", exactly(201e8), qualifiers=(("segment", "ads"), ("scope", "global"))),
    ]
    total = check("kling.revenue@2025Q3 ~ 355.54億", facts)
    assert total.verdict == "holds" and total.fact_ids == ("total",)
    live = check("kling.revenue@2025Q3[segment=live-streaming] < kling.revenue@2025Q3", facts)
    assert live.verdict == "holds"
    # a filter need not name every qualifier of the fact
    assert check("kling.revenue@2025Q3[segment=ads] ~ 201億", facts).fact_ids == ("ads",)


def test_hypothetical_facts_only_with_an_explicit_kind_filter() -> None:
    facts = [fact("hyp", "FY2025", exactly(5e6, "count"), metric="mau", kind="hypothetical")]
    assert check("kling.mau@FY2025 > 0", facts).verdict == "unresolved"
    assert check("kling.mau@FY2025[kind=hypothetical] > 0", facts).verdict == "holds"


def test_kind_filter() -> None:
    facts = [
        fact("act", "FY2025", above(7e8)),
        fact("gd", "FY2025", above(10e8), kind="guidance"),
    ]
    result = check("kling.revenue@FY2025[kind=guidance] > 9億", facts)
    assert result.verdict == "holds" and result.fact_ids == ("gd",)


def test_agreeing_sources_take_the_intersection() -> None:
    facts = [
        fact("s1-q1", "2025Q1", Interval(1.4e8, 1.6e8, unit="CNY"), source="s1"),
        fact("s2-q1", "2025Q1", above(1.5e8), source="s2"),
    ]
    result = check("kling.revenue@2025Q1 ~ 1.55億", facts, tolerance=0.05)
    assert result.verdict == "holds"  # the hull [1.4億, ∞) would only be possible
    assert result.data.to_json()["lhs"] == Interval(1.5e8, 1.6e8, True, False, "CNY").to_json()
    assert result.data.to_json()["alternatives"] == []
    assert {o["fact_id"] for o in result.data.to_json()["operands"]} == {"s1-q1", "s2-q1"}


def test_disagreeing_sources_are_checked_one_by_one_and_the_worst_wins() -> None:
    facts = [
        *QUARTERS[1:],
        fact("dcd-q1", "2025Q1", above(1.5e8), source="dongcaidi"),
        fact("ymt-q1", "2025Q1", exactly(1.0e8), source="yunmeiti"),
    ]
    result = check("kling.revenue@2025Q1 + kling.revenue@2025Q2 > 3.8億", facts)
    assert result.verdict == "possible"
    alternatives = {a["fact_id"]: a for a in result.data.to_json()["alternatives"]}
    assert alternatives["dcd-q1"]["verdict"] == "holds"
    assert alternatives["dcd-q1"]["source"] == "dongcaidi"
    assert alternatives["ymt-q1"]["verdict"] == "possible"
    assert alternatives["ymt-q1"]["source"] == "yunmeiti"
    assert alternatives["ymt-q1"]["lhs"] == above(3.5e8).to_json()
    assert "dcd-q1" in result.message and "ymt-q1" in result.message
    assert "disagree" in result.message
    # a violated alternative makes the whole rule violated, though the other source holds
    worst = check("kling.revenue@2025Q1 > 1.2億", facts)
    assert worst.verdict == "violated"
    assert [(a["fact_id"], a["verdict"]) for a in worst.data.to_json()["alternatives"]] == [
        ("dcd-q1", "holds"),
        ("ymt-q1", "violated"),
    ]
    # the combined value of a disagreeing reference is the hull of its sources
    assert worst.data.to_json()["lhs"] == Interval(1e8, INF, False, True, "CNY").to_json()


def test_alternatives_are_linear_in_facts() -> None:
    q1 = [fact(f"a{i}", "2025Q1", exactly(float(i)), source=f"s{i}") for i in range(6)]
    q2 = [fact(f"b{i}", "2025Q2", exactly(float(i)), source=f"s{i}") for i in range(6)]
    result = check("kling.revenue@2025Q1 <= kling.revenue@2025Q2 + 100", q1 + q2)
    assert len(result.data.to_json()["alternatives"]) == 12  # 6 + 6, never 6 × 6
    assert result.verdict == "holds"


def test_the_same_reference_twice_is_one_operand() -> None:
    facts = [
        fact("a", "2025Q1", exactly(1.0), source="s1"),
        fact("b", "2025Q1", exactly(2.0), source="s2"),
    ]
    result = check("kling.revenue@2025Q1 - kling.revenue@2025Q1 == 0", facts)
    assert len(result.data.to_json()["alternatives"]) == 2
    assert result.verdict == "holds"


def test_facts_without_a_parsed_value_do_not_resolve() -> None:
    result = check("kling.revenue@2025Q1 > 0", [fact("x", "2025Q1", None)])
    assert result.verdict == "unresolved" and "no parsed value" in result.message


def test_fact_index_is_keyed_by_date_range() -> None:
    index = FactIndex(QUARTERS)
    assert index.lookup("kling", "revenue", parse_period("2025-01..2025-03")) == [QUARTERS[0]]
    assert index.by_id["dcd-9m"] is QUARTERS[3]
    assert ("kling", "revenue", "2025-01-01..2025-03-31") in index.by_key


# --- functions ------------------------------------------------------------------------------


def test_sum_share_and_growth() -> None:
    facts = [
        fact("k3", "2025Q3", exactly(3e8)),
        fact("ks3", "2025Q3", exactly(355.54e8), entity="kuaishou"),
        fact("k2", "2025Q2", exactly(2.5e8)),
    ]
    assert (
        check("sum(kling.revenue@2025Q3, kling.revenue@2025Q2) ~ 5.5億", facts).verdict == "holds"
    )
    share = check("share(kling.revenue@2025Q3, kuaishou.revenue@2025Q3) < 1", facts)
    assert share.verdict == "holds" and share.data.to_json()["lhs"]["unit"] == "%"
    growth = check("growth(kling.revenue@2025Q3, kling.revenue@2025Q2) ~ 20", facts, 0.001)
    assert growth.verdict == "holds"


def test_share_of_different_units_is_an_error() -> None:
    facts = [
        fact("k", "2025Q3", exactly(3e8)),
        fact("m", "2025Q3", exactly(1e6, "count"), metric="mau"),
    ]
    assert check("share(kling.revenue@2025Q3, kling.mau@2025Q3) < 1", facts).verdict == "error"


def test_fx_inside_a_rule_uses_the_stated_date_of_guidance() -> None:
    facts = [
        fact("gd-usd", "FY2025", exactly(1.4e8, "USD"), kind="guidance", stated="2025-11-19"),
        fact("gd-cny", "FY2025", Interval(9.5e8, 10.5e8, unit="CNY"), kind="guidance", source="s2"),
    ]
    result = check(
        'fx(kling.revenue@FY2025[kind=guidance], "USD", "CNY") ~ 10億', facts, tolerance=0.05
    )
    # the USD fact is converted at ~7.11 (±2 %), the CNY fact is used as written; they agree
    assert result.verdict in PASSING_VERDICTS
    lhs = result.data.to_json()["lhs"]
    assert lhs["unit"] == "CNY" and 9.5e8 <= lhs["lo"] < lhs["hi"] <= 10.5e8
    converted = next(o for o in result.data.to_json()["operands"] if o["fact_id"] == "gd-usd")
    assert converted["interval"]["unit"] == "USD" and converted["converted"]["unit"] == "CNY"


def test_fx_of_an_expression_uses_the_hull_over_its_dates() -> None:
    facts = [
        fact("a", "2025Q1", exactly(1e8, "USD")),
        fact("b", "2025Q3", exactly(1e8, "USD")),
    ]
    result = check(
        'fx(kling.revenue@2025Q1 + kling.revenue@2025Q3, "USD", "CNY") ~ 14.2億', facts, 0.05
    )
    assert result.verdict == "holds"
    assert result.data.to_json()["lhs"]["unit"] == "CNY"


def test_fx_without_a_date_or_out_of_range_is_an_error_result() -> None:
    assert check('fx(1, "USD", "CNY") > 0', QUARTERS).verdict == "error"
    old = [fact("old", "2001Q1", exactly(1e8, "USD"))]
    result = check('fx(kling.revenue@2001Q1, "USD", "CNY") > 0', old)
    assert result.verdict == "error" and "2001-03-31" in result.message


# --- increasing / decreasing ----------------------------------------------------------------


def _mau(fid: str, period: str, lo: float, hi: float) -> Fact:
    return fact(fid, period, Interval(lo, hi, unit="count"), entity="kuaishou", metric="mau")


def test_increasing_with_a_gap_says_so() -> None:
    facts = [
        _mau("m1", "2024Q4", 7.0e8, 7.0e8),
        _mau("m2", "2025Q1", 7.1e8, 7.1e8),
        _mau("m4", "2025Q3", 7.3e8, 7.3e8),
        _mau("month", "2025-09", 7.5e8, 7.5e8),  # another granularity: ignored, and said so
        _mau("other", "2023Q4", 1, 1),  # outside the range
    ]
    result = check("increasing(kuaishou.mau@2024Q4..2025Q3)", facts)
    assert result.verdict == "holds"
    assert "2025Q2" in result.message and "gap" in result.message
    assert result.data.to_json()["gaps"] == ["2025Q2"]
    assert result.data.to_json()["ignored_periods"] == ["2025-09"]
    assert [s["period"] for s in result.data.to_json()["series"]] == ["2024Q4", "2025Q1", "2025Q3"]
    assert "other" not in result.fact_ids


def test_increasing_possible_and_violated() -> None:
    overlapping = [_mau("a", "2025Q1", 1, 3), _mau("b", "2025Q2", 2, 4)]
    assert check("increasing(kuaishou.mau@2025Q1..2025Q2)", overlapping).verdict == "possible"
    # each step is possible alone, but no chain x1 < x2 < x3 exists
    squeezed = [_mau("a", "2025Q1", 5, 5), _mau("b", "2025Q2", 0, 10), _mau("c", "2025Q3", 0, 5)]
    assert check("increasing(kuaishou.mau@2025Q1..2025Q3)", squeezed).verdict == "violated"
    falling = [_mau("a", "2025Q1", 5, 5), _mau("b", "2025Q2", 4, 4)]
    assert check("decreasing(kuaishou.mau@2025Q1..2025Q2)", falling).verdict == "holds"
    assert check("increasing(kuaishou.mau@2025Q1..2025Q2)", falling).verdict == "violated"


def test_increasing_needs_two_periods() -> None:
    result = check("increasing(kuaishou.mau@2025)", [_mau("a", "2025Q1", 5, 5)])
    assert result.verdict == "unresolved" and "at least two" in result.message


# --- rule files -----------------------------------------------------------------------------


def load(text: str, **known: object):
    return load_rule_text(textwrap.dedent(text), "checks/rules/x.yaml", **known)  # type: ignore[arg-type]


GOOD = """\
rules:
  - id: kling-nine-months
    description: The three quarters add up to the nine-month total.
    severity: error
    assert: >-
      kling.revenue@2025Q1 + kling.revenue@2025Q2 + kling.revenue@2025Q3
      ~ kling.revenue@2025Q1..2025Q3
  - id: kling-guidance
    description: Guidance in USD and CNY agree.
    severity: warning
    tolerance: 0.05
    reason: the company's CNY figure is its own rounding of the USD one
    assert: 'fx(kling.revenue@FY2025[kind=guidance], "USD", "CNY") ~ 10億'
"""


def test_loads_rules_with_lines() -> None:
    rules, problems = load(GOOD, entities=ENTITIES, metrics=METRICS)
    assert problems == []
    assert [(r.id, r.line, r.severity, r.tolerance) for r in rules] == [
        ("kling-nine-months", 2, "error", 0.0),
        ("kling-guidance", 8, "warning", 0.05),
    ]
    assert rules[0].expression.startswith("kling.revenue@2025Q1 +")
    result = evaluate(rules[0], FactIndex(QUARTERS))
    assert (
        result.verdict == "possible" and result.file == "checks/rules/x.yaml" and result.line == 2
    )


def extra(*fields: str) -> str:
    """GOOD plus a third rule (its ``- id: z`` on line 14) with the given field lines."""
    return GOOD + "  - id: z\n" + "".join(f"    {f}\n" for f in fields)


RULE_OK = ("description: d", "severity: error")


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("rules:\n  - id: a\n    description: [unclosed\n", 4, "yaml:"),
        (extra(*RULE_OK, "assert: 1 < 2", "owner: me"), 18, "owner: unknown field"),
        (extra(*RULE_OK, "assert: (1 + 2)) < 3"), 17, "assert: unexpected ')' at column 8"),
        (extra(*RULE_OK, "assert: avg(1) < 3"), 17, "assert: unknown function 'avg' (known:"),
        (extra(*RULE_OK, "assert: kling.revenue@2025Q7 < 3"), 17, "assert: bad period"),
        (
            extra(*RULE_OK, "assert: klin.revenue@2025Q1 < 3"),
            17,
            "unknown entity 'klin' at column 1",
        ),
        (
            extra(*RULE_OK, "assert: kling.revenu@2025Q1 < 3"),
            17,
            "unknown metric 'revenu' at column 7",
        ),
        (extra("description: d", "severity: fatal", "assert: 1 < 2"), 16, "'fatal' is not one of"),
        (extra(*RULE_OK, "tolerance: lots", "assert: 1 < 2"), 17, "tolerance:"),
        (extra("description: d", "assert: 1 < 2"), 14, "severity: missing required field"),
        (extra("id: y", *RULE_OK, "assert: 1 < 2"), 15, "id: duplicate key"),
        (GOOD + "  - just text\n", 14, "rules: each rule is a mapping"),
        (GOOD + "extra: 1\n", 14, "extra: unknown top-level field"),
        (extra(*RULE_OK, "assert: |", "  1 <"), 18, "assert: unexpected end"),
    ],
)
def test_malformed_rules_give_located_problems_and_keep_the_good_ones(
    text: str, line: int, expected: str
) -> None:
    rules, problems = load(text, entities=ENTITIES, metrics=METRICS)
    assert len(problems) >= 1, problems
    first = problems[0]
    assert first.kind == "input" and first.severity == "error" and first.verdict == "error"
    assert first.file == "checks/rules/x.yaml" and first.line == line, first.message
    # the location is in file/line only, never repeated in the message or the id
    assert not first.message.startswith("checks/"), first.message
    assert f":{line}" not in first.id, first.id
    assert expected in first.message, first.message
    if "yaml:" not in expected:
        assert [r.id for r in rules][:2] == ["kling-nine-months", "kling-guidance"]


def test_folded_assert_errors_point_at_the_text_line() -> None:
    text = extra(*RULE_OK, "assert: >-", "  kling.revenue@2025Q1", "  < (1")
    rules, problems = load(text)
    assert [r.id for r in rules] == ["kling-nine-months", "kling-guidance"]
    assert problems[0].line == 18 and "unexpected end of expression" in problems[0].message


def test_problem_message_format() -> None:
    text = "rules:\n  - id: a\n    description: d\n    severity: error\n    assert: (1 + 2)) < 3\n"
    _, problems = load(text)
    assert problems[0].message == "assert: unexpected ')' at column 8"
    assert (problems[0].file, problems[0].line) == ("checks/rules/x.yaml", 5)
    assert problems[0].id == "input:checks/rules/x.yaml:a:assert"


def test_load_rules_from_a_directory(tmp_path: Path) -> None:
    rules_dir = tmp_path / "checks" / "rules"
    rules_dir.mkdir(parents=True)
    (rules_dir / "a.yaml").write_text(GOOD, encoding="utf-8")
    body = "    description: d\n    severity: error\n    assert: 1 < 2\n"
    text = f"rules:\n  - id: kling-guidance\n{body}  - id: fine\n{body}"
    (rules_dir / "b.yaml").write_text(text, encoding="utf-8")
    rules, problems = load_rules(rules_dir, root=tmp_path)
    assert [r.id for r in rules] == ["kling-nine-months", "kling-guidance", "fine"]
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line) == ("checks/rules/b.yaml", 2)
    assert problems[0].message.startswith("id: duplicate rule id")
    assert "checks/rules/a.yaml:8" in problems[0].message


def test_unknown_fact_ids_are_located_when_ids_are_known() -> None:
    text = "rules:\n  - id: a\n    description: d\n    severity: error\n    assert: '{nope} > 0'\n"
    _, problems = load(text, fact_ids={"dcd-q1"})
    assert problems[0].message == "assert: unknown fact id 'nope' at column 1"


# --- derived facts --------------------------------------------------------------------------


def test_derived_fact_gets_an_implicit_rule() -> None:
    facts = [
        *QUARTERS[:3],
        fact(
            "dcd-9m",
            "2025Q1..2025Q3",
            above(7e8),
            kind="derived",
            formula="{dcd-q1} + {dcd-q2} + {dcd-q3}",
        ),
    ]
    rules, problems = derived_rules(facts)
    assert problems == []
    (r,) = rules
    assert (r.id, r.severity, r.tolerance, r.file, r.line) == (
        "derived:dcd-9m",
        "error",
        0.0,
        "facts/dongcaidi.yaml",
        5,
    )
    assert r.expression == "{dcd-9m} ~ {dcd-q1} + {dcd-q2} + {dcd-q3}"
    result = evaluate(r, FactIndex(facts))
    assert result.id == "rule:derived:dcd-9m" and result.verdict == "possible"
    assert result.message.startswith("dcd-9m ((7億元, ∞)) is the writer's own computation")
    assert "{dcd-9m} = more than 7億元" in result.message


def test_a_writers_arithmetic_error_surfaces() -> None:
    facts = [
        fact("a", "2025Q1", exactly(1e8)),
        fact("b", "2025Q2", exactly(2e8)),
        fact("tot", "2025H1", exactly(4e8), kind="derived", formula="{a} + {b}"),
        fact(
            "pct",
            "2025H1",
            exactly(50, "%"),
            metric="revenue_share",
            kind="derived",
            formula="share({a}, {tot})",
        ),
    ]
    rules, _ = derived_rules(facts)
    verdicts = {r.id: evaluate(r, FactIndex(facts)).verdict for r in rules}
    assert verdicts == {"derived:tot": "violated", "derived:pct": "violated"}


def derived(fid: str, interval: Interval, formula: str) -> Fact:
    return fact(fid, "2025H1", interval, metric="mau", kind="derived", formula=formula)


def test_derived_formulas_with_bare_number_conversions_take_the_facts_unit() -> None:
    facts = [
        fact("videos", "2025H1", exactly(1.68e8, "count"), metric="mau"),
        derived("minutes", Interval(1.39e7, 1.45e7, unit="minutes"), "{videos} * 5 / 60"),
        fact("rev", "2025Q1", exactly(3.15e8)),
        fact("users", "2025Q1", exactly(5e6, "count"), metric="mau"),
        derived("arpu", Interval(19.95, 22.05, unit="CNY/month"), "{rev} / {users} / 3"),
        # CNY read as % would hide real errors: still a unit error
        derived("pct", Interval(1e7, 2e7, unit="%"), "{rev} * 2"),
    ]
    rules, _ = derived_rules(facts)
    verdicts = {r.id: evaluate(r, FactIndex(facts)).verdict for r in rules}
    expected = {"derived:minutes": "possible", "derived:arpu": "possible", "derived:pct": "error"}
    assert verdicts == expected
    # hand-written rules get no such leniency
    assert check("{videos} * 5 / 60 ~ {minutes}", facts).verdict == "error"


def test_bad_formulas_are_located_problems() -> None:
    facts = [
        fact("a", "2025Q1", exactly(1e8)),
        fact("d1", "2025H1", exactly(1e8), kind="derived", formula="{a} +", line=10),
        fact("d2", "2025H1", exactly(1e8), kind="derived", formula="{a} + {missing}", line=20),
        fact("d3", "2025H1", exactly(1e8), kind="actual", formula="{a} + {missing}", line=30),
    ]
    rules, problems = derived_rules(facts)
    assert rules == []
    assert [(p.file, p.line, p.message) for p in problems] == [
        ("facts/dongcaidi.yaml", 13, "formula: unexpected end of expression at column 6"),
        ("facts/dongcaidi.yaml", 23, "formula: unknown fact id 'missing' at column 7"),
    ]
    assert [p.id for p in problems] == [
        "input:facts/dongcaidi.yaml:d1:formula",
        "input:facts/dongcaidi.yaml:d2:formula",
    ]


# --- the engine's entry point ---------------------------------------------------------------


def test_the_rules_check_runs_through_the_protocol(tmp_path: Path) -> None:
    rules_dir = tmp_path / "checks" / "rules"
    rules_dir.mkdir(parents=True)
    (rules_dir / "kling.yaml").write_text(GOOD, encoding="utf-8")
    facts = [
        *QUARTERS[:3],
        fact(
            "dcd-9m",
            "2025Q1..2025Q3",
            above(7e8),
            kind="derived",
            formula="{dcd-q1} + {dcd-q2} + {dcd-q3}",
        ),
    ]
    rules, problems = load_rules(rules_dir, root=tmp_path, entities=ENTITIES, metrics=METRICS)
    implicit, derived_problems = derived_rules(facts, entities=ENTITIES, metrics=METRICS)
    assert not problems and not derived_problems
    corpus = SimpleNamespace(facts=facts, rules=[*rules, *implicit], metrics={})
    out = CHECK.run(CheckContext(corpus, None))  # type: ignore[arg-type]
    results, extra = out.results, out.extras
    by_id = {r.id: r for r in results}
    assert by_id["rule:kling-nine-months"].verdict == "possible"
    assert by_id["rule:kling-nine-months"].file == "checks/rules/kling.yaml"
    assert by_id["rule:kling-guidance"].verdict == "unresolved"
    assert by_id["rule:derived:dcd-9m"].verdict == "possible"
    assert extra["rules"] == 2 and extra["derived"] == 1


def test_unquoted_braces_get_a_quoting_hint_and_in_file_duplicates_are_caught() -> None:
    _, problems = load(extra(*RULE_OK, "assert: {dcd-q1} > 0"))
    assert problems[0].line == 17 and "quote a value that starts with {" in problems[0].message
    _, problems = load(extra(*RULE_OK, "assert: {dcd-q1}"))
    assert problems[0].line == 17 and "quote it" in problems[0].message
    rules, problems = load(
        GOOD
        + "  - id: kling-guidance\n"
        + "".join(f"    {f}\n" for f in (*RULE_OK, "assert: 1 < 2"))
    )
    assert [r.id for r in rules] == ["kling-nine-months", "kling-guidance"]
    assert problems[0].line == 14 and "duplicate rule id 'kling-guidance'" in problems[0].message


def test_rule_fingerprint_survives_an_agreeing_source_but_not_a_changed_value() -> None:
    q1 = fact("a-q1", "2025Q1", exactly(2e8), value="2億元", source="a")
    total = fact("a-9m", "2025Q1..2025Q3", exactly(1e8), value="1億元", source="a")
    base = check("kling.revenue@2025Q1 <= kling.revenue@2025Q1..2025Q3", [q1, total])
    same = fact("b-q1", "2025Q1", exactly(2e8), value="2億元", source="b")
    agreeing = check("kling.revenue@2025Q1 <= kling.revenue@2025Q1..2025Q3", [q1, same, total])
    changed = fact("a-q1", "2025Q1", exactly(3e8), value="3億元", source="a")
    moved = check("kling.revenue@2025Q1 <= kling.revenue@2025Q1..2025Q3", [changed, total])
    assert base.verdict == agreeing.verdict == moved.verdict == "violated"
    assert base.fingerprint == agreeing.fingerprint
    assert base.fingerprint != moved.fingerprint
