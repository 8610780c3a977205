"""Cross-source comparison on facts built directly (no files): each class, the grouping key,
ids and fingerprints, and that a large group is handled in one sweep."""

from __future__ import annotations

import math

import pytest

from factledger.checks.conflicts import check
from factledger.formatting import period_label
from factledger.model import Fact, Interval, Metric, Result
from factledger.period import parse_period
from factledger.table import canonicalize

INF = math.inf

METRICS = {
    "dau": Metric("dau", "count", "count", True, "daily active users"),
    "users": Metric("users", "count", "count", True, "cumulative users"),
    "revenue": Metric("revenue", "money", "CNY", True, "revenue"),
    "price_change": Metric("price_change", "growth", "%", False, "price change of a model"),
}
UNITS = {"dau": "count", "users": "count", "revenue": "CNY", "price_change": "%"}


def fact(
    fid: str,
    lo: float,
    hi: float | None = None,
    *,
    source: str = "a",
    entity: str = "kuaishou",
    metric: str = "dau",
    period: str = "2025Q1",
    kind: str = "actual",
    stated: str = "2025-05-20",
    qualifiers: dict[str, str] | None = None,
    value: str | None = None,
    unit: str | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    line: int = 1,
) -> Fact:
    hi = lo if hi is None else hi
    iv = Interval(lo, hi, lo_open, hi_open, unit or UNITS[metric])
    written = Fact(
        id=fid,
        source=source,
        entity=entity,
        metric=metric,
        period=parse_period(period),
        value=value or f"{lo:g}",
        kind=kind,
        quote="…",
        stated=parse_period(stated),
        file=f"facts/{source}.yaml",
        line=line,
        qualifiers=tuple(sorted((qualifiers or {}).items())),
        interval=iv,
    )
    # the canonical value comes from the one conversion, as in a real run
    (canonical,), _ = canonicalize([written], METRICS)
    return canonical


def run(*facts: Fact) -> tuple[list[Result], dict]:
    results, extras, _touched = check(list(facts), METRICS)
    return results, extras


def only(*facts: Fact) -> Result:
    results, _ = run(*facts)
    assert len(results) == 1, [r.id for r in results]
    return results[0]


# --- agree ----------------------------------------------------------------------------------


def test_equal_intervals_are_complete_duplicates() -> None:
    r = only(
        fact("a-dau", 3.75e8, 3.85e8, source="a", value="3.8億"),
        fact("b-dau", 3.75e8, 3.85e8, source="b", value="3.8億"),
    )
    assert (r.verdict, r.severity, r.kind) == ("agree", "info", "conflict")
    assert r.passed and not r.is_finding
    assert r.data.to_json()["duplicate"] == "complete"
    assert "complete" in r.message
    assert r.id == "conflict:kuaishou.dau@2025Q1"
    assert r.fact_ids == ("a-dau", "b-dau")


def test_overlapping_intervals_are_consistent_duplicates() -> None:
    r = only(
        fact("a-rev", 1.5e8, INF, metric="revenue", lo_open=True, value="超過1.5億元"),
        fact("b-rev", 1.45e8, 1.55e8, metric="revenue", source="b", value="1.5億元"),
    )
    assert r.verdict == "agree"
    assert r.data.to_json()["duplicate"] == "consistent"
    assert "consistent" in r.message


def test_touching_open_and_closed_ends() -> None:
    """(1.5億, ∞) and [1.45億, 1.5億] share no point: the open end decides."""
    r = only(
        fact("a", 1.5e8, INF, metric="revenue", lo_open=True),
        fact("b", 1.45e8, 1.5e8, metric="revenue", source="b"),
    )
    assert r.verdict == "conflict"


def test_repeats_within_one_source_are_classified() -> None:
    results, extra = run(fact("x1", 5.0), fact("x2", 5.0))
    assert [r.verdict for r in results] == ["agree"]
    assert extra["compared"] == 0 and extra["repeats"] == 1


def test_single_fact_groups_give_no_result() -> None:
    results, extra = run(fact("a", 1.0), fact("b", 2.0, period="2025Q2", source="b"))
    assert results == []
    assert extra == {
        "groups": 2,
        "compared": 0,
        "repeats": 0,
        "side_by_side": 0,
        "verdicts": {},
        "incomparable": [],
    }


