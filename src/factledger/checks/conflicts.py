"""Cross-source comparison: the same figure, as every source gives it, side by side.

Facts are grouped by entity, metric, qualifiers and period (as dates, so ``2025Q1`` and
``2025-01..2025-03`` meet), with every value converted to the metric's canonical unit. ``kind``
is not part of the key: a guidance and an actual for the same year are the same figure. Each
group with two or more facts gets one result, classified the way XBRL classifies duplicate facts:

* ``agree`` (info): all intervals share a point — ``complete`` duplicates when the intervals are
  identical, ``consistent`` when they only overlap;
* ``conflict`` (error): some intervals are disjoint;
* ``revision`` (info): the disjoint values are projections (guidance, forecast, estimate) stated
  at different dates — a later target replacing an earlier one, not a contradiction;
* ``stale`` (warning): a conflict in which one value matches a figure given for an EARLIER
  period of the same series — an outdated number presented as current.

For metrics registered with ``series: false`` (point claims such as a price cut) the values of
one entity and metric under different qualifiers or periods are also compared: disjoint ones
make one ``needs-review`` warning listing every value, so that a 30% cut and a 65% cut are
never silently merged or dropped.

Cost: one dict pass to group, then O(n log n) per group (sort by the lower end and sweep);
nothing compares all pairs. Pure functions over plain data; no I/O.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from factledger import formatting as fmt
from factledger import payloads as pl
from factledger.checks import (
    Check,
    CheckContext,
    CheckOutput,
    Incremental,
    Lookup,
    Unit,
    UnitsView,
    keyed,
    pair_key,
    pairs_of,
    run_all,
    source_key,
)
from factledger.checks.crosscheck import probes
from factledger.model import PROJECTION_KINDS, Fact, Interval, Metric, Period, Result, fingerprint

SEVERITY = {
    "agree": "info",
    "revision": "info",
    "conflict": "error",
    "stale": "warning",
    "needs-review": "warning",
    "strained": "warning",  # agree under the sound reading, disjoint under the typical one
}
# Messages list at most this many values; ``data["facts"]`` always has every one.
MESSAGE_LIMIT = 8
SIDE_BY_SIDE_LIMIT = 50

GroupKey = tuple[str, str, tuple[tuple[str, str], ...], str]
SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Member:
    """A fact with its value in the metric's canonical unit."""

    fact: Fact
    iv: Interval

    @property
    def converted(self) -> bool:
        return self.fact.interval is not None and self.fact.interval.unit != self.iv.unit


# --- interval helpers ---------------------------------------------------------------------------
# At equal values an open end is the more restrictive one, so these orders pick the interval
# that bounds a whole set: the max of lo_rank and the min of hi_rank decide if all share a point.


# Exact ends (Interval.low/high): a converted value that touched another before the conversion
# still touches it.


def _lo_rank(m: Member) -> tuple[float | Fraction, bool]:
    return m.iv.low


def _hi_rank(m: Member) -> tuple[float | Fraction, bool]:
    hi, hi_open = m.iv.high
    return (hi, not hi_open)


def _sort_key(m: Member) -> tuple:
    return (*_lo_rank(m), *_hi_rank(m), m.fact.id)


def _extremes(ms: Sequence[Member]) -> tuple[Member, Member]:
    """(member with the greatest lower end, member with the least upper end)."""
    return max(ms, key=_lo_rank), min(ms, key=_hi_rank)


def all_overlap(ms: Sequence[Member]) -> bool:
    """True when every pair overlaps; on a line that is one common point (Helly), so O(n)."""
    top_lo, low_hi = _extremes(ms)
    return top_lo.iv.overlaps(low_hi.iv)


def _same(a: Interval, b: Interval) -> bool:
    return (a.low, a.high) == (b.low, b.high)


