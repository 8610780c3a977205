"""The invariants check: relations declared once in ``facts/metrics.yaml``, instantiated over every
matching set of facts.

A relation (``subset_of``, ``part_of``, ``aggregation``, ``growth_of``, ``change_of``,
``ratio_of``; docs/fact-format.md, "Relations") becomes generated rules in the rule language —
``kling.paying_users@2025Q1 <= kling.users@2025Q1`` — of kind ``invariant``, evaluated by the same
interval engine as hand-written rules (:func:`factledger.checks.rules.evaluate`): alternatives when
sources disagree, the facts each result touches, every reading the engine gives. Two kinds of
finding are not comparisons and are built here: the same cumulative figure repeated months apart
(``repeated-figure``) and a derived fact's formula that divides one entity's figure by another's
or mixes period lengths without converting (``mixed-entities``, ``mixed-periods``).

Matching: facts are indexed once by (entity, metric, qualifiers) → period, so every relation
looks its partners up by key; the work grows with the facts (and, within one series, with its
number of periods), never with pairs of facts. Facts are compared only within one population:
reported figures (actual, estimate, derived) together, and each projection (guidance, forecast)
only with projections of the same kind stated at the same time — a forecast made in June is not
contradicted by the actual it underestimated. Hypothetical facts take part in nothing.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from factledger import formatting as fmt
from factledger import payloads as pl
from factledger.checks.formulas import contains
from factledger.checks.rules.evaluation import FactIndex, Slot, filled, operand_data
from factledger.expression import (
    Assertion,
    BinOp,
    Call,
    Compare,
    Expr,
    Num,
    Ref,
    ref_text,
    to_text,
    walk,
)
from factledger.load.relations import ancestors, member_view
from factledger.load.rules import Rule
from factledger.model import (
    GROWTH_BASES,
    PER_PERIODS,
    Entity,
    Fact,
    Metric,
    Period,
    Result,
    fingerprint,
)
from factledger.period import granularity
from factledger.quantity import HEDGES_AFTER, HEDGES_BEFORE, QuantityError, parse_quantity

Qualifiers = tuple[tuple[str, str], ...]
SeriesKey = tuple[str, str, Qualifiers]  # entity, metric, qualifiers
RELATIONS = (
    "subset_of",
    "part_of",
    "flow",
    "flow-sum",
    "stock",
    "cumulative",
    "repeated-figure",
    "growth_of",
    "change_of",
    "ratio_of",
    "formula-entities",
    "formula-periods",
    "entity_part_of",
    "member_of",
    "member-in-ranking",
)
# A cumulative figure repeated unchanged this many days later is probably an old figure.
REPEAT_DAYS = 30
# Dimensions whose values may be negative or are already relative: never summed over periods.
_NOT_ADDITIVE = frozenset({"growth", "share", "share-change", "ratio", "rank", "date", "score"})


@dataclass
class Group:
    """The facts of one key — entity, metric, qualifiers, period — in one population."""

    entity: str
    metric: str
    qualifiers: Qualifiers
    period: Period
    facts: list[Fact] = field(default_factory=list)

    @property
    def ref(self) -> Ref:
        return Ref(self.entity, self.metric, self.period, self.qualifiers)


class ExactIndex(FactIndex):
    """A population's facts for the generated references: a reference names its key's
    qualifiers exactly, so a whole ``[scope=x]`` never picks up its parts ``[scope=x, segment=y]``
    (a hand-written reference matches any fact whose qualifiers include its filters)."""

    def __init__(self, facts: Iterable[Fact], dimensions: dict[str, str]) -> None:
        super().__init__(facts, dimensions)
        exact: dict[tuple, list[Fact]] = defaultdict(list)
        for f in self.facts:
            exact[f.entity, f.metric, f.qualifiers, f.period.key].append(f)
        self.exact = dict(exact)

    def select(self, ref: Ref) -> tuple[list[Fact], int]:
        return list(self.exact.get((ref.entity, ref.metric, ref.filters, ref.period.key), ())), 0


def population(fact: Fact) -> tuple[str, str] | None:
    """Which facts one is compared with: ("", "") for reported figures, (kind, stated) for a
    projection; None for a hypothetical (never compared)."""
    if fact.kind == "hypothetical":
        return None
    if fact.kind in ("guidance", "forecast"):
        return fact.kind, fact.stated.key
    return "", ""


# --- periods ---------------------------------------------------------------------------------


def months(period: Period) -> int | None:
    """Whole calendar months of a month-aligned period, else None."""
    g = granularity(period)
    if g in ("day",) or (g == "span" and not _month_aligned(period)):
        return None
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def _month_aligned(period: Period) -> bool:
    return period.start.day == 1 and (period.end + timedelta(days=1)).day == 1


def _add_months(d: date, k: int, *, end_of_month: bool) -> date:
    y, m = divmod(d.month - 1 + k, 12)
    year, month = d.year + y, m + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, last if end_of_month else min(d.day, last))


def shifted_key(period: Period, k: int) -> str:
    """The key of the same span ``k`` months earlier (2025Q1 − 12 months = 2024Q1)."""
    start = _add_months(period.start, -k, end_of_month=False)
    end_of_month = (period.end + timedelta(days=1)).day == 1
    end = _add_months(period.end, -k, end_of_month=end_of_month)
    return f"{start.isoformat()}..{end.isoformat()}"


# --- trees and ids ---------------------------------------------------------------------------


def _sum(refs: list[Ref]) -> Expr:
    tree: Expr = refs[0]
    for r in refs[1:]:
        tree = BinOp("+", tree, r)
    return tree


def compact(tree: Assertion | Expr) -> str:
    """The assertion without spaces, its period written once when every reference shares it:
    ``kling.paying_users<=kling.users@2025Q1``."""
    text = to_text(tree).replace(" ", "")
    periods = {n.period.text for n in walk(tree) if isinstance(n, Ref)}
    if len(periods) == 1:
        (p,) = periods
        text = text.replace(f"@{p}", "") + f"@{p}"
    return text


def place(entity: str, metric: str, qualifiers: Qualifiers, *more: str) -> str:
    """A series' (entity, metric, qualifiers) or a family's (entity, whole, qualifiers, part
    key) as text that
    sorts as the tuple does: "\x00" ends the metric, "\x02" and "\x03" join the qualifiers,
    so each sorts before any character and below the "\x01" that separates an order's parts."""
    quals = "\x03".join(f"{k}\x02{v}" for k, v in qualifiers)
    return "\x00".join((entity, metric, quals, *more))