# --- conflict -------------------------------------------------------------------------------


def test_disjoint_values_are_a_conflict() -> None:
    r = only(
        fact("ymt-dau", 3.75e8, 3.85e8, source="yunmeiti", value="3.8億", line=140),
        fact("bohu-dau", 4.075e8, 4.085e8, source="bohu", value="4.08億", line=12),
    )
    assert (r.verdict, r.severity) == ("conflict", "error")
    assert r.is_finding
    assert r.message.startswith(
        "kuaishou.dau@2025Q1: 3.8億 (yunmeiti, facts/yunmeiti.yaml:140)"
        " vs 4.08億 (bohu, facts/bohu.yaml:12): disjoint"
    )
    # first fact by file and line
    assert (r.file, r.line) == ("facts/bohu.yaml", 12)
    d = r.data.to_json()
    assert d["kind"] == "conflict" and d["duplicate"] is None
    assert {f["fact_id"] for f in d["facts"]} == {"ymt-dau", "bohu-dau"}
    one = next(f for f in d["facts"] if f["fact_id"] == "ymt-dau")
    assert one["interval"] == Interval(3.75e8, 3.85e8, unit="count").to_json()
    assert set(one) >= {
        "fact_id",
        "source",
        "value",
        "interval",
        "period",
        "kind",
        "stated",
        "file",
        "line",
        "quote",
    }


def test_conflict_id_carries_qualifiers_sorted() -> None:
    q = {"segment": "live-streaming", "basis": "x"}
    r = only(
        fact("a", 1.0e9, metric="revenue", qualifiers=q),
        fact("b", 2.0e9, metric="revenue", qualifiers=q, source="b"),
    )
    assert r.id == "conflict:kuaishou.revenue@2025Q1[basis=x,segment=live-streaming]"


def test_period_is_compared_as_dates() -> None:
    r = only(fact("a", 1.0, period="2025Q1"), fact("b", 2.0, period="2025-01..2025-03", source="b"))
    assert r.verdict == "conflict"
    assert r.id == "conflict:kuaishou.dau@2025Q1"


def test_kind_is_not_part_of_the_key() -> None:
    r = only(fact("a", 1.0, kind="actual"), fact("b", 2.0, kind="derived", source="b"))
    assert r.verdict == "conflict"


def test_hypothetical_facts_are_excluded() -> None:
    results, extra = run(fact("a", 1.0), fact("b", 2.0, kind="hypothetical", source="b"))
    assert results == []
    assert extra["groups"] == 1
    # and they never count as an earlier figure either
    results, _ = run(
        fact("old", 4.0, period="2024Q4", kind="hypothetical"),
        fact("a", 4.0, period="2025Q1"),
        fact("b", 5.0, period="2025Q1", source="b"),
    )
    assert [r.verdict for r in results] == ["conflict"]


def test_usd_and_cny_are_compared_after_conversion() -> None:
    # USD/CNY was about 7.18-7.26 in Q1 2025 (±2% tolerance on top): 1億美元 ≈ 7.2億元
    agree = only(
        fact("usd", 0.995e8, 1.005e8, metric="revenue", unit="USD", value="1億美元"),
        fact("cny", 7.15e8, 7.25e8, metric="revenue", source="b", value="7.2億元"),
    )
    assert agree.verdict == "agree"
    usd = next(f for f in agree.data.to_json()["facts"] if f["fact_id"] == "usd")
    assert usd["interval"]["unit"] == "CNY"
    assert 6.5e8 < usd["interval"]["lo"] < usd["interval"]["hi"] < 7.8e8
    assert "1億美元 ≈ " in agree.message and "億元" in agree.message
    clash = only(
        fact("usd", 0.995e8, 1.005e8, metric="revenue", unit="USD", value="1億美元"),
        fact("cny", 0.95e8, 1.05e8, metric="revenue", source="b", value="1億元"),
    )
    assert clash.verdict == "conflict"