def clusters(ms: Sequence[Member]) -> list[list[Member]]:
    """Split into runs that share a point: sort by the lower end, sweep, cut where the next
    interval misses the running intersection. The number of runs is the least possible."""
    out: list[list[Member]] = []
    common: Interval | None = None
    for m in sorted(ms, key=_sort_key):
        if common is not None and common.overlaps(m.iv):
            out[-1].append(m)
            common = common.intersect(m.iv)
        else:
            out.append([m])
            common = m.iv
    return out


class _OverlapIndex:
    """Members of one group, queryable for 'a member overlapping q' in O(log n).

    Sorted by the lower end; ``best[i]`` is the member with the greatest upper end among the
    first i+1. Every member with lo < q.hi overlaps q iff its upper end reaches q.lo, so the best
    of that prefix answers; members with lo == q.hi (open/closed ties) are checked one by one.
    """

    def __init__(self, ms: Sequence[Member]) -> None:
        self.ms = sorted(ms, key=_sort_key)
        self.los = [m.iv.low[0] for m in self.ms]
        self.best: list[Member] = []
        for m in self.ms:
            if not self.best or _hi_rank(m) > _hi_rank(self.best[-1]):
                self.best.append(m)
            else:
                self.best.append(self.best[-1])

    def find(self, q: Interval, accept: Callable[[Member], bool]) -> Member | None:
        """A member overlapping ``q`` that ``accept`` takes, or None."""
        q_hi = q.high[0]
        i = bisect.bisect_left(self.los, q_hi)
        if i and self.best[i - 1].iv.overlaps(q):
            if accept(self.best[i - 1]):
                return self.best[i - 1]
            # the best overlap was refused: try the others one by one (rare, small groups)
            for m in reversed(self.ms[:i]):
                if m.iv.overlaps(q) and accept(m):
                    return m
        while i < len(self.ms) and self.los[i] == q_hi:
            m = self.ms[i]
            if m.iv.overlaps(q) and accept(m):
                return m
            i += 1
        return None


# --- readable text ------------------------------------------------------------------------------


def group_label(
    entity: str, metric: str, qualifiers: Iterable[tuple[str, str]], period: Period
) -> str:
    q = ",".join(f"{k}={v}" for k, v in qualifiers)
    return f"{entity}.{metric}@{fmt.period_label(period)}" + (f"[{q}]" if q else "")


def _value_text(m: Member) -> str:
    """The value as written, and in the canonical unit when it was converted."""
    if m.converted:
        return f"{m.fact.value} ≈ {fmt.interval(m.iv)}"
    return m.fact.value


def _cite(m: Member) -> str:
    return f"{_value_text(m)} ({m.fact.source}, {m.fact.file}:{m.fact.line})"


def _listing(ms: Sequence[Member], limit: int = MESSAGE_LIMIT) -> str:
    shown = ", ".join(_cite(m) for m in ms[:limit])
    return shown + (f", … (+{len(ms) - limit} more)" if len(ms) > limit else "")


def _clusters_text(runs: list[list[Member]]) -> str:
    parts, budget = [], MESSAGE_LIMIT
    for run in runs:
        if budget <= 0:
            parts.append(f"… (+{sum(len(r) for r in runs[len(parts) :])} more)")
            break
        parts.append(_listing(run, budget))
        budget -= len(run)
    return " vs ".join(parts)


# --- result data --------------------------------------------------------------------------------


def fact_data(m: Member, *, qualifiers: bool = False, period_label: bool = False) -> pl.Member:
    f = m.fact
    return pl.Member(
        fact_id=f.id,
        source=f.source,
        value=f.value,
        interval=m.iv,
        period=f.period.text,
        kind=f.kind,
        stated=f.stated.text,
        file=f.file,
        line=f.line,
        quote=f.quote,
        qualifiers=dict(f.qualifiers) if qualifiers else None,
        period_label=fmt.period_label(f.period) if period_label else None,
    )


def _by_location(ms: Iterable[Member]) -> list[Member]:
    return sorted(ms, key=lambda m: (m.fact.file, m.fact.line, m.fact.id))


