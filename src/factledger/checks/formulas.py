"""Derived facts' formulas read for what their arithmetic cannot show: a rate whose numerator and
denominator belong to different entities (Kling's payers over Kuaishou's daily actives), and a
formula that mixes spans of time without converting them (a nine-month total divided by six, a
quarterly amount called a monthly figure). Each is a warning of kind ``invariant`` even when the
arithmetic holds: the derived rule (``rule:derived:<id>``) checks the arithmetic, this checks what
it compares. Used by :mod:`factledger.checks.invariants`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from factledger import formatting as fmt
from factledger import payloads as pl
from factledger.checks.rules.evaluation import Slot, filled, operand_data
from factledger.expression import BinOp, Call, Compare, Expr, IdRef, Neg, Num, Ref, to_text, walk
from factledger.load.rules import Rule
from factledger.model import PER_PERIODS, Fact, Metric, Period, Result, fingerprint

# Two spans of time are "the same length" within this share (a month is 28–31 days).
SPAN_TOLERANCE = Fraction(1, 10)
DAYS_PER_MONTH = Fraction(36525, 1200)


def days(period: Period) -> int:
    return (period.end - period.start).days + 1


def contains(outer: Period, inner: Period) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


@dataclass(frozen=True)
class _Span:
    """An amount accrued over ``days`` (a flow), as the formula has scaled it."""

    days: Fraction
    label: str
    period: Period | None = None  # the reference's own period, while unscaled


def _close(a: Fraction, b: Fraction) -> bool:
    return abs(a - b) <= SPAN_TOLERANCE * max(a, b)


class _FormulaReader:
    """Walks a derived fact's formula for the two warnings."""

    def __init__(self, facts: dict[str, Fact], metrics: dict[str, Metric]) -> None:
        self.facts = facts
        self.metrics = metrics
        self.mixes: list[str] = []

    def _leaf(self, node: Ref | IdRef) -> tuple[str, str, Period] | None:
        if isinstance(node, IdRef):
            f = self.facts.get(node.fact_id)
            return (f.entity, f.metric, f.period) if f else None
        return node.entity, node.metric, node.period

    def entities(self, node: Expr) -> set[str]:
        out = set()
        for n in walk(node):
            if isinstance(n, Ref | IdRef):
                leaf = self._leaf(n)
                if leaf:
                    out.add(leaf[0])
        return out

    def divisions(self, node: Expr) -> Iterator[tuple[Expr, Expr, str]]:
        for n in walk(node):
            if isinstance(n, BinOp) and n.op == "/":
                yield n.left, n.right, "/"
            elif isinstance(n, Call) and n.name in ("share", "growth"):
                yield n.args[0], n.args[1], f"{n.name}()"

    def span(self, node: Expr) -> _Span | None:
        """The span of time the amount ``node`` accrued over, or None (not a flow)."""
        if isinstance(node, Ref | IdRef):
            leaf = self._leaf(node)
            metric = self.metrics.get(leaf[1]) if leaf else None
            if leaf is None or metric is None or metric.aggregation != "flow":
                return None
            label = f"{to_text(node)} ({fmt.period_label(leaf[2])})"
            return _Span(Fraction(days(leaf[2])), label, leaf[2])
        if isinstance(node, Neg):
            return self.span(node.operand)
        if isinstance(node, Call):
            if node.name == "fx":
                return self.span(node.args[0])
            spans = [self.span(a) for a in node.args]
            if node.name == "sum":
                return self._add(spans)
            self._ratio(spans[0], spans[1], node.name, within=node.name == "share")
            return None
        if isinstance(node, BinOp):
            a, b = self.span(node.left), self.span(node.right)
            num = node.right if isinstance(node.right, Num) and _converts(node.right) else None
            if node.op in "*/" and a is not None and num is not None:
                k = Fraction(num.value).limit_denominator(10**6)
                scaled = a.days * k if node.op == "*" else a.days / k
                return _Span(scaled, f"{a.label} {node.op} {to_text(num)}")
            if node.op == "*":
                if isinstance(node.left, Num) and b is not None and _converts(node.left):
                    k = Fraction(node.left.value).limit_denominator(10**6)
                    return _Span(b.days * k, f"{to_text(node.left)} * {b.label}")
                return a if b is None else b if a is None else None
            if node.op == "/":
                if a is not None and b is not None:
                    self._ratio(a, b, "/", within=True)
                    return None
                return a  # per user, per customer: still over a's span
            if node.op == "+":
                return self._add([a, b])
            if a is not None and b is not None:  # a − b
                if a.period and b.period and contains(a.period, b.period):
                    return _Span(a.days - b.days, f"{a.label} − {b.label}")
                if not _close(a.days, b.days):
                    self.mixes.append(
                        f"{a.label} − {b.label} subtracts spans of {_days(a)} and {_days(b)}"
                    )
                return a
            return a if b is None else b
        return None

    @staticmethod
    def _add(spans: list[_Span | None]) -> _Span | None:
        flows = [s for s in spans if s is not None]
        if not flows:
            return None
        return _Span(sum((s.days for s in flows), Fraction(0)), " + ".join(s.label for s in flows))

    def _ratio(self, a: _Span | None, b: _Span | None, op: str, *, within: bool) -> None:
        if a is None or b is None or _close(a.days, b.days):
            return
        if within and a.period and b.period and contains(b.period, a.period):
            return  # a part of the period over the period: a share of it
        self.mixes.append(
            f"{op} compares {a.label}, over {_days(a)}, with {b.label}, over {_days(b)}"
        )


