"""``increasing(series)`` / ``decreasing(series)``: one value per period, each above the last."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

from factledger import formatting as fmt
from factledger import intervals
from factledger import payloads as pl
from factledger.checks.rules.evaluation import (
    FactIndex,
    Outcome,
    Slot,
    Value,
    alternative_data,
    alternatives_message,
    decide,
    filled,
    operand_data,
    result,
    selects,
    sensitive_facts,
    show,
    worst,
)
from factledger.expression import Ref, Trend, ref_text
from factledger.load.rules import Rule
from factledger.model import Fact, Interval, Period, Result
from factledger.period import GRANULARITIES, granularity


def _series_slots(ref: Ref, index: FactIndex) -> tuple[list[Slot], list[str], list[Period]]:
    """One slot per period inside the range, of the series' most common granularity."""
    inside = [
        f
        for f in index.series(ref.entity, ref.metric)
        if ref.period.start <= f.period.start
        and f.period.end <= ref.period.end
        and selects(f, ref.filters)
    ]
    groups: dict[str, list[Fact]] = defaultdict(list)
    for fact in sorted(inside, key=lambda f: (f.period.start, f.period.end)):
        groups[fact.period.key].append(fact)
    counts: dict[str, int] = defaultdict(int)
    for facts in groups.values():
        counts[granularity(facts[0].period)] += 1
    # Most periods wins; on a tie the finer granularity (shorter periods) wins.
    chosen = max(counts, key=lambda g: (counts[g], -GRANULARITIES.index(g)), default="")
    slots, ignored, periods = [], [], []
    for facts in groups.values():
        period = facts[0].period
        label = fmt.period_label(period)
        if granularity(period) != chosen:
            ignored.append(label)
            continue
        slot = filled(Slot(period.key, label, []), facts, None)
        if slot.members:
            slots.append(slot)
            periods.append(period)
    return slots, ignored, periods


def _gaps(periods: list[Period]) -> list[str]:
    """The spans between consecutive periods that no fact covers."""
    gaps = []
    for prev, nxt in itertools.pairwise(periods):
        start = date.fromordinal(prev.end.toordinal() + 1)
        end = date.fromordinal(nxt.start.toordinal() - 1)
        if start <= end:
            gaps.append(fmt.period_label(start, end))
    return gaps


def _chain_possible(values: list[Interval]) -> bool:
    """Whether some choice x1 < x2 < ... < xn with xi in values[i] exists (greedy from below)."""
    lo, lo_open = values[0].low
    for iv in values[1:]:
        if lo >= iv.low[0]:
            lo, lo_open = lo, True  # strictly above the previous value
        else:
            lo, lo_open = iv.low
        hi, hi_open = iv.high
        if not (lo < hi or (lo == hi and not lo_open and not hi_open)):
            return False
    return True


def _judge_trend(name: str, slots: list[Slot], env: dict[str, Value]) -> Outcome:
    values = [env[s.key].iv for s in slots]
    if name == "decreasing":
        values = [intervals.neg(v) for v in values]
    steps, all_hold = [], True
    word = "rises" if name == "increasing" else "falls"
    for i in range(1, len(values)):
        always, sometimes = intervals.relation(values[i - 1], "<", values[i])
        all_hold = all_hold and always
        how = word if always else f"may not {word[:-1]}" if sometimes else f"does not {word[:-1]}"
        steps.append(f"{slots[i - 1].label} → {slots[i].label} {how}")
    if all_hold:
        verdict = "holds"
    elif _chain_possible(values):
        verdict = "possible"
    else:
        verdict = "violated"
    return Outcome(verdict, "; ".join(steps))


def evaluate_trend(
    rule: Rule, tree: Trend, index: FactIndex, touched: set[str] | None = None
) -> Result:
    slots, ignored, periods = _series_slots(tree.ref, index)
    label = ref_text(tree.ref)
    operands = operand_data(slots)
    if len(slots) < 2:
        found = ", ".join(s.label for s in slots) or "none"
        message = (
            f"unresolved — {tree.name}() needs facts for at least two periods of {label}; "
            f"found: {found}"
        )
        return result(
            rule, "unresolved", message, slots, operands=operands, unresolved=[label],
            ignored_periods=ignored,
        )  # fmt: skip

    def judge(env: dict[str, Value]) -> Outcome:
        return _judge_trend(tree.name, slots, env)

    base, alternatives = decide(slots, judge)
    verdict = worst(a.outcome.verdict for a in alternatives) if alternatives else base.verdict
    if touched is not None:
        touched |= sensitive_facts(slots, judge, index.dimensions, verdict=verdict, known=touched)
    series = "; ".join(f"{s.label} = {show(s.combined)}" for s in slots)
    message = f"{tree.name}({label}): {series}"
    if alternatives:
        message += ". " + alternatives_message(verdict, alternatives)
    else:
        message += f": {verdict} — {base.why}"
    gaps = [] if granularity(periods[0]) == "day" else _gaps(periods)
    if gaps:
        message += f". No facts for {', '.join(gaps)} (gap skipped: neighbours compared directly)"
    if ignored:
        message += f". Ignored periods of another length: {', '.join(ignored)}"
    points = [pl.SeriesPoint(s.label, s.combined, [m.fact.id for m in s.members]) for s in slots]
    return result(
        rule, verdict, message, slots, operands=operands, ignored_periods=ignored, series=points,
        gaps=gaps, alternatives=[alternative_data(a) for a in alternatives],
    )  # fmt: skip