def _fingerprint(verdict: str, sides: Iterable[Sequence[Member]], *extra: Any) -> str:
    """What disagrees, not every member: the verdict and, for each side (a run of members that
    share a point; for a needs-review list, each qualifier/period key), the interval its members
    share. A source that agrees with a side — its interval contains the side's common interval —
    leaves the fingerprint as it was; a changed value on either side changes it. Never file
    positions or ids."""
    parts = []
    for side in sides:
        common = side[0].iv
        for m in side[1:]:
            common = common.intersect(m.iv)
        parts.append(common.to_json())
    return fingerprint("conflict", verdict, sorted(parts, key=str), *extra)


# --- classification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Disjoint:
    a: Member
    b: Member
    why: str


def issuer(fact: Fact, outlets: dict[str, str] | None = None) -> str:
    """Whose figure a projection is: ``stated_by`` when the fact says; else the company itself for
    guidance, and the outlet that publishes a forecast or estimate."""
    if fact.stated_by:
        return fact.stated_by
    if fact.kind == "guidance":
        return fact.entity
    return (outlets or {}).get(fact.source, fact.source)


def _unexcused(ms: Sequence[Member], outlets: dict[str, str] | None = None) -> _Disjoint | None:
    """A disjoint pair that is not a revision, or None when every disjoint pair is one.

    A pair is excused only when both are projections, and not by the same issuer at the same
    date (a company's target and an analyst's forecast are different claims; one issuer's
    figures at different dates are a revision). So: within one issuer and stated date
    projections must share a point, and every other fact (actual, derived) must overlap every
    member — both checkable from per-set extremes, in O(n)."""
    projections: dict[tuple[str, str], list[Member]] = defaultdict(list)
    others: list[Member] = []
    for m in ms:
        if m.fact.kind in PROJECTION_KINDS:
            projections[issuer(m.fact, outlets), m.fact.stated.key].append(m)
        else:
            others.append(m)
    top_lo, low_hi = _extremes(ms)
    if len(projections) < 2:
        return _Disjoint(low_hi, top_lo, "disjoint")
    for vintage in projections.values():
        v_top, v_low = _extremes(vintage)
        if not v_top.iv.overlaps(v_low.iv):
            stated = v_low.fact.stated.text
            return _Disjoint(v_low, v_top, f"disjoint, though stated at the same date ({stated})")
    for o in others:
        for g in (low_hi, top_lo):
            if not o.iv.overlaps(g.iv):
                return _Disjoint(o, g, f"disjoint; {o.fact.id} is {o.fact.kind}, not a projection")
    return None


def _chains(ms: Sequence[Member], outlets: dict[str, str] | None) -> list[pl.RevisionChain]:
    """One revision chain per issuer, oldest step first: one step per stated date with its
    values and sources. A later figure that agrees with an earlier step of the same chain
    restates it: it is listed with that step (``restated``), not as a new step."""
    by_issuer: dict[str, list[Member]] = defaultdict(list)
    for m in ms:
        if m.fact.kind in PROJECTION_KINDS:  # an actual that agrees with all is no step
            by_issuer[issuer(m.fact, outlets)].append(m)
    chains = []
    for who, members in sorted(by_issuer.items()):
        steps: list[tuple[list[Member], list[Member]]] = []  # (the step's facts, restatements)
        dated: dict[str, list[Member]] = defaultdict(list)
        for m in members:
            dated[m.fact.stated.key].append(m)
        for vintage in sorted(
            dated.values(), key=lambda v: (v[0].fact.stated.start, v[0].fact.stated.end)
        ):
            vintage = sorted(vintage, key=_sort_key)
            earlier = next(
                (st for st in steps if all(m.iv.overlaps(x.iv) for m in vintage for x in st[0])),
                None,
            )
            if earlier is not None and steps:
                earlier[1].extend(vintage)
            else:
                steps.append((vintage, []))
        chains.append(pl.RevisionChain(who, [_step(facts, again) for facts, again in steps]))
    return chains


