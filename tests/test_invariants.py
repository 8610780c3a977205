"""Relations declared in the metric registry, instantiated over facts built in memory: one test per
relation and discrepancy, the matching rules (key, date, population), ids, touched facts, the
derived-formula warnings, and the registry's located errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from factledger.checks import CheckContext
from factledger.checks.invariants import run
from factledger.load import Corpus, load_corpus
from factledger.load.corpus import RELATION_FIELDS
from factledger.load.rules import derived_rules
from factledger.load.settings import Settings
from factledger.model import Fact, Metric, Result
from factledger.period import parse_period
from factledger.quantity import parse_quantity
from factledger.table import canonicalize

from .conftest import edit_facts, write_mini


def metric(key: str, dimension: str = "count", unit: str = "count", **relations) -> Metric:
    return Metric(key, dimension, unit, True, key, **relations)


METRICS = {
    m.key: m
    for m in (
        metric("revenue", "money", "CNY", aggregation="flow", part_of="revenue",
               parts=("segment",), complete=True),
        metric("revenue_share", "share", "%", part_of="revenue_share", parts=("segment",)),
        metric("revenue_growth_yoy", "growth", "%", growth_of="revenue", basis="yoy"),
        metric("margin", "share", "%"),
        metric("margin_change", "share-change", "pp", change_of="margin", basis="qoq"),
        metric("users", aggregation="cumulative"),
        metric("mau", aggregation="stock", subset_of="users"),
        metric("paying_users", aggregation="stock", subset_of="users"),
        metric("arpu", "price-per-period", "CNY/month",
               ratio_of=("revenue", "paying_users"), per_period="month"),
        metric("paying_rate", "share", "%", ratio_of=("paying_users", "mau")),
    )
}  # fmt: skip


def fact(
    fid: str,
    value: str,
    *,
    entity: str = "kling",
    metric: str = "revenue",
    period: str = "2025Q1",
    kind: str = "actual",
    qualifiers: dict[str, str] | None = None,
    stated: str = "2025-06",
    source: str = "s1",
    formula: str | None = None,
    line: int = 10,
    metrics: dict[str, Metric] = METRICS,
) -> Fact:
    p = parse_period(period)
    written = Fact(
        id=fid, source=source, entity=entity, metric=metric, period=p, value=value, kind=kind,
        quote="…", stated=parse_period(stated), file=f"facts/{source}.yaml", line=line,
        qualifiers=tuple(sorted((qualifiers or {}).items())), formula=formula,
        interval=parse_quantity(value, dimension=metrics[metric].dimension, year=p.start.year),
    )  # fmt: skip
    (canonical,), _ = canonicalize([written], metrics)
    return canonical


def check(*facts: Fact, metrics: dict[str, Metric] = METRICS) -> tuple[list[Result], set[str]]:
    rules, problems = derived_rules(facts)
    assert problems == []
    corpus = Corpus(root=Path("."), metrics=metrics, facts=list(facts), rules=rules)
    out = run(CheckContext(corpus, Settings()))
    return out.results, out.touched


def by_id(*facts: Fact, **kw) -> dict[str, Result]:
    return {r.id: r for r in check(*facts, **kw)[0]}


def failing(*facts: Fact) -> dict[str, str]:
    return {r.id: r.verdict for r in check(*facts)[0] if not r.passed}


# --- subset_of ---------------------------------------------------------------------------------

SUBSET = "invariant:subset_of:kling.paying_users<=kling.users@2025Q1"


def test_subset_exceeded_is_violated_with_a_stable_id_at_the_first_fact() -> None:
    payers = fact("payers", "3000萬", metric="paying_users", line=7)
    users = fact("users", "2200萬", metric="users", line=3, source="s2")
    r = by_id(payers, users)[SUBSET]
    assert (r.kind, r.verdict, r.severity) == ("invariant", "violated", "error")
    assert (r.file, r.line) == ("facts/s1.yaml", 7)  # the subset's fact, not a registry line
    assert r.data.relation == "subset_of" and set(r.fact_ids) == {"payers", "users"}
    assert "paying_users is a subset of users" in r.message
    moved = dataclasses.replace(payers, line=70)
    assert SUBSET in by_id(moved, users)  # no line number in the id


def test_subset_holds_and_touches_both_facts() -> None:
    results, touched = check(
        fact("payers", "500萬", metric="paying_users"), fact("users", "2200萬", metric="users")
    )
    [r] = results
    assert r.verdict == "holds" and touched == {"payers", "users"}


def test_instants_are_matched_by_their_end_date() -> None:
    got = by_id(
        fact("mau", "113.3萬", metric="mau", period="2025Q2"),
        fact("users", "2200萬", metric="users", period="2025-06"),
        fact("users-h1", "2200萬", metric="users", period="2025-01..2025-06"),
    )
    assert got["invariant:subset_of:kling.mau@2025Q2<=kling.users@2025-06"].verdict == "holds"
    assert "invariant:subset_of:kling.mau@2025Q2<=kling.users@2025-01..2025-06" in got


def test_no_partner_no_invariant_and_other_qualifiers_do_not_match() -> None:
    assert check(
        fact("payers", "500萬", metric="paying_users"),
        fact("users", "200萬", metric="users", period="2025Q2"),
        fact("users-o", "100萬", metric="users", qualifiers={"scope": "overseas"}),
    )[0] == []  # fmt: skip


# --- part_of -----------------------------------------------------------------------------------


def test_complete_parts_add_up_to_the_whole() -> None:
    parts = [
        fact("ads", "180億元", entity="ks", qualifiers={"segment": "ads"}),
        fact("live", "98億元", entity="ks", qualifiers={"segment": "live"}),
    ]
    total = fact("total", "326億元", entity="ks")
    rid = "invariant:part_of:ks.revenue[segment=ads]+ks.revenue[segment=live]~ks.revenue@2025Q1"
    assert failing(*parts, total) == {rid: "violated"}  # 278億 is not 326億
    ok = fact("total", "278億元", entity="ks")
    assert by_id(*parts, ok)[rid].verdict == "possible"


def test_a_period_missing_a_part_checks_at_most() -> None:
    facts = [
        fact("ads-q1", "180億元", entity="ks", qualifiers={"segment": "ads"}),
        fact("live-q1", "98億元", entity="ks", qualifiers={"segment": "live"}),
        fact("live-q3", "400億元", entity="ks", period="2025Q3", qualifiers={"segment": "live"}),
        fact("total-q3", "355億元", entity="ks", period="2025Q3"),
    ]
    # only one of the two segments the corpus uses is given for Q3: part ≤ whole, and it is not
    assert failing(*facts) == {
        "invariant:part_of:ks.revenue[segment=live]<=ks.revenue@2025Q3": "violated"
    }


def test_shares_of_one_whole_above_100_percent() -> None:
    a = fact("a", "超過70%", metric="revenue_share", qualifiers={"segment": "a", "of": "x"})
    b = fact("b", "40%", metric="revenue_share", qualifiers={"segment": "b", "of": "x"})
    rid = "invariant:part_of:kling.revenue_share[of=x,segment=a]+kling.revenue_share[of=x,segment=b]<=100@2025Q1"  # noqa: E501
    assert failing(a, b) == {rid: "violated"}
    assert by_id(a, dataclasses.replace(b, canonical=parse_quantity("20%", dimension="share")))[
        rid
    ].passed


def test_a_whole_with_qualifiers_never_picks_up_its_parts() -> None:
    # a written reference [scope=cn] would match its parts [scope=cn, segment=*] too; not these
    whole = fact("whole", "100億元", qualifiers={"scope": "cn"})
    part = fact("part", "40億元", qualifiers={"scope": "cn", "segment": "ads"})
    [r] = check(whole, part)[0]
    assert r.id == (
        "invariant:part_of:kling.revenue[scope=cn,segment=ads]<=kling.revenue[scope=cn]@2025Q1"
    )
    assert r.verdict == "holds" and [o.fact_id for o in r.data.operands] == ["part", "whole"]


# --- aggregation: flow -------------------------------------------------------------------------


def test_tiling_quarters_add_up_and_a_sub_period_is_at_most_its_period() -> None:
    quarters = [fact(f"q{n}", v, period=f"2025Q{n}") for n, v in ((1, "1.5億元"), (2, "2.5億元"),
                                                                  (3, "3億元"))]  # fmt: skip
    nine = fact("nine", "9億元", period="2025Q1..2025Q3")
    march = fact("march", "5億元", period="2025-03")
    got = {r.id: r for r in check(*quarters, nine, march)[0]}
    tiling = "invariant:flow-sum:kling.revenue@2025Q1+kling.revenue@2025Q2+kling.revenue@2025Q3~kling.revenue@2025Q1..2025Q3"  # noqa: E501
    assert got[tiling].verdict == "violated"  # 7億 ≠ 9億
    assert got["invariant:flow:kling.revenue@2025-03<=kling.revenue@2025Q1"].verdict == "violated"
    # a quarter of the tiling is not compared again with the total; March only with its quarter
    assert not [i for i in got if i.startswith("invariant:flow:kling.revenue@2025Q")]
    assert "invariant:flow:kling.revenue@2025-03<=kling.revenue@2025Q1..2025Q3" not in got


def test_growth_and_share_metrics_are_not_summed() -> None:
    assert check(
        fact("g1", "10%", metric="revenue_growth_yoy", period="2025Q1"),
        fact("g9", "5%", metric="revenue_growth_yoy", period="2025Q1..2025Q3"),
    )[0] == []  # fmt: skip


# --- aggregation: stock, cumulative --------------------------------------------------------------


def test_cumulative_figures_never_decrease() -> None:
    got = failing(
        fact("u1", "2200萬", metric="users", period="2025-03"),
        fact("u2", "1800萬", metric="users", period="2025-04"),
    )
    assert got == {"invariant:cumulative:kling.users@2025-03<=kling.users@2025-04": "violated"}


def test_the_same_cumulative_figure_months_apart_is_a_repeated_figure_warning() -> None:
    early = fact("u1", "突破2200萬", metric="users", period="2025Q1")
    late = fact("u2", "2200萬人", metric="users", period="2025-06", source="s2", line=4)
    r = by_id(early, late)["invariant:repeated-figure:kling.users@2025Q1==kling.users@2025-06"]
    assert (r.verdict, r.severity, r.kind) == ("repeated-figure", "warning", "invariant")
    assert (r.file, r.line) == ("facts/s2.yaml", 4) and "91 days later" in r.message
    # under 30 days apart: a figure that has not moved yet, not a repeat
    soon = dataclasses.replace(late, period=parse_period("2025-04-15"))
    assert not [i for i in by_id(early, soon) if "repeated-figure" in i]
    # a figure that did move is no repeat either
    moved = fact("u2", "2500萬", metric="users", period="2025-06")
    assert not [i for i in by_id(early, moved) if "repeated-figure" in i]


def test_two_figures_for_the_same_instant_agree() -> None:
    got = by_id(
        fact("a", "2200萬", metric="users", period="2025-01..2025-06"),
        fact("b", "3000萬", metric="users", period="2025-06"),
    )
    assert got["invariant:cumulative:kling.users@2025-01..2025-06~kling.users@2025-06"].verdict == (
        "violated"
    )


# --- growth_of, change_of ----------------------------------------------------------------------


def test_growth_against_the_levels_at_both_periods() -> None:
    now, before = fact("r25", "110億元"), fact("r24", "100億元", period="2024Q1")
    growth = fact("g", "25%", metric="revenue_growth_yoy")
    got = by_id(now, before, growth)
    assert {i for i in got if "growth_of" in i} == {
        "invariant:growth_of:kling.revenue_growth_yoy@2025Q1~growth(kling.revenue@2025Q1,kling.revenue@2024Q1)"
    }  # fmt: skip
    assert next(r for i, r in got.items() if "growth_of" in i).verdict == "violated"
    assert not [i for i in by_id(now, growth) if "growth_of" in i]  # one level only: nothing


def test_a_change_in_percentage_points_against_the_two_shares() -> None:
    got = by_id(
        fact("m1", "30%", metric="margin", period="2025Q1"),
        fact("m0", "25%", metric="margin", period="2024Q4"),
        fact("c", "上升1.1個百分點", metric="margin_change", period="2025Q1"),
    )
    [r] = [r for i, r in got.items() if "change_of" in i]
    assert r.verdict == "violated" and r.data.relation == "change_of"  # 5 pp, not 1.1


# --- ratio_of ----------------------------------------------------------------------------------


def test_a_quarterly_amount_per_user_is_not_a_monthly_figure() -> None:
    revenue = fact("rev", "1.05億元")
    payers = fact("payers", "500萬", metric="paying_users")
    monthly = fact("arpu", "約21元/月", metric="arpu")  # 1.05億 ÷ 500萬 = 21 per quarter
    [r] = [r for r in check(revenue, payers, monthly)[0] if r.data.relation == "ratio_of"]
    assert r.data.expression == (
        "kling.arpu@2025Q1 ~ kling.revenue@2025Q1 / kling.paying_users@2025Q1 / 3"
    )
    assert r.verdict == "violated"
    right = fact("arpu", "約7元/月", metric="arpu")
    assert [r.verdict for r in check(revenue, payers, right)[0]] == ["possible"]


def test_a_share_ratio() -> None:
    got = by_id(
        fact("p", "500萬", metric="paying_users"),
        fact("m", "1000萬", metric="mau"),
        fact("rate", "4%", metric="paying_rate"),
    )
    rid = "invariant:ratio_of:kling.paying_rate~share(kling.paying_users,kling.mau)@2025Q1"
    assert got[rid].verdict == "violated"  # 50 %, not 4 %


# --- populations -------------------------------------------------------------------------------


def test_projections_are_compared_only_within_one_kind_and_statement() -> None:
    actual = fact("a", "2億元", period="2025Q1")
    year_forecast = fact("f", "5億元", period="FY2025", kind="forecast", stated="2024-12")
    assert check(actual, year_forecast)[0] == []  # an actual does not contradict a forecast
    q1 = fact("fq", "6億元", period="2025Q1", kind="forecast", stated="2024-12")
    [r] = check(year_forecast, q1, actual)[0]
    assert r.id == (
        "invariant:flow:kling.revenue@2025Q1<=kling.revenue@FY2025;forecast stated 2024-12"
    )
    assert r.verdict == "violated"
    other_date = dataclasses.replace(q1, stated=parse_period("2025-03"))
    assert check(year_forecast, other_date)[0] == []


def test_hypothetical_facts_take_part_in_nothing() -> None:
    assert check(
        fact("p", "3000萬", metric="paying_users", kind="hypothetical"),
        fact("u", "2200萬", metric="users"),
    )[0] == []  # fmt: skip


# --- derived formulas --------------------------------------------------------------------------


def test_a_rate_over_two_entities_is_a_warning_unless_it_names_the_whole() -> None:
    payers = fact("payers", "500萬", metric="paying_users", kind="hypothetical")
    dau = fact("dau", "3.8億", entity="kuaishou", metric="mau")
    rate = fact("rate", "1.3%", metric="paying_rate", kind="derived",
                formula="share({payers}, {dau})")  # fmt: skip
    got = by_id(payers, dau, rate)
    r = got["invariant:formula-entities:rate"]
    assert (r.verdict, r.severity) == ("mixed-entities", "warning")
    assert "share() puts kling over kuaishou" in r.message
    named = dataclasses.replace(rate, qualifiers=(("of", "kuaishou-mau"),))
    assert "invariant:formula-entities:rate" not in by_id(payers, dau, named)


def test_mixed_spans_in_a_formula_are_a_warning() -> None:
    q1 = fact("q1", "1.5億元")
    nine = fact("nine", "1億元", period="2024-06..2025-02")
    growth = fact("g", "200%", metric="revenue_growth_yoy", kind="derived",
                  formula="growth({q1} / 3, {nine} / 6)")  # fmt: skip
    r = by_id(q1, nine, growth)["invariant:formula-periods:g"]
    assert r.verdict == "mixed-periods" and "≈45.5 days" in r.message
    right = dataclasses.replace(growth, formula="growth({q1} / 3, {nine} / 9)")
    assert not [i for i in by_id(q1, nine, right) if "formula" in i]


def test_a_monthly_figure_from_a_quarter_without_dividing_by_three() -> None:
    rev = fact("rev", "1.05億元")
    payers = fact("payers", "500萬", metric="paying_users", kind="hypothetical")
    arpu = fact("arpu", "約21元/月", metric="arpu", kind="derived",
                formula="{rev} / {payers}")  # fmt: skip
    assert "invariant:formula-periods:arpu" in by_id(rev, payers, arpu)
    fixed = dataclasses.replace(arpu, formula="{rev} / {payers} / 3")
    assert "invariant:formula-periods:arpu" not in by_id(rev, payers, fixed)


def test_percentages_and_parts_of_a_period_are_not_span_mixes() -> None:
    q1 = fact("q1", "1.5億元")
    share = fact("sh", "70%", metric="margin")
    march = fact("mar", "5000萬元", period="2025-03")
    part = fact("part", "1.05億元", kind="derived", formula="{q1} * {sh} / 100")
    of_q1 = fact("of", "33%", metric="margin", kind="derived", formula="share({mar}, {q1})")
    assert not [r.id for r in check(q1, share, march, part, of_q1)[0] if "formula" in r.id]


# --- the registry ------------------------------------------------------------------------------

BAD_METRICS = """metrics:
  - key: revenue
    dimension: money
    unit: CNY
    series: true
    description: revenue
    aggregation: flows
  - key: dau
    dimension: count
    unit: count
    series: true
    description: daily active users
    subset_of: mua
    part_of: dau
    parts: [segmnet]
  - key: mau
    dimension: count
    unit: count
    series: true
    description: monthly active users
    subset_of: users
    growth_of: dau
  - key: users
    dimension: count
    unit: count
    series: true
    description: users
    subset_of: mau
    per_period: month
  - key: rate
    dimension: share
    unit: "%"
    series: true
    description: a share
    subset_of: revenue
    ratio_of: [dau, mau]
    complete: yes