def _converts(num: Num) -> bool:
    """Whether a bare factor may convert a span of time (÷ 3 a quarter to a month, × 4 a quarter
    to a year). 100, 1000, … convert a percentage or a scale (萬, 千次) instead."""
    x = abs(num.value)
    if x == 0:
        return False
    if x >= 100:
        while x % 10 == 0:
            x /= 10
        return x != 1
    return True


def _days(s: _Span) -> str:
    d = float(s.days)
    return f"{d:.0f} days" if d == round(d) else f"≈{d:.1f} days"


def _fact_span(fact: Fact, metric: Metric) -> Fraction | None:
    """The span a derived fact's own value is over: its period for a flow, the unit of time for a
    per-period figure (元/月), else None."""
    if metric.aggregation == "flow":
        return Fraction(days(fact.period))
    per = metric.per_period or {"/month": "month", "/quarter": "quarter", "/year": "year"}.get(
        "/" + metric.unit.rpartition("/")[2] if "/" in metric.unit else ""
    )
    if per:
        return DAYS_PER_MONTH * PER_PERIODS[per]
    if metric.unit.endswith("/day"):
        return Fraction(1)
    return None


def formula_results(
    rules: Iterable[Rule], facts: dict[str, Fact], metrics: dict[str, Metric]
) -> list[Result]:
    """A warning per derived fact whose formula divides one entity's figure by another's, or
    mixes spans of time without converting (its arithmetic may hold all the same)."""
    out: list[Result] = []
    for rule in rules:
        if not rule.derived or not isinstance(rule.tree, Compare):
            continue
        target = rule.tree.left
        fact = facts.get(target.fact_id) if isinstance(target, IdRef) else None
        metric = metrics.get(fact.metric) if fact else None
        if fact is None or metric is None:
            continue
        formula = rule.tree.right
        reader = _FormulaReader(facts, metrics)
        named = {v for _, v in fact.qualifiers}
        mixed: list[str] = []
        for num, den, op in reader.divisions(formula):
            a, b = reader.entities(num), reader.entities(den)
            others = {x for x in b - a if not any(v == x or v.startswith(f"{x}-") for v in named)}
            if a and others:
                mixed.append(f"{op} puts {', '.join(sorted(a))} over {', '.join(sorted(others))}")
        got = reader.span(formula)
        want = _fact_span(fact, metric)
        if got is not None and want is not None and not _close(got.days, want):
            unit = f"{fact.period.text}" if metric.aggregation == "flow" else metric.unit
            reader.mixes.append(
                f"the formula gives an amount over {_days(got)} ({got.label}); "
                f"{fact.id} is {fact.value}, over {_days(_Span(want, ''))} "
                f"({unit})"
            )
        for relation, verdict, problems, words in (
            (
                "formula-entities",
                "mixed-entities",
                mixed,
                "divides one entity's figure by another's, a rate over two populations (name the "
                "whole in a qualifier such as of: <entity>-<metric> when that is what it means)",
            ),
            (
                "formula-periods",
                "mixed-periods",
                reader.mixes,
                "mixes spans of time without converting them",
            ),
        ):
            if problems:
                out.append(_formula_result(rule, fact, relation, verdict, problems, words, facts))
    return out


def _formula_result(
    rule: Rule,
    fact: Fact,
    relation: str,
    verdict: str,
    problems: list[str],
    words: str,
    facts: dict[str, Fact],
) -> Result:
    used = [
        facts[n.fact_id]
        for n in walk(rule.tree.right)
        if isinstance(n, IdRef) and n.fact_id in facts
    ]  # type: ignore[union-attr]
    slots = [filled(Slot(f.id, f"{{{f.id}}}", []), [f], None) for f in used]
    formula = (fact.formula or "").strip()
    description = f"{fact.id} ({fact.value}) is computed as {formula}, which {words}"
    data = pl.RuleData(
        description=description,
        expression=formula,
        tolerance=0.0,
        operands=operand_data(slots),
        relation=relation,
    )
    return Result(
        id=f"invariant:{relation}:{fact.id}",
        kind="invariant",
        severity="warning",
        verdict=verdict,
        message=f"{description}: " + "; ".join(problems),
        fact_ids=(fact.id, *dict.fromkeys(f.id for f in used if f.id != fact.id)),
        file=fact.file,
        line=fact.line_of("formula"),
        # what the warning rests on: who is divided by whom, over which spans — not the values
        fingerprint=fingerprint(relation, fact.id, formula, sorted(problems)),
        data=data,
    )