def _step(facts: list[Member], restated: list[Member]) -> pl.RevisionStep:
    stated = facts[0].fact.stated

    def brief(m: Member) -> pl.StepFact:
        return pl.StepFact(m.fact.id, m.fact.source, m.fact.value, m.fact.kind, m.iv,
                           m.fact.stated.text)  # fmt: skip

    return pl.RevisionStep(
        stated=stated.text,
        stated_start=stated.start.isoformat(),
        stated_end=stated.end.isoformat(),
        sources=sorted({m.fact.source for m in facts}),
        facts=[brief(m) for m in facts],
        restated=[brief(m) for m in restated],
    )


def _chain_text(chains: list[pl.RevisionChain], by_id: dict[str, Member]) -> str:
    out = []
    for chain in chains:
        steps = []
        for step in chain.steps:
            values = ", ".join(_value_text(by_id[f.fact_id]) for f in step.facts[:4])
            more = f", … (+{len(step.facts) - 4})" if len(step.facts) > 4 else ""
            again = f"; restated {len(step.restated)}×" if step.restated else ""
            steps.append(f"{values}{more} ({', '.join(step.sources)}, stated {step.stated}{again})")
        out.append(f"{chain.issuer}: " + " → ".join(steps))
    return "; ".join(out)


def classify_group(
    ms: Sequence[Member],
    earlier: Sequence[tuple[Period, _OverlapIndex]] = (),
    outlets: dict[str, str] | None = None,
) -> Result:
    """One result for a group of two or more facts sharing entity, metric, qualifiers, period.

    ``earlier``: indexes of the same series' groups for earlier periods, latest first, where a
    conflicting value is looked up to tell a stale figure from a plain conflict."""
    ordered = _by_location(ms)
    first = ordered[0].fact
    label = group_label(first.entity, first.metric, first.qualifiers, first.period)
    rid = "conflict:" + label
    data: dict[str, Any] = {}  # the verdict's own fields of pl.ConflictData
    extra: tuple[Any, ...] = ()
    if all_overlap(ms):
        verdict = "agree"
        dup = "complete" if all(_same(m.iv, ordered[0].iv) for m in ordered) else "consistent"
        data["duplicate"] = dup
        what = "the same value" if dup == "complete" else "overlapping values"
        message = f"{label}: {len(ms)} facts give {what} ({dup} duplicates): {_listing(ordered)}"
    elif (bad := _unexcused(ms, outlets)) is None:
        verdict = "revision"
        chains = _chains(ms, outlets)
        data["chains"] = chains
        by_id = {m.fact.id: m for m in ms}
        message = f"{label}: revised, by issuer — {_chain_text(chains, by_id)}"
    else:
        verdict = "conflict"
        runs = clusters(ms)
        data["disjoint"] = [bad.a.fact.id, bad.b.fact.id]
        message = f"{label}: {_clusters_text(runs)}: {bad.why}"
        if bad.why != "disjoint" or len(runs) > 2:
            message += f" ({_value_text(bad.a)} vs {_value_text(bad.b)})"
        matches = _stale_matches(ms, earlier)
        if matches:
            verdict = "stale"
            data["matches_earlier"] = {
                mid: fact_data(e, period_label=True) for mid, e in sorted(matches.items())
            }
            mid, e = sorted(matches.items())[0]
            m = next(x for x in ms if x.fact.id == mid)
            message += (
                f"; {m.fact.value} ({m.fact.source}) matches {e.fact.value} given for the earlier "
                f"period {fmt.period_label(e.fact.period)} ({e.fact.source}, {e.fact.file}:"
                f"{e.fact.line}): possibly an outdated figure presented as current"
            )
            extra = (sorted((k, v.fact.id, v.fact.value) for k, v in matches.items()),)
    sides: list[list[Member]] = clusters(ms)
    if verdict in ("agree", "revision") and (strain := _strain(ms)) is not None:
        verdict, typical, a, b, stretch = strain
        sides = clusters(typical)
        data["disjoint"] = [a.fact.id, b.fact.id]
        data["strain"] = stretch
        message += f". Strained: {stretch}"
    key = {
        "entity": first.entity,
        "metric": first.metric,
        "qualifiers": dict(first.qualifiers),
        "period": first.period.key,
    }
    facts = [fact_data(m) for m in ordered]
    return Result(
        id=rid,
        kind="conflict",
        severity=SEVERITY[verdict],
        verdict=verdict,
        message=message,
        fact_ids=tuple(m.fact.id for m in ordered),
        file=first.file,
        line=first.line,
        fingerprint=_fingerprint(verdict, sides, *extra),
        data=pl.ConflictData(kind=verdict, key=key, facts=facts, label=label, **data),
    )


