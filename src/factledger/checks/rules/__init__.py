"""The rules check: every rule of ``checks/rules/*.yaml`` and every derived fact's implicit rule,
evaluated over the facts' canonical values. The language is :mod:`factledger.expression`; rule
files are read by :mod:`factledger.load.rules`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence

from factledger import fx, intervals
from factledger.checks import (
    Check,
    CheckContext,
    CheckOutput,
    Incremental,
    Lookup,
    Unit,
    UnitsView,
    fact_key,
    keyed,
    pair_key,
    rule_key,
    rule_order,
    run_all,
)
from factledger.checks.rules.evaluation import EvalError, FactIndex, evaluate_compare, result
from factledger.checks.rules.trends import evaluate_trend
from factledger.expression import IdRef, Ref, Trend, walk
from factledger.load.rules import Rule
from factledger.model import Fact, Result


def evaluate(rule: Rule, index: FactIndex, touched: set[str] | None = None) -> Result:
    """Evaluate one rule against the facts; always returns a Result, never raises on data.
    ``touched``: collects the facts whose value decides whether the rule fails."""
    try:
        if isinstance(rule.tree, Trend):
            return evaluate_trend(rule, rule.tree, index, touched)
        return evaluate_compare(rule, rule.tree, index, touched)
    except (EvalError, intervals.UnitMismatch, fx.FxError) as exc:
        return result(rule, "error", f"cannot evaluate: {exc}", [])


def evaluate_all(
    rules: Iterable[Rule], index: FactIndex, touched: set[str] | None = None
) -> list[Result]:
    return [evaluate(rule, index, touched) for rule in rules]


def inputs(rule: Rule) -> frozenset[str]:
    """What a rule's verdict can depend on: each reference's entity-metric pair (the facts of
    any period it may match; a trend's series too) and each fact named by id."""
    out = {rule_key(rule.id)}
    for node in walk(rule.tree):
        if isinstance(node, Ref):
            out.add(pair_key(node.entity, node.metric))
        elif isinstance(node, IdRef):
            out.add(fact_key(node.fact_id))
    return frozenset(out)


def run_units(ctx: CheckContext, keys: Sequence[str] | None) -> list[Unit]:
    """One unit per rule, evaluated over the facts its references can match."""
    if keys is None:
        rules, facts = ctx.corpus.rules, ctx.facts
    else:
        rules = ctx.lookup.rules(keyed(keys, "rule:"))
        wanted = set().union(*(inputs(r) for r in rules)) if rules else set()
        facts = facts_for(ctx.lookup, wanted)
    dimensions = {k: m.dimension for k, m in ctx.corpus.metrics.items()}
    index = FactIndex(facts, dimensions)
    units = []
    for rule in rules:
        touched = ctx.touched_set()
        r = evaluate(rule, index, touched)
        units.append(Unit(
            rule_key(rule.id), [r], depends=inputs(rule), touched=ctx.unit_touched(touched),
            info=r.verdict, order=rule_order(rule),
        ))  # fmt: skip
    return units


def facts_for(lookup: Lookup, wanted: Iterable[str]) -> list[Fact]:
    """The facts of these pairs and ids, in corpus order (as a full run's index holds them)."""
    by_pair = lookup.facts_of_pairs(tuple(k.split("|", 1)) for k in keyed(wanted, "em:"))  # type: ignore[misc]
    have = {f.id for f in by_pair}
    extra = [f for f in lookup.facts(keyed(wanted, "fact:")) if f.id not in have]
    if not extra:
        return by_pair
    return lookup.facts([f.id for f in by_pair] + [f.id for f in extra])


def affected(keys: Collection[str], lookup: Lookup) -> set[str]:
    """Changed rules; rules over changed facts are found by their recorded inputs."""
    return {k for k in keys if k.startswith("rule:")}


def summarize(ctx: CheckContext, units: UnitsView) -> CheckOutput:
    rules, derived = ctx.lookup.rule_counts()
    verdicts = dict(Counter(units.infos()))
    return CheckOutput([], {"rules": rules, "derived": derived, "verdicts": verdicts})


INCREMENTAL = Incremental(affected, run_units, summarize)


def run(ctx: CheckContext) -> CheckOutput:
    return run_all(ctx, INCREMENTAL)


CHECK = Check("rules", run, ("rule",), cross_checks=True, incremental=INCREMENTAL)
