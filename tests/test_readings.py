"""Two readings of every value — the sound one (what the words allow at all) and the typical one
(what a writer most likely meant) — the `strained` verdict, and revision chains by issuer."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factledger import table
from factledger.checks.conflicts import check as conflicts
from factledger.checks.rules import evaluate
from factledger.checks.rules.evaluation import FactIndex
from factledger.expression import parse_assertion
from factledger.load.rules import Rule, load_rule_text
from factledger.model import DIMENSIONS, Fact, Metric
from factledger.period import parse_period
from factledger.quantity import QuantityError, parse_readings

INF = math.inf


@pytest.mark.parametrize(
    ("written", "dimension", "typical"),
    [
        ("1.5億", "money", (1.45e8, 1.55e8, False, True)),  # exact: its precision, as sound
        ("超過1.5億元", "money", (1.5e8, 1.6e8, True, False)),  # next step of the last digit
        ("超過70%", "share", (70, 73.5, True, False)),  # t = 5 % is larger here
        ("超過10億元", "money", (1e9, 1.1e9, True, False)),
        ("逾7億元", "money", (7e8, 8e8, True, False)),
        ("20%以上", "growth", (20, 21, False, False)),
        ("30+", "count", (30, 31.5, False, False)),
        ("近30%", "share", (28.5, 30, False, False)),
        ("約50億元", "money", (4.875e9, 5.125e9, False, False)),  # ±t/2
        ("不足1%", "share", (0.95, 1, False, True)),
        ("最多3個", "count", (2.85, 3, False, False)),
        ("增長25倍", "growth", (2500, 2500, False, False)),  # the strict reading of N倍
        ("60多", "count", (62.5, 67.5, False, False)),  # the middle half of its span
        ("數十萬元", "money", (4e5, 8e5, False, False)),
        ("一大半", "share", (62.5, 87.5, False, False)),
        ("60-70%", "share", (62.25, 67.75, False, False)),
        ("數十萬乃至數百萬", "money", (4e5, 8e6, False, False)),  # typically from … to …
        ("跌超26%", "growth", (-27.3, -26, False, True)),  # a decline mirrors it
    ],
)
def test_golden_typical_readings(written: str, dimension: str, typical: tuple) -> None:
    sound, got = parse_readings(written, dimension=dimension)
    assert (got.lo, got.hi, got.lo_open, got.hi_open) == pytest.approx(typical)
    assert _inside(got, sound)


def _inside(inner, outer) -> bool:
    (ilo, ilo_open), (ihi, ihi_open) = inner.low, inner.high
    (olo, olo_open), (ohi, ohi_open) = outer.low, outer.high
    lo_ok = ilo > olo or (ilo == olo and (ilo_open or not olo_open))
    hi_ok = ihi < ohi or (ihi == ohi and (ihi_open or not ohi_open))
    return inner.is_empty or (lo_ok and hi_ok)


HEDGES = ["", "超過", "逾", "近", "約", "不足", "不到", "最多", "至少", "突破"]
SUFFIXES = ["", "以上", "左右", "多", "+"]


@settings(max_examples=300, deadline=None)
@given(
    hedge=st.sampled_from(HEDGES),
    number=st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
    suffix=st.sampled_from(SUFFIXES),
    unit=st.sampled_from(["", "億", "萬", "%"]),
    verb=st.sampled_from(["", "下降", "增長"]),
    dimension=st.sampled_from(sorted(set(DIMENSIONS) - {"date", "rank"})),
)
def test_the_typical_reading_lies_inside_the_sound_one(
    hedge: str, number, suffix: str, unit: str, verb: str, dimension: str
) -> None:
    """So `strained` can never appear where the sound verdict is `violated`."""
    text = f"{verb}{hedge}{number:f}{unit}{suffix}"
    try:
        sound, typical = parse_readings(text, dimension=dimension)
    except QuantityError:
        return
    assert _inside(typical, sound), (text, sound, typical)


# --- strained rules -------------------------------------------------------------------------

METRICS = {
    "share": Metric("share", "share", "%", True, "share"),
    "revenue": Metric("revenue", "money", "CNY", True, "revenue"),
}


def fact(fid: str, value: str, metric: str = "share", period: str = "2025Q1", **kw) -> Fact:
    dimension = METRICS[metric].dimension
    sound, typical = parse_readings(value, dimension=dimension)
    written = Fact(
        id=fid, source=kw.pop("source", fid), entity=kw.pop("entity", "co"), metric=metric,
        period=parse_period(period), value=value, kind=kw.pop("kind", "actual"), quote=value,
        stated=parse_period(kw.pop("stated", "2025-05-20")), file=f"facts/{fid}.yaml", line=1,
        qualifiers=kw.pop("qualifiers", ()), interval=sound, typical=typical, **kw,
    )  # fmt: skip
    (canonical,), _ = table.canonicalize([written], METRICS)
    return canonical


def rule(expression: str, **kw) -> Rule:
    return Rule("r", "test", "error", expression, parse_assertion(expression), "r.yaml", 1, **kw)


def test_a_split_that_adds_up_only_at_an_extreme_is_strained() -> None:
    """超過70% and 不到20% of one whole: they can add up to 100% (a 80%+ majority and an 19.99%
    rest), but read as written — a little over 70%, a little under 20% — they cannot."""
    a = fact("a", "超過70%", qualifiers=(("part", "a"),))
    b = fact("b", "不到20%", qualifiers=(("part", "b"),))
    expr = "co.share@2025Q1[part=a] + co.share@2025Q1[part=b] ~ 100"
    r = evaluate(rule(expr), FactIndex([a, b]))
    assert r.verdict == "strained" and r.severity == "warning"
    # what it would take, in the corpus's own numbers
    assert r.data.strain.startswith("it holds only if 超過70% (a) is at least 80")
    assert r.data.strain in r.message


def test_a_plain_pass_is_not_strained_and_a_violation_stays_violated() -> None:
    a = fact("a", "超過70%", qualifiers=(("part", "a"),))
    ok = fact("b", "不到30%", qualifiers=(("part", "b"),))
    bad = fact("b", "35%", qualifiers=(("part", "b"),))
    expr = "co.share@2025Q1[part=a] + co.share@2025Q1[part=b] ~ 100"
    assert evaluate(rule(expr), FactIndex([a, ok])).verdict == "possible"
    assert evaluate(rule(expr), FactIndex([a, bad])).verdict == "violated"


def test_a_rule_may_opt_out_with_a_reason() -> None:
    a = fact("a", "超過70%", qualifiers=(("part", "a"),))
    b = fact("b", "不到20%", qualifiers=(("part", "b"),))
    expr = "co.share@2025Q1[part=a] + co.share@2025Q1[part=b] ~ 100"
    r = evaluate(rule(expr, reading="sound", reason="a 超過 that is a floor"), FactIndex([a, b]))
    assert r.verdict == "possible"
    text = (
        "rules:\n  - id: r\n    description: d\n    severity: error\n"
        f"    assert: {expr}\n    reading: sound\n"
    )
    _, problems = load_rule_text(text, "checks/rules/x.yaml")
    assert [p.message for p in problems] == [
        "reading: reading: sound (no strained verdict) needs a reason: saying why"
    ]
    rules, problems = load_rule_text(text + "    reason: a floor, not an estimate\n", "x.yaml")
    assert not problems and rules[0].reading == "sound"


# --- strained conflicts ---------------------------------------------------------------------


def test_sources_that_agree_only_at_a_stretch() -> None:
    a = fact("a", "超過1.5億元", metric="revenue")
    b = fact("b", "2.5億元", metric="revenue")
    results, _, _ = conflicts([a, b], METRICS)
    (r,) = results
    assert r.verdict == "strained" and r.severity == "warning"
    assert (
        r.data.strain == "超過1.5億元 (a) agrees with 2.5億元 (b) only if it is at least 2.45億元"
    )
    close = fact("c", "1.55億元", metric="revenue")
    (agree,), _, _ = conflicts([a, close], METRICS)
    assert agree.verdict == "agree"


# --- revisions by issuer --------------------------------------------------------------------


def test_revision_chains_are_per_issuer_and_repeats_are_restatements() -> None:
    g1 = fact("g1", "10億元", metric="revenue", period="FY2025", kind="guidance",
              stated="2025-03", entity="kling", source="s1")  # fmt: skip
    g2 = fact("g2", "12億元", metric="revenue", period="FY2025", kind="guidance",
              stated="2025-08", entity="kling", source="s1")  # fmt: skip
    g3 = fact("g3", "12億元", metric="revenue", period="FY2025", kind="guidance",
              stated="2025-11", entity="kling", source="s2")  # fmt: skip
    f1 = fact("f1", "8億元", metric="revenue", period="FY2025", kind="forecast",
              stated="2025-06", entity="kling", source="s3")  # fmt: skip
    f2 = fact("f2", "9億元", metric="revenue", period="FY2025", kind="forecast",
              stated="2025-09", entity="kling", source="s3", stated_by="中金")  # fmt: skip
    results, _, _ = conflicts([g1, g2, g3, f1, f2], METRICS, outlets={"s3": "分析師週刊"})
    (r,) = results
    assert r.verdict == "revision"
    chains = {c.issuer: c for c in r.data.chains}
    assert sorted(chains) == ["kling", "中金", "分析師週刊"]
    kling = chains["kling"]
    assert [s.stated for s in kling.steps] == ["2025-03", "2025-08"]
    assert [f.fact_id for f in kling.steps[1].restated] == ["g3"]  # 12億 again in November


def test_one_issuer_disagreeing_with_itself_at_one_date_is_a_conflict() -> None:
    a = fact("a", "10億元", metric="revenue", period="FY2025", kind="guidance",
             stated="2025-03", entity="kling", source="s1")  # fmt: skip
    b = fact("b", "15億元", metric="revenue", period="FY2025", kind="guidance",
             stated="2025-03", entity="kling", source="s2")  # fmt: skip
    c = fact("c", "15億元", metric="revenue", period="FY2025", kind="forecast",
             stated="2025-03", entity="kling", source="s3")  # fmt: skip
    (conflict,), _, _ = conflicts([a, b], METRICS)
    assert conflict.verdict == "conflict"
    (different,), _, _ = conflicts([a, c], METRICS)  # a company's target vs an outlet's forecast
    assert different.verdict == "revision"