def typical_members(ms: Sequence[Member]) -> list[Member]:
    """The same members read as their writers most likely meant them (the typical reading), in
    the unit the group is compared in."""
    out = []
    for m in ms:
        written = m.fact.interval is not None and m.iv.unit == m.fact.interval.unit
        iv = m.fact.written("typical") if written else m.fact.reading("typical")
        out.append(Member(m.fact, iv if iv is not None else m.iv))
    return out


def _strain(ms: Sequence[Member]) -> tuple[str, list[Member], Member, Member, str] | None:
    """A group that agrees (or is a revision) under the sound reading but not under the typical
    one: ("strained", the typical members, the disjoint pair, what it would take)."""
    typical = typical_members(ms)
    if all(t.iv == m.iv for t, m in zip(typical, ms, strict=True)) or _passes(typical):
        return None
    top_lo, low_hi = _extremes(typical)
    lo_bound, hi_bound = top_lo.iv.low[0], low_hi.iv.high[0]
    sound = {m.fact.id: m.iv for m in ms}
    unit = low_hi.iv.unit
    low, top = low_hi.fact, top_lo.fact
    if sound[low.id].high[0] >= lo_bound and low_hi.iv != sound[low.id]:
        need = f"at least {fmt.number(float(lo_bound), unit)}"
        stretch = f"{low.value} ({low.source}) agrees with {top.value} ({top.source}) only if "
        stretch += f"it is {need}"
    elif sound[top.id].low[0] <= hi_bound and top_lo.iv != sound[top.id]:
        need = f"at most {fmt.number(float(hi_bound), unit)}"
        stretch = f"{top.value} ({top.source}) agrees with {low.value} ({low.source}) only if "
        stretch += f"it is {need}"
    else:
        stretch = (
            "the values overlap only where both are read at the edge of what their words allow"
        )
    return "strained", typical, low_hi, top_lo, stretch


def _odd_ones_out(ms: Sequence[Member]) -> list[Member]:
    """Members in a disjoint pair that is not excused as a revision: a projection against its
    own stated date's values or against a non-projection; a non-projection against anyone."""
    projections: dict[str, list[Member]] = defaultdict(list)
    others = [m for m in ms if m.fact.kind not in PROJECTION_KINDS]
    for m in ms:
        if m.fact.kind in PROJECTION_KINDS:
            projections[m.fact.stated.key].append(m)
    everyone = _extremes(ms)
    vintage = {k: _extremes(v) for k, v in projections.items()}
    of_others = _extremes(others) if others else ()
    out = []
    for m in ms:
        if m.fact.kind in PROJECTION_KINDS:
            against = (*vintage[m.fact.stated.key], *of_others)
        else:
            against = everyone
        if not all(m.iv.overlaps(x.iv) for x in against):
            out.append(m)
    return out