def test_unconvertible_values_are_left_to_the_table_check() -> None:
    results, extra = run(
        fact("a", 1.0, metric="revenue", unit="CNY/month"),
        fact("b", 2.0, metric="revenue", source="b"),
    )
    assert results == [] and extra["groups"] == 1
    assert extra["incomparable"] == ["a"]


# --- revision -------------------------------------------------------------------------------


def _guidance(fid: str, lo: float, stated: str, source: str, value: str, **kw) -> Fact:
    return fact(
        fid,
        lo,
        lo * 1.01,
        entity="kling",
        metric="revenue",
        period="FY2025",
        kind="guidance",
        stated=stated,
        source=source,
        value=value,
        **kw,
    )


def test_projections_stated_at_different_dates_are_a_revision_chain() -> None:
    r = only(
        _guidance("new", 1.0e9, "2025-11", "dongcaidi", "10億元"),
        _guidance("old", 4.0e8, "2025-01", "bohu", "4億元"),
        _guidance("mid", 7.0e8, "2025-06", "tmt", "7億元"),
        fact(
            "act",
            3.0e8,
            INF,
            entity="kling",
            metric="revenue",
            period="FY2025",
            source="x",
            lo_open=True,
            value="超過3億元",
        ),  # an actual overlapping all: fine
    )
    assert (r.verdict, r.severity, r.passed) == ("revision", "info", True)
    (chain,) = r.data.to_json()["chains"]  # one issuer: the company's guidance
    assert chain["issuer"] == "kling"
    steps = chain["steps"]
    assert [s["stated"] for s in steps] == ["2025-01", "2025-06", "2025-11"]
    assert [s["sources"] for s in steps] == [["bohu"], ["tmt"], ["dongcaidi"]]
    assert steps[0]["facts"][0]["fact_id"] == "old"
    assert r.message.index("4億元") < r.message.index("7億元") < r.message.index("10億元")
    assert "→" in r.message and "bohu" in r.message


def test_disjoint_projections_with_the_same_stated_date_conflict() -> None:
    r = only(
        _guidance("five", 5.0e8, "2025-06", "bohu", "5億元"),
        _guidance("seven", 7.0e8, "2025-06", "bohu", "7億元"),
        _guidance("ten", 1.0e9, "2025-11", "dongcaidi", "10億元"),
    )
    assert r.verdict == "conflict"
    assert set(r.data.to_json()["disjoint"]) == {"five", "seven"}
    assert "same date" in r.message


def test_an_actual_disjoint_from_a_projection_is_a_conflict() -> None:
    r = only(
        _guidance("g-old", 4.0e8, "2025-01", "bohu", "4億元"),
        _guidance("g-new", 1.0e9, "2025-11", "dongcaidi", "10億元"),
        fact("act", 1.2e9, entity="kling", metric="revenue", period="FY2025", source="x"),
    )
    assert r.verdict == "conflict"
    assert "act" in r.data.to_json()["disjoint"]


def test_actuals_never_revise() -> None:
    r = only(fact("a", 1.0, stated="2025-04"), fact("b", 2.0, stated="2025-06", source="b"))
    assert r.verdict == "conflict"


# --- stale ----------------------------------------------------------------------------------


def _users(
    fid: str,
    lo: float,
    hi: float,
    period: str,
    source: str,
    value: str,
    stated: str = "2025-07",
    **kw,
) -> Fact:
    return fact(
        fid, lo, hi, metric="users", period=period, source=source, value=value, stated=stated, **kw
    )


def test_conflict_matching_an_earlier_period_is_stale() -> None:
    results, _ = run(
        _users("bohu-users-q1", 2.1995e7, 2.2005e7, "2025Q1", "bohu", "2200萬", "2025-05"),
        _users("x-users-2024", 5e6, INF, "2024Q3", "bohu", "超500萬", "2025-05", lo_open=True),
        _users("mk-users-06", 2.1995e7, 2.2005e7, "2025-06", "morketing", "2200萬"),
        _users("new-users-06", 2.995e7, 3.005e7, "2025-06", "new", "3000萬"),
    )
    assert [r.verdict for r in results] == ["stale"]
    r = results[0]
    assert (r.severity, r.id) == ("warning", "conflict:kuaishou.users@2025-06")
    assert r.is_finding
    # 3000萬 overlaps 超500萬 too, but an open-ended floor agreeing with both sides says nothing
    assert set(r.data.to_json()["matches_earlier"]) == {"mk-users-06"}
    assert r.data.to_json()["matches_earlier"]["mk-users-06"]["fact_id"] == "bohu-users-q1"
    assert "2200萬 (morketing) matches 2200萬 given for the earlier period 2025Q1" in r.message
    assert r.fact_ids == ("mk-users-06", "new-users-06")  # the earlier fact is not a member