"""


def test_relation_errors_are_located_and_all_reported(tmp_path: Path) -> None:
    root = write_mini(tmp_path / "c")
    (root / "facts" / "metrics.yaml").write_text(BAD_METRICS, encoding="utf-8")
    edit_facts(root, "    metric: dau\n", "    metric: dau\n    qualifiers: {segment: live}\n")
    corpus = load_corpus(root)
    got = {
        (p.line, p.message) for p in corpus.problems if p.file == "facts/metrics.yaml"
    }  # fmt: skip
    assert got == {
        (7, "aggregation: 'flows' is not one of flow, stock, cumulative"),
        (13, "subset_of: unknown metric 'mua' (did you mean 'mau'?)"),
        (15, "parts: unknown qualifier 'segmnet': no fact of 'dau' has it (did you mean "
             "'segment'?)"),
        (22, "growth_of: needs 'basis' too"),
        (29, "per_period: only meaningful with ratio_of"),
        (36, "ratio_of: expected a mapping {numerator: <metric>, denominator: <metric>}"),
        (37, "complete: only meaningful with part_of"),
        (35, "subset_of: 'revenue' is money, 'rate' is share: a part or subset has its whole's "
             "dimension"),
        (21, "subset_of: relations form a cycle: mau → users → mau"),
    }  # fmt: skip
    # a relation with a problem is dropped; the metric itself stays usable
    assert corpus.metrics["revenue"].aggregation is None
    assert corpus.metrics["dau"].subset_of is None and corpus.metrics["dau"].part_of == "dau"
    assert all(p.id.startswith("input:facts/metrics.yaml:") for p in corpus.problems
               if p.file == "facts/metrics.yaml")  # fmt: skip


def test_the_bundled_registry_declares_relations_without_problems() -> None:
    root = Path(__file__).resolve().parents[1]
    corpus = load_corpus(root)
    assert [p for p in corpus.problems if p.file == "facts/metrics.yaml"] == []
    declared = {k for k, m in corpus.metrics.items() if m.aggregation or m.subset_of
                or m.part_of or m.growth_of or m.ratio_of}  # fmt: skip
    assert {"revenue", "dau", "mau", "users", "paying_users", "arpu"} <= declared


@pytest.mark.parametrize("field", RELATION_FIELDS)
def test_docs_describe_each_relation_field(field: str) -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "fact-format.md").read_text("utf-8")
    assert f"| `{field}` |" in text  # a row of the registry's field table