def _stale_matches(
    ms: Sequence[Member], earlier: Sequence[tuple[Period, _OverlapIndex]]
) -> dict[str, Member]:
    """Odd ones out whose value matches a figure of an earlier period (the latest such period).

    The earlier figure must (1) have been stated by the time the odd one out was — an outdated
    figure existed when it was repeated — and (2) be disjoint from some value of the group, so
    that it tells the sides apart: an open-ended 突破2200萬 agrees with every larger count and
    would otherwise "explain" any conflict. Cost: O(members × earlier periods × log size)."""
    if not earlier:
        return {}
    top_lo, low_hi = _extremes(ms)
    found: dict[str, Member] = {}
    for m in _odd_ones_out(ms):

        def accept(e: Member, m: Member = m) -> bool:
            if e.fact.stated.start > m.fact.stated.end or e.iv.unit != m.iv.unit:
                return False
            return not (e.iv.overlaps(top_lo.iv) and e.iv.overlaps(low_hi.iv))

        for _period, index in earlier:
            hit = index.find(m.iv, accept)
            if hit is not None:
                found[m.fact.id] = hit
                break
    return found


def side_by_side(ms: Sequence[Member], metric: Metric) -> Result | None:
    """``series: false``: one entity and metric across qualifiers and periods. A finding when
    two values under DIFFERENT keys are disjoint; every value is listed, none merged."""
    by_key: dict[tuple, list[Member]] = defaultdict(list)
    for m in ms:
        by_key[(m.fact.qualifiers, m.fact.period.key)].append(m)
    if len(by_key) < 2:
        return None
    # For each key, its least upper end against the greatest lower end among the OTHER keys
    # (best two kept): a cross-key disjoint pair exists iff one such pair is disjoint. O(n).
    lows = {k: min(v, key=_hi_rank) for k, v in by_key.items()}
    tops = sorted(
        ((max(v, key=_lo_rank), k) for k, v in by_key.items()),
        key=lambda t: _lo_rank(t[0]),
        reverse=True,
    )[:2]
    witness = None
    for k, low in lows.items():
        top = next(t for t, tk in tops if tk != k)
        if not low.iv.overlaps(top.iv):
            witness = (low, top)
            break
    if witness is None:
        return None
    ordered = sorted(
        ms, key=lambda m: (m.fact.qualifiers, m.fact.period.start, m.fact.period.end, _sort_key(m))
    )
    first = _by_location(ms)[0].fact
    entries = []
    for m in ordered[:SIDE_BY_SIDE_LIMIT]:
        q = fmt.qualifiers(m.fact.qualifiers)
        entries.append(
            f"{_value_text(m)} [{q or 'no qualifiers'}] @{m.fact.period.text} "
            f"({m.fact.source}, {m.fact.file}:{m.fact.line})"
        )
    if len(ordered) > SIDE_BY_SIDE_LIMIT:
        entries.append(f"… (+{len(ordered) - SIDE_BY_SIDE_LIMIT} more)")
    low, top = witness
    message = (
        f"{first.entity}.{metric.key} (series: false): {len(by_key)} qualifier/period "
        f"combinations with disjoint values (e.g. {_value_text(low)} vs {_value_text(top)}); "
        f"check they are different subjects: " + "; ".join(entries)
    )
    return Result(
        id=f"conflict:{first.entity}.{metric.key}:series-false",
        kind="conflict",
        severity=SEVERITY["needs-review"],
        verdict="needs-review",
        message=message,
        fact_ids=tuple(m.fact.id for m in ordered),
        file=first.file,
        line=first.line,
        fingerprint=_fingerprint("needs-review", by_key.values()),
        data=pl.ConflictData(
            kind="needs-review",
            key={"entity": first.entity, "metric": metric.key},
            facts=[fact_data(m, qualifiers=True) for m in ordered],
            combinations=len(by_key),
            disjoint=[low.fact.id, top.fact.id],
        ),
    )


# --- entry points -------------------------------------------------------------------------------