def _label(g: Group) -> str:
    return ref_text(g.ref)


# --- building the invariants -----------------------------------------------------------------


@dataclass
class Invariant:
    rule: Rule
    relation: str
    population: tuple[str, str]
    place: str = ""  # the series or part-whole family that made it (:func:`place`)


class _Builder:
    """The invariants of one population."""

    def __init__(
        self,
        metrics: dict[str, Metric],
        pop: tuple[str, str],
        facts: list[Fact],
        entities: dict[str, Entity] | None = None,
    ):
        self.metrics = metrics
        self.entities = entities or {}
        self.pop = pop
        self.series: dict[SeriesKey, dict[str, Group]] = defaultdict(dict)
        for f in facts:
            periods = self.series[f.entity, f.metric, f.qualifiers]
            g = periods.get(f.period.key)
            if g is None:
                g = periods[f.period.key] = Group(f.entity, f.metric, f.qualifiers, f.period)
            g.facts.append(f)
        self._ends: dict[SeriesKey, dict[date, list[Group]]] = {}
        self.stated_label = ""
        if pop[0]:
            stated = facts[0].stated
            self.stated_label = f"{pop[0]} stated {fmt.period_label(stated)}"
        self.invariants: list[Invariant] = []
        self.repeats: list[tuple[Group, Group, tuple]] = []
        self.place = ""  # what is being instantiated now (Invariant.place)
        self.repeat_places: list[str] = []

    # -- helpers --

    def _by_end(self, key: SeriesKey) -> dict[date, list[Group]]:
        if key not in self._ends:
            out: dict[date, list[Group]] = defaultdict(list)
            for g in sorted(self.series.get(key, {}).values(), key=lambda g: g.period.key):
                out[g.period.end].append(g)
            self._ends[key] = dict(out)
        return self._ends[key]

    def _match(self, key: SeriesKey, period: Period, by_end: bool) -> list[Group]:
        """The groups of series ``key`` at ``period``: the same dates, or, for two instants
        (stocks, cumulative figures), the same end date."""
        if by_end:
            return self._by_end(key).get(period.end, [])
        g = self.series.get(key, {}).get(period.key)
        return [g] if g else []

    def add(
        self,
        relation: str,
        tree: Compare,
        groups: list[Group],
        description: str,
        *,
        derived: bool = False,
    ) -> None:
        if self.stated_label:
            description += f" ({self.stated_label})"
        rid = f"{relation}:{compact(tree)}" + (f";{self.stated_label}" if self.stated_label else "")
        first = groups[0].facts[0]
        rule = Rule(
            id=rid,
            description=description,
            severity="error",
            expression=to_text(tree),
            tree=tree,
            file=first.file,
            line=first.line,
            derived=derived,  # read the computed side in the fact's unit (CNY → CNY/month)
            kind="invariant",
        )
        self.invariants.append(Invariant(rule, relation, self.pop, self.place))

    def build(self) -> None:
        for key in sorted(self.series):
            self.place = place(*key)
            metric = self.metrics.get(key[1])
            if metric is None:
                continue
            if metric.subset_of:
                self._subset(key, metric)
            if metric.aggregation == "flow" and metric.dimension not in _NOT_ADDITIVE:
                self._flow(key, metric)
            if metric.instant:
                self._instants(key, metric)
            if metric.growth_of or metric.change_of:
                self._growth(key, metric)
            if metric.ratio_of:
                self._ratio(key, metric)
            if self.entities:
                self._entity_wholes(key, metric)
        self._parts()

    # -- entities: part_of, member_of --

    def _entity_wholes(self, key: SeriesKey, metric: Metric) -> None:
        """A part's (a member's) flow is at most its whole's for the same period and qualifiers;
        a member's share at most its series' share in the same ranking. Compared with the
        nearest whole that has a figure for the period (Kling's revenue with Kuaishou's)."""
        e, m, q = key
        if metric.aggregation == "flow" and metric.dimension not in _NOT_ADDITIVE:
            relation, through = "entity_part_of", ("part_of", "member_of")
        elif metric.dimension == "share":
            relation, through = "member_of", ("member_of",)
        else:
            return
        who, rest = member_view(e, q, self.entities)
        wholes = [
            (w, m, rest)
            for w in ancestors(self.entities, who, through)
            if (w, m, rest) in self.series
        ]
        for g in self.series[key].values():
            h = next((h for w in wholes for h in self._match(w, g.period, False)), None)
            if h is None:
                continue
            what = "a member" if relation == "member_of" else "a part"
            self.add(
                relation,
                Compare("<=", g.ref, h.ref),
                [g, h],
                f"{who} is {what} of {h.entity}: its {m} is at most {h.entity}'s for the same "
                f"{'ranking and ' if relation == 'member_of' else ''}period",
            )

    # -- subset_of --

    def _subset(self, key: SeriesKey, metric: Metric) -> None:
        e, m, q = key
        whole = self.metrics[metric.subset_of]  # type: ignore[index]
        other = (e, whole.key, q)
        if other not in self.series:
            return
        by_end = metric.instant and whole.instant
        for g in self.series[key].values():
            for h in self._match(other, g.period, by_end):
                self.add(
                    "subset_of",
                    Compare("<=", g.ref, h.ref),
                    [g, h],
                    f"{m} is a subset of {whole.key}: for the same entity and qualifiers at the "
                    f"same {'date' if by_end else 'period'}, never larger",
                )

    # -- part_of --

    def _parts(self) -> None:
        families: dict[tuple, dict[str, list[tuple[str, Group]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        values: dict[tuple, set[str]] = defaultdict(set)
        complete: dict[tuple, bool] = {}
        for (e, m, q), periods in sorted(self.series.items()):
            metric = self.metrics.get(m)
            if metric is None or not metric.part_of:
                continue
            have = dict(q)
            for k in metric.parts:
                if k not in have:
                    continue
                fam = (e, metric.part_of, tuple(p for p in q if p[0] != k), k)
                values[fam].add(have[k])
                complete[fam] = complete.get(fam, True) and metric.complete
                for pk, g in periods.items():
                    families[fam][pk].append((have[k], g))
        for fam in sorted(families):
            self.place = place(*fam)
            e, w, q_whole, k = fam
            whole = self.metrics[w]
            share = whole.dimension == "share"  # the whole of shares is 100 %
            for pk in sorted(families[fam]):
                parts = sorted(families[fam][pk], key=lambda vg: vg[0])
                period = parts[0][1].period
                wholes: list[Group | None]
                if share:
                    if len(parts) < 2:
                        continue  # one share ≤ 100 % is its domain (expectations check it)
                    wholes = [None]
                else:
                    part_instant = all(self.metrics[g.metric].instant for _, g in parts)
                    wholes = list(
                        self._match((e, w, q_whole), period, part_instant and whole.instant)
                    )
                present = {v for v, _ in parts}
                full = complete[fam] and len(parts) >= 2 and present == values[fam]
                op = "~" if full else "<="
                lhs = _sum([g.ref for _, g in parts])
                names = ", ".join(sorted(present))
                for hole in wholes:
                    rhs: Expr = Num(100.0) if hole is None else hole.ref
                    what = "100 %" if hole is None else f"the whole ({w})"
                    words = (
                        f"add up to {what}: the {k} values the corpus uses are all given"
                        if full
                        else f"together are at most {what}"
                    )
                    self.add(
                        "part_of",
                        Compare(op, lhs, rhs),
                        [g for _, g in parts] + ([hole] if hole else []),
                        f"The parts of {e}.{w} by {k} ({names}) {words}",
                    )

    # -- aggregation: flow --

    def _flow(self, key: SeriesKey, metric: Metric) -> None:
        groups = sorted(
            self.series[key].values(), key=lambda g: (g.period.start, -g.period.end.toordinal())
        )
        if len(groups) < 2:
            return
        containers: dict[int, list[Group]] = defaultdict(list)  # id(group) → its containers
        inside: dict[int, list[Group]] = defaultdict(list)  # id(container) → what it contains
        for i, g in enumerate(groups):
            for h in groups[:i]:  # a container starts no later, so it sorts first
                if h.period.end >= g.period.end:
                    containers[id(g)].append(h)
                    inside[id(h)].append(g)
        covered: set[tuple[int, int]] = set()
        for h in groups:
            for chain in self._tilings(h, inside[id(h)]):
                covered |= {(id(c), id(h)) for c in chain}
                parts = " + ".join(fmt.period_label(c.period) for c in chain)
                self.add(
                    "flow-sum",
                    Compare("~", _sum([c.ref for c in chain]), h.ref),
                    [*chain, h],
                    f"{metric.key} is a flow: {parts} make up {fmt.period_label(h.period)}, so "
                    "their values add up to its value",
                )
        for g in groups:
            cands = containers[id(g)]
            for h in cands:
                minimal = not any(
                    o is not h and contains(h.period, o.period) for o in cands
                )  # no smaller container of g inside h
                if minimal and (id(g), id(h)) not in covered:
                    self.add(
                        "flow",
                        Compare("<=", g.ref, h.ref),
                        [g, h],
                        f"{metric.key} is a flow: its value for {fmt.period_label(g.period)} is "
                        f"at most its value for {fmt.period_label(h.period)}, which contains it",
                    )

    @staticmethod
    def _tilings(whole: Group, inside: list[Group]) -> Iterator[list[Group]]:
        """Chains of periods of one granularity that cover ``whole`` end to end (its quarters,
        its halves, its months)."""
        if len(inside) < 2:
            return
        by_gran: dict[str, dict[date, Group]] = defaultdict(dict)
        for g in inside:
            gran = granularity(g.period)
            if gran != "span":
                by_gran[gran].setdefault(g.period.start, g)
        for gran in sorted(by_gran):
            starts, chain, cursor = by_gran[gran], [], whole.period.start
            while cursor in starts:
                c = starts[cursor]
                chain.append(c)
                if c.period.end == whole.period.end:
                    if len(chain) >= 2:
                        yield chain
                    break
                cursor = c.period.end + timedelta(days=1)

    # -- aggregation: stock, cumulative --

    def _instants(self, key: SeriesKey, metric: Metric) -> None:
        """A stock or cumulative figure is a value at its period's end: two periods that end on
        the same day (2025-06 and 2025-01..2025-06) give one value. A cumulative one never
        decreases, and the same figure months apart is a repeated, not an updated, one."""
        buckets = self._by_end(key)
        ends = sorted(buckets)
        what = metric.aggregation
        for end in ends:
            for a, b in itertools.pairwise(buckets[end]):
                self.add(
                    what,  # type: ignore[arg-type]
                    Compare("~", a.ref, b.ref),
                    [a, b],
                    f"{metric.key} is a {what} figure: two figures as of the same date "
                    f"({end.isoformat()}) agree",
                )
        if metric.aggregation != "cumulative":
            return
        for before, after in itertools.pairwise(ends):
            for a in buckets[before]:
                for b in buckets[after]:
                    self.add(
                        "cumulative",
                        Compare("<=", a.ref, b.ref),
                        [a, b],
                        f"{metric.key} is cumulative: it never decreases from "
                        f"{before.isoformat()} to {after.isoformat()}",
                    )
                    if (after - before).days >= REPEAT_DAYS:
                        same = _figures(a, self.metrics) & _figures(b, self.metrics)
                        if same:
                            self.repeats.append((a, b, min(same)))
                            self.repeat_places.append(self.place)

    # -- growth_of, change_of --

    def _growth(self, key: SeriesKey, metric: Metric) -> None:
        e, m, q = key
        level = metric.growth_of or metric.change_of
        levels = self.series.get((e, level, q))  # type: ignore[arg-type]
        if not levels or metric.basis is None:
            return
        k = GROWTH_BASES[metric.basis]
        for g in self.series[key].values():
            now, before = levels.get(g.period.key), levels.get(shifted_key(g.period, k))
            if now is None or before is None:
                continue
            if metric.growth_of:
                rhs: Expr = Call("growth", (now.ref, before.ref))
                what = "growth"
            else:
                rhs = BinOp("-", now.ref, before.ref)
                what = "change (in percentage points)"
            self.add(
                "growth_of" if metric.growth_of else "change_of",
                Compare("~", g.ref, rhs),
                [g, now, before],
                f"{m} is the {metric.basis} {what} of {level}: it matches the levels at "
                f"{fmt.period_label(now.period)} and {fmt.period_label(before.period)}",
                derived=metric.change_of is not None,
            )

    # -- ratio_of --

    def _ratio(self, key: SeriesKey, metric: Metric) -> None:
        e, m, q = key
        num_key, den_key = metric.ratio_of  # type: ignore[misc]
        num_metric, den_metric = self.metrics[num_key], self.metrics[den_key]
        if (e, num_key, q) not in self.series or (e, den_key, q) not in self.series:
            return
        for g in self.series[key].values():
            for n in self._match((e, num_key, q), g.period, False):
                for d in self._match((e, den_key, q), g.period, den_metric.instant):
                    rhs = self._ratio_tree(metric, num_metric, g.period, n, d)
                    if rhs is None:
                        continue
                    per = f" per {metric.per_period}" if metric.per_period else ""
                    self.add(
                        "ratio_of",
                        Compare("~", g.ref, rhs),
                        [g, n, d],
                        f"{m} is {num_key} per {den_key}{per}: it matches the two figures",
                        derived=True,
                    )

    @staticmethod
    def _ratio_tree(
        metric: Metric, num_metric: Metric, period: Period, n: Group, d: Group
    ) -> Expr | None:
        if metric.dimension == "share":
            return Call("share", (n.ref, d.ref))
        rhs: Expr = BinOp("/", n.ref, d.ref)
        if metric.per_period and num_metric.aggregation == "flow":
            span = months(period)
            if span is None:
                return None  # not whole months: no exact conversion to say
            k = Fraction(span, PER_PERIODS[metric.per_period])
            if k != 1:
                rhs = BinOp("/", rhs, Num(float(k)))
        return rhs


def _figures(g: Group, metrics: dict[str, Metric]) -> set[tuple]:
    """The numbers a group's facts write, without their hedges (突破2200萬 and 2200萬人 both write
    2200萬): each as the interval its last digit allows."""
    out = set()
    dimension = metrics[g.metric].dimension
    for f in g.facts:
        core = f.value.strip()
        for word in HEDGES_BEFORE:
            core = core.removeprefix(word)
        for word in HEDGES_AFTER:
            core = core.removesuffix(word)
        try:
            iv = parse_quantity(core, dimension=dimension, unit=f.unit)
        except QuantityError:
            continue
        out.add((iv.lo, iv.hi, iv.unit))
    return out


def _repeat_result(a: Group, b: Group, figure: tuple, label: str) -> Result:
    slots = [filled(Slot(_label(g), _label(g), []), g.facts, None) for g in (a, b)]
    gap = (b.period.end - a.period.end).days
    lo, hi, unit = figure
    written = fmt.interval_words(next(f.interval for f in b.facts if f.interval is not None))
    expression = f"{_label(a)} = {_label(b)}"
    description = (
        f"{a.metric} is cumulative, yet {a.entity} is given the same figure as of "
        f"{a.period.end.isoformat()} and {b.period.end.isoformat()}, {gap} days later"
    )
    values = "; ".join(
        f"{_label(g)}: " + ", ".join(f"{f.value} ({f.source})" for f in g.facts) for g in (a, b)
    )
    rid = f"invariant:repeated-figure:{compact(Compare('==', a.ref, b.ref))}"
    facts = [*a.facts, *b.facts]
    return Result(
        id=rid + (f";{label}" if label else ""),
        kind="invariant",
        severity="warning",
        verdict="repeated-figure",
        message=f"{description}: {values}. A total that only grows rarely stays put for "
        f"{gap} days; the later source probably repeats an old figure (later value {written})",
        fact_ids=tuple(f.id for f in facts),
        file=b.facts[0].file,
        line=b.facts[0].line,
        fingerprint=fingerprint(
            "repeated-figure", rid, lo, hi, unit, sorted((f.id, f.value) for f in facts)
        ),
        data=pl.RuleData(
            description=description,
            expression=expression,
            tolerance=0.0,
            operands=operand_data(slots),
            relation="repeated-figure",
        ),
    )


# --- the check ------------------------------------------------------------------------------


def instantiate(
    facts: Iterable[Fact],
    metrics: dict[str, Metric],
    entities: dict[str, Entity] | None = None,
) -> list[_Builder]:
    """One builder per population, its invariants built."""
    pops: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        pop = population(f)
        if pop is not None and f.canonical is not None and f.metric in metrics:
            pops[pop].append(f)
    builders = []
    for pop in sorted(pops):
        b = _Builder(metrics, pop, pops[pop], entities)
        b.build()
        builders.append(b)
    return builders


def members_in_rankings(facts: Iterable[Fact], entities: dict[str, Entity]) -> list[Result]:
    """A ranking that lists a member of a series (Kling 2.0 Master) and the series itself (Kling)
    as separate entries: a warning, since the series' figure contains the member's. A ranking is
    a name some ``rank`` claim uses; its entries at a period are that ranking's rank claims and
    the facts whose qualifiers name it."""
    members = {k for k, e in entities.items() if e.member_of}
    if not members:
        return []
    facts = [f for f in facts if f.kind != "hypothetical"]
    names = {f.claim.ranking for f in facts if f.claim is not None and f.claim.ranking}
    entries: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        named = {f.claim.ranking} if f.claim is not None and f.claim.ranking else set()
        named |= {v for _, v in f.qualifiers if v in names}
        for ranking in named:
            entries[ranking, f.period.key].append(f)
    out = []
    for (ranking, _), listed in sorted(entries.items()):
        who = {f.id: member_view(f.entity, f.qualifiers, entities)[0] for f in listed}
        present = set(who.values())
        for member in sorted(present & members):
            series = next(
                (s for s in ancestors(entities, member, "member_of") if s in present), None
            )
            if series is not None:
                facts = [f for f in listed if who[f.id] in (member, series)]
                out.append(_member_result(ranking, member, series, facts, who))
    return out


def _member_result(
    ranking: str, member: str, series: str, listed: list[Fact], who: dict[str, str]
) -> Result:
    facts = sorted(listed, key=lambda f: f.id)
    first = next(f for f in facts if who[f.id] == member)
    period = fmt.period_label(first.period)
    rid = f"invariant:member-in-ranking:{ranking}@{period}:{member}/{series}"
    values = "; ".join(f"{who[f.id]} {f.value} ({f.source})" for f in facts)
    description = f"{member} is a member of the series {series}, yet {ranking} lists both"
    return Result(
        id=rid,
        kind="invariant",
        severity="warning",
        verdict="member-in-ranking",
        message=f"{description} at {period}: {values}. The series' figure contains its "
        "member's, so they are not rivals; the ranking mixes a family and one of its members "
        "(or the source names the wrong model)",
        fact_ids=tuple(f.id for f in facts),
        file=first.file,
        line=first.line,
        fingerprint=fingerprint(
            "member-in-ranking", rid, sorted((f.id, f.value, who[f.id]) for f in facts)
        ),
        data=pl.RuleData(
            description=description,
            expression=f"{member} ∈ {series}",
            tolerance=0.0,
            operands=operand_data(
                [
                    filled(Slot(label, label, []), group, None)
                    for label, group in _by_key(facts, who).items()
                ]
            ),
            relation="member-in-ranking",
        ),
    )


def _by_key(facts: list[Fact], who: dict[str, str]) -> dict[str, list[Fact]]:
    """Facts grouped by who they are about, metric and unit (one operand each: a share and a
    place)."""
    out: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        out[f"{who[f.id]}.{f.metric}" + (f" ({f.unit})" if f.unit else "")].append(f)
    return dict(out)


def _declares(m: Metric) -> bool:
    return bool(
        m.aggregation or m.subset_of or m.part_of or m.growth_of or m.change_of or m.ratio_of
    )


def __getattr__(name: str) -> object:
    """The check itself (``CHECK``, ``run``, ``INCREMENTAL``) lives beside its units, in
    :mod:`factledger.checks.invariant_units`."""
    if name in ("CHECK", "run", "INCREMENTAL"):
        from factledger.checks import invariant_units

        return getattr(invariant_units, name)
    raise AttributeError(name)