def test_an_earlier_floor_agreeing_with_both_sides_is_no_evidence() -> None:
    results, _ = run(
        _users("q1", 2.2e7, INF, "2025Q1", "bohu", "突破2200萬", "2025-05", lo_open=True),
        _users("a", 2.1995e7, 2.2005e7, "2025-06", "a", "2200萬"),
        _users("b", 2.995e7, 3.005e7, "2025-06", "b", "3000萬"),
    )
    assert [r.verdict for r in results] == ["conflict"]


def test_an_earlier_figure_stated_later_than_the_claim_is_no_evidence() -> None:
    results, _ = run(
        _users("q1", 2.1995e7, 2.2005e7, "2025Q1", "late", "2200萬", "2025-12"),
        _users("a", 2.1995e7, 2.2005e7, "2025-06", "a", "2200萬"),
        _users("b", 2.995e7, 3.005e7, "2025-06", "b", "3000萬"),
    )
    assert [r.verdict for r in results] == ["conflict"]


def test_a_part_of_the_period_is_not_an_earlier_period() -> None:
    """A quarter's revenue agreeing with one side of a full-year conflict is not stale."""
    results, _ = run(
        fact("q1", 1.45e8, 1.55e8, metric="revenue", period="2025Q1", stated="2025-05"),
        fact("fy-a", 1.45e8, 1.55e8, metric="revenue", period="FY2025", source="a"),
        fact("fy-b", 9.5e8, 1.05e9, metric="revenue", period="FY2025", source="b"),
    )
    assert [r.verdict for r in results] == ["conflict"]


def test_later_period_does_not_make_a_conflict_stale() -> None:
    results, _ = run(
        fact("a", 1.0, period="2025Q1"),
        fact("b", 2.0, period="2025Q1", source="b"),
        fact("later", 1.0, period="2025Q2"),
        fact("other-series", 1.0, period="2024Q4", qualifiers={"segment": "x"}),
    )
    assert [r.verdict for r in results] == ["conflict"]


def test_stale_changes_the_fingerprint_of_a_conflict() -> None:
    base = [fact("a", 1.0, period="2025Q1"), fact("b", 2.0, period="2025Q1", source="b")]
    (plain,), _ = run(*base)
    (stale,), _ = run(*base, fact("old", 2.0, period="2024Q4", source="c"))
    assert plain.id == stale.id
    assert stale.verdict == "stale"
    assert plain.fingerprint != stale.fingerprint


# --- series: false --------------------------------------------------------------------------


def test_series_false_cuts_of_different_models_need_review() -> None:
    results, extra = run(
        fact(
            "tmt-cut-title",
            -30.5,
            -29.5,
            entity="kling",
            metric="price_change",
            period="2025-09-23",
            source="tmtpost",
            value="降價30%",
            qualifiers={"model": "kling-2.5-turbo", "basis": "kling-2.1"},
        ),
        fact(
            "tmt-cut-body",
            -30.0,
            -28.5,
            entity="kling",
            metric="price_change",
            period="2025-09-23",
            source="tmtpost",
            value="便宜近30%",
            line=5,
            qualifiers={"model": "kling-2.5-turbo", "basis": "kling-2.1"},
        ),
        fact(
            "bohu-cut",
            -65.5,
            -64.5,
            entity="kling",
            metric="price_change",
            period="2025-05",
            source="bohu",
            value="降低了65%",
            qualifiers={"model": "kling-2.1-hq", "basis": "kling-2.0-master"},
        ),
    )
    by_id = {r.id: r for r in results}
    review = by_id["conflict:kling.price_change:series-false"]
    assert (review.verdict, review.severity) == ("needs-review", "warning")
    assert review.is_finding
    assert set(review.fact_ids) == {"tmt-cut-title", "tmt-cut-body", "bohu-cut"}
    facts = review.data.to_json()["facts"]
    assert len(facts) == 3  # every value, none merged
    assert {f["qualifiers"]["model"] for f in facts} == {"kling-2.5-turbo", "kling-2.1-hq"}
    for text in ("降價30%", "便宜近30%", "降低了65%", "model=kling-2.1-hq", "@2025-05"):
        assert text in review.message
    # the two tmtpost facts share a key and are also compared as a group of their own
    same = by_id["conflict:kling.price_change@2025-09-23[basis=kling-2.1,model=kling-2.5-turbo]"]
    assert same.verdict == "agree"
    assert extra["side_by_side"] == 1