def members(facts: Iterable[Fact], metrics: dict[str, Metric]) -> tuple[list[Member], list[str]]:
    """Comparable facts — not hypothetical, with a value in the metric's canonical unit — and
    the ids of those that are not comparable (unconvertible, or in another unit). Those are
    reported by the table build and schema checks; comparing them here would be meaningless."""
    out, skipped = [], []
    for f in facts:
        metric = metrics.get(f.metric)
        if f.kind == "hypothetical" or metric is None:
            continue
        iv = f.canonical
        if iv is None or iv.unit != metric.unit or math.isnan(iv.lo) or math.isnan(iv.hi):
            skipped.append(f.id)
        else:
            out.append(Member(f, iv))
    return out, skipped


def in_written_unit(ms: list[Member]) -> list[Member]:
    """A group whose facts are all written in one currency other than the metric's is compared
    as written: two USD figures need no exchange rate, and the rate's uncertainty (±2 %) would
    otherwise make 1.4億美元 and 1.5億美元 overlap once both are in CNY."""
    if len(ms) < 2 or any(m.fact.interval is None for m in ms):
        return ms
    units = {m.fact.interval.unit for m in ms}  # type: ignore[union-attr]
    if len(units) == 1 and units != {ms[0].iv.unit}:
        return [Member(m.fact, m.fact.interval) for m in ms]  # type: ignore[arg-type]
    return ms


def _passes(ms: Sequence[Member], outlets: dict[str, str] | None = None) -> bool:
    """The group's verdict passes: all share a point, or every disjoint pair is a revision."""
    return all_overlap(ms) or _unexcused(ms, outlets) is None


# Past this size a group is judged by its members' bounds instead of probing each member (the
# probe costs O(n) per value, so O(n²) per group).
PROBED_GROUP_LIMIT = 64


def touched_members(ms: Sequence[Member], dimension: str) -> set[str]:
    """The members whose value decides whether the group conflicts: with some other value of
    that one fact (:func:`crosscheck.probes`) the verdict turns between passing and failing. A
    projection whose only company is projections stated at other dates (a revision chain) is
    compared with nothing that could contradict it."""
    if len(ms) > PROBED_GROUP_LIMIT:
        bounded = [m for m in ms if not (math.isinf(m.iv.lo) and math.isinf(m.iv.hi))]
        return {m.fact.id for m in ms} if len(bounded) >= 2 else set()
    passes = _passes(ms)
    out: set[str] = set()
    for i, m in enumerate(ms):
        for probe in probes(m.iv, dimension):
            trial = list(ms)
            trial[i] = Member(m.fact, probe)
            if _passes(trial) != passes:
                out.add(m.fact.id)
                break
    return out


def check(
    facts: Iterable[Fact],
    metrics: dict[str, Metric],
    *,
    measure_touched: bool = True,
    outlets: dict[str, str] | None = None,
) -> tuple[list[Result], dict, set[str]]:
    """Every conflict result for these facts, counts for the report, and the touched facts."""
    groups: dict[GroupKey, list[Member]] = defaultdict(list)
    comparable, incomparable = members(facts, metrics)
    for m in comparable:
        f = m.fact
        groups[(f.entity, f.metric, f.qualifiers, f.period.key)].append(m)
    groups = {key: in_written_unit(ms) for key, ms in groups.items()}
    series: dict[SeriesKey, list[tuple[Period, list[Member]]]] = defaultdict(list)
    for (entity, metric, quals, _pk), ms in groups.items():
        series[(entity, metric, quals)].append((ms[0].fact.period, ms))
    indexes: dict[GroupKey, _OverlapIndex] = {}  # built only for series that have a conflict

    def earlier_of(key: GroupKey, period: Period) -> list[tuple[Period, _OverlapIndex]]:
        """The series' groups for periods that end before this one starts, latest first.
        Overlapping periods are not 'earlier': a quarter inside the year is a part of it, not
        an older figure for it (so cumulative spans with one start are not compared)."""
        prior = [(p, ms) for p, ms in series[key[:3]] if p.end < period.start]
        prior.sort(key=lambda t: (t[0].end, t[0].start), reverse=True)
        out = []
        for p, ms in prior:
            gk = (*key[:3], p.key)
            if gk not in indexes:
                indexes[gk] = _OverlapIndex(ms)
            out.append((p, indexes[gk]))
        return out

    results: list[Result] = []
    compared = repeats = 0
    touched: set[str] = set()
    for key, ms in groups.items():
        if len(ms) < 2:
            continue
        if measure_touched:
            touched |= touched_members(ms, metrics[key[1]].dimension)
        if len({m.fact.source for m in ms}) > 1:
            compared += 1
        else:
            repeats += 1
        # earlier periods matter only for conflicts: skip the lookup when all agree
        earlier = [] if all_overlap(ms) else earlier_of(key, ms[0].fact.period)
        results.append(classify_group(ms, earlier, outlets))
    by_entity_metric: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for (entity, metric, _q, _p), ms in groups.items():
        if not metrics[metric].series:
            by_entity_metric[(entity, metric)].extend(ms)
    side = 0
    for (_entity, metric), ms in by_entity_metric.items():
        found = side_by_side(ms, metrics[metric])
        side += len({(m.fact.qualifiers, m.fact.period.key) for m in ms}) > 1
        if found is not None:
            results.append(found)
    results.sort(key=lambda r: r.id)
    verdicts: dict[str, int] = defaultdict(int)
    for r in results:
        verdicts[r.verdict] += 1
    extra = {
        "groups": len(groups),
        "compared": compared,
        "repeats": repeats,
        "side_by_side": side,
        "verdicts": dict(sorted(verdicts.items())),
        "incomparable": sorted(incomparable),
    }
    return results, extra, touched


