"""The invariants check in units an edit can re-run alone (:class:`factledger.checks.Incremental`):
one per group of related entities and family of related metrics, one for the rankings, one per
derived fact's formula. What the invariants are and how they are built: :mod:`.invariants`."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence

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
    rule_key,
    rule_order,
    run_all,
)
from factledger.checks.formulas import formula_results
from factledger.checks.invariants import (
    ExactIndex,
    _declares,
    _repeat_result,
    instantiate,
    members_in_rankings,
)
from factledger.checks.rules import evaluate
from factledger.checks.rules import inputs as rule_inputs
from factledger.load.rules import Rule
from factledger.model import Entity, Fact, Metric, Result

# --- the check, in units: one per entity and family of related metrics, one per formula -----
#
# Every relation compares figures of one entity, of metrics the registry relates (subset_of,
# part_of, growth_of, change_of, ratio_of): the invariants of one entity over one family of
# related metrics are one unit, and an edit re-instantiates the families its facts belong to. A
# full run lists a population's invariants by series, then its part-whole families, then its
# repeated figures (each in entity, metric and qualifier order); each result's ``orders`` entry
# puts it there.


def metric_families(metrics: dict[str, Metric]) -> dict[str, str]:
    """Each metric's family: the metrics the registry's relations connect, named by the first
    of them (a metric no relation names is a family of its own)."""
    pairs = [
        (k, other)
        for k, m in metrics.items()
        for other in (m.subset_of, m.part_of, m.growth_of, m.change_of, *(m.ratio_of or ()))
    ]
    return _union(pairs, metrics)


def _pop_order(pop: tuple[str, str]) -> str:
    """A population as text that sorts as the tuple does ("\x00" sorts before any character)."""
    return f"{pop[0]}\x00{pop[1]}"


def _family_unit(
    key: str,
    facts: list[Fact],
    metrics: dict[str, Metric],
    related: dict[str, Entity],
    ctx: CheckContext,
) -> Unit:
    """The invariants of the facts of one group of related entities and one family of related
    metrics (``key``: inv:<entities>|<family>)."""
    dimensions = {k: m.dimension for k, m in metrics.items()}
    touched = ctx.touched_set()
    results: list[Result] = []
    relations: list[str] = []
    orders: list[str] = []
    for b in instantiate(facts, metrics, related):
        index = ExactIndex(
            [f for g in b.series.values() for gr in g.values() for f in gr.facts], dimensions
        )
        seen: set[str] = set()
        pop = _pop_order(b.pop)
        for inv in b.invariants:
            if inv.rule.id in seen:
                continue
            seen.add(inv.rule.id)
            res = evaluate(inv.rule, index, touched)
            if isinstance(res.data, pl.RuleData):
                res = dataclasses.replace(
                    res, data=dataclasses.replace(res.data, relation=inv.relation)
                )
            results.append(res)
            relations.append(inv.relation)
            # the builder adds a population's part-whole families after all its series
            section = "1" if inv.relation == "part_of" else "0"
            orders.append(f"{pop}\x01{section}\x01{inv.place}")
        for (a, c, figure), where in zip(b.repeats, b.repeat_places, strict=True):
            results.append(_repeat_result(a, c, figure, b.stated_label))
            relations.append("repeated-figure")
            orders.append(f"{pop}\x012\x01{where}")
    return Unit(
        key, results, touched=ctx.unit_touched(touched), order=key,
        depends=frozenset(pair_key(f.entity, f.metric) for f in facts),
        info=[[rel, r.verdict] for rel, r in zip(relations, results, strict=True)],
        orders=tuple(f"{o}\x01{i:08d}" for i, o in enumerate(orders)),
    )  # fmt: skip


def _formula_units(ctx: CheckContext, rules: list[Rule], facts: dict[str, Fact]) -> list[Unit]:
    """A unit per derived fact's implicit rule: its formula's warnings (after every
    population's invariants)."""
    units = []
    for rule in rules:
        if not rule.derived:
            continue
        got = formula_results([rule], facts, ctx.corpus.metrics)
        units.append(Unit(
            rule_key(rule.id), got, depends=rule_inputs(rule), order="\uffff" + rule_order(rule),
            touched=frozenset() if ctx.measure_touched else None,  # it probes no value
            info=[[r.data.relation, r.verdict] for r in got],  # type: ignore[union-attr]
        ))  # fmt: skip
    return units


def _union(pairs: Iterable[tuple[str, str | None]], keys: Iterable[str]) -> dict[str, str]:
    """Each key's group: the keys ``pairs`` connect, named by the first of them."""
    parent = {k: k for k in keys}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in pairs:
        if b is not None and a in parent and b in parent:
            x, y = sorted((root(a), root(b)))
            parent[y] = x
    return {k: root(k) for k in parent}


def entity_groups(entities: dict[str, Entity]) -> dict[str, str]:
    """Each entity's group: the entities ``part_of`` and ``member_of`` connect (a product and its
    company, a model and its series), named by the first of them."""
    edges = [(k, e.part_of) for k, e in entities.items()]
    edges += [(k, e.member_of) for k, e in entities.items()]
    return _union(edges, entities)


RANKINGS = "rankings"  # the unit of members_in_rankings (after every population's invariants)


def run_units(ctx: CheckContext, keys: Sequence[str] | None) -> list[Unit]:
    metrics = ctx.corpus.metrics
    family = metric_families(metrics)
    related = {k: e for k, e in ctx.corpus.entities.items() if e.part_of or e.member_of}
    group = entity_groups(ctx.corpus.entities)
    declares = bool(related) or any(_declares(m) for m in metrics.values())

    def unit_key(entity: str, metric: str) -> str:
        return f"inv:{group.get(entity, entity)}|{family[metric]}"

    groups: dict[str, list[Fact]] = defaultdict(list)
    if keys is None:
        if declares:
            for f in ctx.facts:
                if f.metric in family:
                    groups[unit_key(f.entity, f.metric)].append(f)
        units = [_family_unit(k, fs, metrics, related, ctx) for k, fs in sorted(groups.items())]
        units.append(_rankings_unit(ctx, ctx.facts, related))
        return units + _formula_units(ctx, list(ctx.corpus.rules), ctx.facts_by_id)
    units = []
    if declares:
        # a changed pair (inv:entity|metric) stands for its group of entities, family of metrics
        wanted = {unit_key(e, m) for e, m in (k[4:].split("|", 1) for k in keys
                                              if k.startswith("inv:")) if m in family}  # fmt: skip
        pairs = [
            (e, m)
            for e in {*group, *(k[4:].split("|", 1)[0] for k in keys if k.startswith("inv:"))}
            for m in metrics
            if unit_key(e, m) in wanted
        ]
        for f in ctx.lookup.facts_of_pairs(pairs):
            groups[unit_key(f.entity, f.metric)].append(f)
        units += [_family_unit(k, fs, metrics, related, ctx) for k, fs in sorted(groups.items())]
    if RANKINGS in keys:
        facts: list[Fact] = []
        names = ctx.lookup.rankings() if any(e.member_of for e in related.values()) else set()
        if names:  # a ranking's entries: its claims, and the facts whose qualifiers name it
            entries = {f.id for f in ctx.lookup.rank_claims(names)}
            entries |= {f.id for f in ctx.lookup.facts_naming(names)}
            facts = ctx.lookup.facts(entries)
        units.append(_rankings_unit(ctx, facts, related))
    rules = [r for r in ctx.lookup.rules(keyed(keys, "rule:")) if r.derived]
    if rules:
        named = set().union(*(rule_inputs(r) for r in rules))
        facts = {f.id: f for f in ctx.lookup.facts(keyed(named, "fact:"))}
        units += _formula_units(ctx, rules, facts)
    return units


def _rankings_unit(ctx: CheckContext, facts: Iterable[Fact], related: dict[str, Entity]) -> Unit:
    """A ranking listing a member and its series (re-run when a rank claim or a fact naming a
    ranking changes: ``ranking:`` keys); it probes no value, so it touches nothing."""
    got = members_in_rankings(facts, related)
    return Unit(
        RANKINGS, got, order="\ufffe",
        touched=frozenset() if ctx.measure_touched else None,
        info=[["member-in-ranking", r.verdict] for r in got],
    )  # fmt: skip


def affected(keys: Collection[str], lookup: Lookup) -> set[str]:
    """Each changed entity-metric pair (both places of a moved fact), which stands for its
    family of metrics (a unit gone is found by its recorded pairs), and the changed derived rules
    (the formulas); a formula over changed facts is found by its recorded inputs."""
    out = {f"inv:{entity}|{metric}" for entity, metric in pairs_of(keys)}
    out.update(k for k in keys if k.startswith("rule:derived:"))
    if any(k.startswith("ranking:") for k in keys):
        out.add(RANKINGS)
    return out


def summarize(ctx: CheckContext, units: UnitsView) -> CheckOutput:
    relations: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    for info in units.infos():
        for relation, verdict in info:
            relations[relation] += 1
            verdicts[verdict] += 1
    extras = {
        "invariants": sum(relations.values()),
        "relations": dict(sorted(relations.items())),
        "verdicts": dict(verdicts),
    }
    return CheckOutput([], extras)


INCREMENTAL = Incremental(affected, run_units, summarize)


def run(ctx: CheckContext) -> CheckOutput:
    return run_all(ctx, INCREMENTAL)


CHECK = Check("invariants", run, ("invariant",), cross_checks=True, incremental=INCREMENTAL)