def test_series_false_overlapping_values_need_no_review() -> None:
    results, _ = run(
        fact(
            "a",
            -30.5,
            -29.5,
            entity="kling",
            metric="price_change",
            period="2025-09",
            qualifiers={"model": "m1"},
        ),
        fact(
            "b",
            -31.0,
            -29.0,
            entity="kling",
            metric="price_change",
            period="2025-05",
            qualifiers={"model": "m2"},
            source="b",
        ),
    )
    assert results == []


def test_series_false_disjoint_within_one_key_only_is_a_plain_conflict() -> None:
    results, _ = run(
        fact("a", -30.0, entity="kling", metric="price_change", qualifiers={"model": "m1"}),
        fact(
            "b",
            -65.0,
            entity="kling",
            metric="price_change",
            qualifiers={"model": "m1"},
            source="b",
        ),
        fact("c", -70.0, -20.0, entity="kling", metric="price_change", qualifiers={"model": "m2"}),
    )
    assert [r.verdict for r in results] == ["conflict"]


def test_series_true_metrics_are_not_compared_across_periods() -> None:
    results, _ = run(fact("a", 1.0, period="2025Q1"), fact("b", 9.0, period="2025Q2"))
    assert results == []


# --- ids and fingerprints -------------------------------------------------------------------


def test_ids_and_fingerprints_are_stable_when_unrelated_facts_change() -> None:
    group = [fact("a", 1.0), fact("b", 2.0, source="b")]
    (before,), _ = run(*group, fact("u", 7.0, metric="revenue", line=3))
    (after,), _ = run(
        *group,
        fact("u", 8.0, metric="revenue", line=9),
        fact("v", 8.0, metric="revenue", period="2024Q1"),
    )
    assert (before.id, before.fingerprint) == (after.id, after.fingerprint)


def test_fingerprint_ignores_positions_but_not_values() -> None:
    (r1,), _ = run(fact("a", 1.0, line=3), fact("b", 2.0, source="b"))
    (moved,), _ = run(fact("a", 1.0, line=30), fact("b", 2.0, source="b"))
    (changed,), _ = run(fact("a", 1.5, line=3), fact("b", 2.0, source="b"))
    (retext,), _ = run(fact("a", 1.0, line=3, value="1.0"), fact("b", 2.0, source="b"))
    assert r1.fingerprint == moved.fingerprint
    assert r1.id == changed.id == retext.id
    assert r1.fingerprint != changed.fingerprint
    # the same interval written otherwise: what disagrees is unchanged
    assert r1.fingerprint == retext.fingerprint


def test_an_agreeing_source_leaves_the_fingerprint_and_a_changed_side_does_not() -> None:
    """Fingerprints cover what disagrees: each side's common interval."""
    (base,), _ = run(fact("a", 1.0), fact("b", 2.0, source="b"))
    (agreeing,), _ = run(fact("a", 1.0), fact("b", 2.0, source="b"), fact("c", 1.0, source="c"))
    (wider,), _ = run(fact("a", 1.0), fact("b", 2.0, source="b"),
                      fact("c", 0.5, 1.5, source="c"))  # fmt: skip
    (moved,), _ = run(fact("a", 1.2), fact("b", 2.0, source="b"))
    assert base.verdict == agreeing.verdict == wider.verdict == "conflict"
    assert base.fingerprint == agreeing.fingerprint == wider.fingerprint
    assert base.fingerprint != moved.fingerprint