def run_units(ctx: CheckContext, keys: Sequence[str] | None) -> list[Unit]:
    """One unit per entity-metric pair: its groups, their series (for stale figures) and the
    side-by-side list of a ``series: false`` metric all lie within it. Its results depend on its
    facts and on their sources' outlets (whose projection a figure is)."""
    if keys is None:
        facts, sources = ctx.facts, ctx.corpus.sources
    else:
        facts = ctx.lookup.facts_of_pairs(pairs_of(keys))
        sources = ctx.lookup.sources({f.source for f in facts})
    by_pair: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        by_pair[f.entity, f.metric].append(f)
    outlets = {sid: src.outlet for sid, src in sources.items()}
    units = []
    for (entity, metric), mine in by_pair.items():
        results, extras, touched = check(
            mine, ctx.corpus.metrics, measure_touched=ctx.measure_touched, outlets=outlets
        )
        units.append(Unit(
            pair_key(entity, metric), results,
            depends=frozenset(source_key(f.source) for f in mine),
            touched=frozenset(touched) if ctx.measure_touched else None, info=extras,
            order=pair_key(entity, metric),
        ))  # fmt: skip
    return units


def affected(keys: Collection[str], lookup: Lookup) -> set[str]:
    """The pairs of the changed facts (old and new), and of every fact of a changed source."""
    out = {k for k in keys if k.startswith("em:")}
    of_sources = lookup.facts_of_sources(keyed(keys, "source:"))
    out.update(pair_key(f.entity, f.metric) for f in of_sources)
    return out


def summarize(ctx: CheckContext, units: UnitsView) -> CheckOutput:
    total: dict[str, Any] = {"groups": 0, "compared": 0, "repeats": 0, "side_by_side": 0}
    verdicts: dict[str, int] = defaultdict(int)
    incomparable: list[str] = []
    for info in units.infos():
        for name in total:
            total[name] += info[name]
        for verdict, n in info["verdicts"].items():
            verdicts[verdict] += n
        incomparable += info["incomparable"]
    total["verdicts"] = dict(sorted(verdicts.items()))
    total["incomparable"] = sorted(incomparable)
    return CheckOutput([], total)


INCREMENTAL = Incremental(affected, run_units, summarize, by_id=True)


def run(ctx: CheckContext) -> CheckOutput:
    return run_all(ctx, INCREMENTAL)


CHECK = Check("conflicts", run, ("conflict",), cross_checks=True, incremental=INCREMENTAL)
