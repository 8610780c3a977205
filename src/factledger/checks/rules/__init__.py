"""The rules check: every rule of ``checks/rules/*.yaml`` and every derived fact's implicit rule,
evaluated over the facts' canonical values. The language is :mod:`factledger.expression`; rule
files are read by :mod:`factledger.load.rules`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from factledger import fx, intervals
from factledger.checks import Check, CheckContext, CheckOutput
from factledger.checks.rules.evaluation import EvalError, FactIndex, evaluate_compare, result
from factledger.checks.rules.trends import evaluate_trend
from factledger.expression import Trend
from factledger.load.rules import Rule
from factledger.model import Result


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


def run(ctx: CheckContext) -> CheckOutput:
    rules = ctx.corpus.rules
    dimensions = {k: m.dimension for k, m in ctx.corpus.metrics.items()}
    touched: set[str] | None = set() if ctx.measure_touched else None
    results = evaluate_all(rules, FactIndex(ctx.facts, dimensions), touched)
    derived = sum(r.derived for r in rules)
    extras = {
        "rules": len(rules) - derived,
        "derived": derived,
        "verdicts": dict(Counter(r.verdict for r in results)),
    }
    return CheckOutput(results, extras, touched or set())


CHECK = Check("rules", run, ("rule",), cross_checks=True)