def test_needs_review_fingerprint_follows_its_members() -> None:
    def cuts(v: float) -> list[Fact]:
        return [
            fact("a", -30.0, entity="kling", metric="price_change", qualifiers={"model": "m1"}),
            fact("b", v, entity="kling", metric="price_change", qualifiers={"model": "m2"}),
        ]

    (r1,), _ = run(*cuts(-65.0))
    (r2,), _ = run(*cuts(-60.0))
    assert r1.id == r2.id == "conflict:kling.price_change:series-false"
    assert r1.fingerprint != r2.fingerprint


# --- scale ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [5000])
def test_a_large_group_is_one_sweep(n: int) -> None:
    """n facts in one group: one result, and an overlap check per fact (no pairs)."""
    agreeing = [
        fact(f"f{i}", 100.0 - (i % 50), 200.0 + (i % 7), source=f"s{i % 13}") for i in range(n)
    ]
    (r,), extra = run(*agreeing)
    assert r.verdict == "agree" and r.data.to_json()["duplicate"] == "consistent"
    assert len(r.fact_ids) == n == len(r.data.to_json()["facts"])
    assert extra == {
        "groups": 1,
        "compared": 1,
        "repeats": 0,
        "side_by_side": 0,
        "verdicts": {"agree": 1},
        "incomparable": [],
    }
    # disjoint values, with an earlier period to search for every odd one out
    spread = [fact(f"g{i}", float(i), float(i) + 0.5, source=f"s{i % 13}") for i in range(n)]
    history = [fact(f"h{i}", float(i), period="2024Q4") for i in range(0, n, 2)]
    results, _ = run(*spread, *history)
    (r,) = [x for x in results if x.id == "conflict:kuaishou.dau@2025Q1"]
    assert r.verdict == "stale"
    assert len(r.data.to_json()["matches_earlier"]) == n // 2
    assert len(r.message) < 1500  # the message stays readable; data has everything


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "label"),
    [
        ("2025-01..2025-03", "2025Q1"),
        ("2025", "FY2025"),
        ("2025Q1..2025Q2", "2025H1"),
        ("2024-06..2025-02", "2024-06..2025-02"),
        ("2025-11-27", "2025-11-27"),
        ("2028..2030", "FY2028..FY2030"),
    ],
)
def test_period_labels_are_canonical(written: str, label: str) -> None:
    assert period_label(parse_period(written)) == label
    assert parse_period(label).key == parse_period(written).key


def test_revised_projections_are_not_looked_up_as_stale() -> None:
    """4億 (January target) equals last year's revenue, but it was revised, not repeated: only
    the same-date disagreement (10億 vs 12億) is a conflict, and neither side matches FY2024."""
    results, _ = run(
        fact("fy24", 3.95e8, 4.05e8, entity="kling", metric="revenue", period="FY2024",
             stated="2025-01"),
        _guidance("jan", 3.98e8, "2025-01", "a", "4億元"),
        _guidance("nov-a", 1.0e9, "2025-11", "b", "10億元"),
        _guidance("nov-b", 1.2e9, "2025-11", "c", "12億元"),
    )  # fmt: skip
    (r,) = [x for x in results if x.id == "conflict:kling.revenue@FY2025"]
    assert r.verdict == "conflict"
    assert set(r.data.to_json()["disjoint"]) == {"nov-a", "nov-b"}


def test_the_check_runs_through_the_protocol() -> None:
    from types import SimpleNamespace

    from factledger.checks import CheckContext
    from factledger.checks.conflicts import CHECK

    corpus = SimpleNamespace(
        facts=[fact("a", 1.0), fact("b", 2.0, source="b")], metrics=METRICS, sources={}
    )
    out = CHECK.run(CheckContext(corpus, None))  # type: ignore[arg-type]
    assert [r.verdict for r in out.results] == ["conflict"]
    assert (out.extras["groups"], out.extras["compared"]) == (1, 1)
