"""Evaluating rules over facts: operands resolved to facts, interval arithmetic, verdicts.

Every operand is an interval (:mod:`factledger.intervals`) in its metric's canonical unit, so
hedged values (超過, 約, 近) take part as the ranges they are, and a rule says ``holds`` /
``possible`` / ``violated`` / ``unresolved``. Evaluation never raises on data: a rule that cannot
be evaluated is an ``error`` result saying why.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from factledger import formatting as fmt
from factledger import fx, intervals
from factledger import payloads as pl
from factledger.checks.crosscheck import probes
from factledger.expression import (
    Assertion,
    BinOp,
    Call,
    Compare,
    Expr,
    IdRef,
    Neg,
    Num,
    Ref,
    Str,
    children,
    to_text,
)
from factledger.load.rules import Rule
from factledger.model import (
    CURRENCIES,
    PASSING_VERDICTS,
    Fact,
    Interval,
    Period,
    Result,
    fingerprint,
)

# --- facts ----------------------------------------------------------------------------------


class FactIndex:
    """Facts keyed for O(1) lookup by (entity, metric, period key), by series, and by id.
    ``dimensions``: metric key → dimension, for the domain of a fact's other possible values."""

    def __init__(self, facts: Iterable[Fact], dimensions: dict[str, str] | None = None) -> None:
        self.facts = list(facts)
        self.dimensions = dimensions or {}
        by_key: dict[tuple[str, str, str], list[Fact]] = defaultdict(list)
        by_series: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        for fact in self.facts:
            by_key[fact.entity, fact.metric, fact.period.key].append(fact)
            by_series[fact.entity, fact.metric].append(fact)
        self.by_key = dict(by_key)
        self.by_series = dict(by_series)
        self.by_id = {fact.id: fact for fact in self.facts}

    def lookup(self, entity: str, metric: str, period: Period) -> list[Fact]:
        return self.by_key.get((entity, metric, period.key), [])

    def select(self, ref: Ref) -> tuple[list[Fact], int]:
        """The facts a reference uses, and how many same-key facts its filters leave out."""
        same_key = self.lookup(ref.entity, ref.metric, ref.period)
        facts = [f for f in same_key if selects(f, ref.filters)]
        return facts, len(same_key) - len(facts)

    def series(self, entity: str, metric: str) -> list[Fact]:
        return self.by_series.get((entity, metric), [])


def selects(fact: Fact, filters: tuple[tuple[str, str], ...]) -> bool:
    """Whether a reference with ``filters`` uses ``fact``.

    Qualifier filters must all be among the fact's qualifiers. With no qualifier filter only
    unqualified facts match, so segment facts never mix into a total. Hypothetical facts match
    only ``[kind=hypothetical]``.
    """
    wanted = dict(filters)
    kind = wanted.pop("kind", None)
    if kind is not None and fact.kind != kind:
        return False
    if kind is None and fact.kind == "hypothetical":
        return False
    if not wanted:
        return not fact.qualifiers
    have = fact.qualifier_dict
    return all(have.get(k) == v for k, v in wanted.items())


# --- evaluation -----------------------------------------------------------------------------

VERDICT_ORDER = ("error", "unresolved", "violated", "possible", "holds")  # worst first


class EvalError(ValueError):
    """A rule that cannot be evaluated on these facts (units, exchange rates)."""


@dataclass(frozen=True)
class Value:
    iv: Interval
    dates: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Member:
    """One fact's contribution to an operand (converted when the operand is fx(ref, ...))."""

    fact: Fact
    interval: Interval
    dates: frozenset[date]


@dataclass
class Slot:
    """One operand of a rule: the facts a reference matched, and their combined value."""

    key: str
    label: str
    members: list[Member]
    skipped: list[Fact] = field(default_factory=list)
    excluded: int = 0  # same-key facts left out by the qualifier/hypothetical rule
    consistent: bool = True
    combined: Interval | None = None
    conversion: tuple[str, str] | None = None  # fx(ref, src, dst) applied to each member
    as_written: bool = False  # members in their written unit (see in_written_unit)

    @property
    def value(self) -> Value:
        assert self.combined is not None
        return Value(self.combined, frozenset().union(*(m.dates for m in self.members)))


@dataclass(frozen=True)
class Outcome:
    verdict: str
    why: str
    lhs: Interval | None = None
    rhs: Interval | None = None


@dataclass(frozen=True)
class Alternative:
    slot: Slot
    member: Member
    outcome: Outcome


def worst(verdicts: Iterable[str]) -> str:
    return min(verdicts, key=VERDICT_ORDER.index)


def combine(slot: Slot) -> None:
    """Intersection when all members overlap (consistent duplicates), else the hull."""
    units = sorted({m.interval.unit for m in slot.members})
    if len(units) > 1:
        raise EvalError(
            f"{slot.label} matches facts in different units ({', '.join(units)}); "
            "filter them or convert with fx()"
        )
    inter = slot.members[0].interval
    hull = inter
    for member in slot.members[1:]:
        inter = intervals.intersection(inter, member.interval)
        hull = intervals.hull(hull, member.interval)
    slot.consistent = not inter.is_empty
    slot.combined = inter if slot.consistent else hull


def member(fact: Fact, conversion: tuple[str, str] | None, reading: str = "sound") -> Member:
    """The fact's value in one reading (sound or typical), converted by fx() when asked."""
    assert fact.canonical is not None
    dates = frozenset({fact.value_date})
    iv = fact.reading(reading)
    assert iv is not None
    if conversion is not None:
        src, dst = conversion
        _known_currencies(src, dst)
        if iv.unit == dst:
            pass  # already in the target currency: used as written
        elif iv.unit in (src, ""):
            iv = _fx(lambda: fx.convert_over(iv, src, dst, dates))
        else:
            raise EvalError(f"fx(..., {src!r}, {dst!r}) got {fact.id} in {iv.unit}")
    return Member(fact, iv, dates)


def _known_currencies(*codes: str) -> None:
    """The parser refuses other codes; a tree built by hand must not slip past either (an amount
    already in the target currency is used as it is, so an unknown source would go unseen)."""
    for code in codes:
        if code not in CURRENCIES:
            raise EvalError(f"fx(): unknown currency {code!r} (one of {', '.join(CURRENCIES)})")


def _fx(thunk: Callable[[], Interval]) -> Interval:
    try:
        return thunk()
    except fx.FxError as exc:
        raise EvalError(str(exc)) from None


def _operand_key(node: Ref | IdRef, conversion: tuple[str, str] | None) -> str:
    text = to_text(node)
    return text if conversion is None else f'fx({text}, "{conversion[0]}", "{conversion[1]}")'


def _operands(tree: Expr | Assertion) -> Iterator[tuple[Ref | IdRef, tuple[str, str] | None]]:
    """Each reference with the fx conversion applied directly to it, if any."""
    if isinstance(tree, Call) and tree.name == "fx" and isinstance(tree.args[0], Ref | IdRef):
        src, dst = tree.args[1], tree.args[2]
        assert isinstance(src, Str) and isinstance(dst, Str)
        yield tree.args[0], (src.value, dst.value)
        return
    if isinstance(tree, Ref | IdRef):
        yield tree, None
        return
    for child in children(tree):
        yield from _operands(child)


def _resolve(node: Ref | IdRef, conversion: tuple[str, str] | None, index: FactIndex) -> Slot:
    if isinstance(node, IdRef):
        fact = index.by_id.get(node.fact_id)
        facts, excluded = ([fact] if fact else []), 0
    else:
        facts, excluded = index.select(node)
    slot = Slot(_operand_key(node, conversion), to_text(node), [], excluded=excluded,
                conversion=conversion)  # fmt: skip
    return filled(slot, facts, conversion)


def filled(slot: Slot, facts: Iterable[Fact], conversion: tuple[str, str] | None) -> Slot:
    """``slot`` with the facts as members (those without a canonical value skipped), combined."""
    for fact in facts:
        if fact.canonical is None:
            slot.skipped.append(fact)
        else:
            slot.members.append(member(fact, conversion))
    if slot.members:
        combine(slot)
    return slot


def _slots(tree: Compare, index: FactIndex) -> dict[str, Slot]:
    slots: dict[str, Slot] = {}
    for node, conversion in _operands(tree):
        key = _operand_key(node, conversion)
        if key not in slots:
            slots[key] = _resolve(node, conversion, index)
    if not _has_amount_literal(tree):
        slots = {k: s for k, s in zip(slots, in_written_unit(list(slots.values())), strict=True)}
    return slots


def _has_amount_literal(node: Expr | Assertion) -> bool:
    """A bare number added to, subtracted from or compared with an amount: it was written in the
    metric's unit, so the rule cannot be evaluated in another one."""
    if isinstance(node, Compare) and (_is_literal(node.left) or _is_literal(node.right)):
        return True
    if (
        isinstance(node, BinOp)
        and node.op in "+-"
        and (_is_literal(node.left) or _is_literal(node.right))
    ):
        return True
    return any(_has_amount_literal(c) for c in children(node))


def _is_literal(node: Expr) -> bool:
    return isinstance(node, Num) or (isinstance(node, Neg) and isinstance(node.operand, Num))


def in_written_unit(slots: list[Slot]) -> list[Slot]:
    """When every operand fact is written in one currency other than its metric's, and nothing
    converts it explicitly, the rule is evaluated as written: comparing two USD figures needs no
    exchange rate, whose ±2 % would blur a difference in their last digit."""
    members = [m for s in slots for m in s.members]
    if not members or any(m.fact.interval is None for m in members):
        return slots
    units = {m.fact.interval.unit for m in members}  # type: ignore[union-attr]
    if len(units) != 1 or units == {m.interval.unit for m in members}:
        return slots
    if any(s.key.startswith("fx(") for s in slots):
        return slots  # fx() in the rule converts explicitly
    out = []
    for s in slots:
        as_written = [Member(m.fact, m.fact.interval, m.dates) for m in s.members]  # type: ignore[arg-type]
        written = Slot(s.key, s.label, as_written, s.skipped, s.excluded, as_written=True)
        combine(written)
        out.append(written)
    return out


def _eval(node: Expr, env: dict[str, Value]) -> Value:
    """The interval value of an expression, with the dates its facts carry."""
    if isinstance(node, Num):
        return Value(intervals.point(node.value))
    if isinstance(node, Ref | IdRef):
        return env[_operand_key(node, None)]
    if isinstance(node, Neg):
        inner = _eval(node.operand, env)
        return Value(intervals.neg(inner.iv), inner.dates)
    if isinstance(node, BinOp):
        left, right = _eval(node.left, env), _eval(node.right, env)
        op = {"+": intervals.add, "-": intervals.sub, "*": intervals.mul, "/": intervals.div}
        return Value(op[node.op](left.iv, right.iv), left.dates | right.dates)
    if isinstance(node, Call):
        return _call(node, env)
    raise EvalError(f"cannot evaluate {to_text(node)}")


def _call(node: Call, env: dict[str, Value]) -> Value:
    if node.name == "fx":
        return _eval_fx(node, env)
    args = [_eval(a, env) for a in node.args]
    dates = frozenset().union(*(a.dates for a in args))
    if node.name == "sum":
        total = args[0].iv
        for arg in args[1:]:
            total = intervals.add(total, arg.iv)
        return Value(total, dates)
    a, b = args[0].iv, args[1].iv
    intervals.common_unit(f"take {node.name}() of", a.unit, b.unit)
    ratio = intervals.with_unit(intervals.div(a, b), "")
    if node.name == "growth":
        ratio = intervals.sub(ratio, intervals.point(1.0))
    return Value(intervals.scale(ratio, 100.0, "%"), dates)


def _eval_fx(node: Call, env: dict[str, Value]) -> Value:
    src, dst = node.args[1], node.args[2]
    assert isinstance(src, Str) and isinstance(dst, Str)
    _known_currencies(src.value, dst.value)
    amount = node.args[0]
    if isinstance(amount, Ref | IdRef):
        return env[_operand_key(amount, (src.value, dst.value))]
    value = _eval(amount, env)
    if not value.dates:
        raise EvalError(f"{to_text(node)}: the amount uses no fact, so it has no date for a rate")
    iv = _fx(lambda: fx.convert_over(value.iv, src.value, dst.value, value.dates))
    return Value(iv, value.dates)


_OP_WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "==": "equal to"}


def formula_unit_fits(formula_unit: str, fact_unit: str) -> bool:
    """Whether a derived fact's formula result may be read in the fact's unit.

    A writer converts with bare numbers (``{videos} * 5 / 60`` seconds → minutes,
    ``{revenue} / {users} / 3`` → CNY per month), which carry no units. So a result that is a
    plain number or count, or whose unit the fact's unit is a rate of (CNY → CNY/month), is taken
    in the fact's unit; anything else (CNY vs USD, % vs CNY) is still a unit error.
    """
    if formula_unit == "%" and fact_unit == "pp":
        return True  # a difference of two shares, read in percentage points
    return formula_unit in ("", "count", "x") or fact_unit.startswith(f"{formula_unit}/")


def _judge_compare(
    tree: Compare, env: dict[str, Value], tolerance: float, derived: bool = False
) -> Outcome:
    lhs, rhs = _eval(tree.left, env).iv, _eval(tree.right, env).iv
    if derived and lhs.unit != rhs.unit and formula_unit_fits(rhs.unit, lhs.unit):
        rhs = intervals.with_unit(rhs, lhs.unit)
    # A bare number is in the other side's unit (``> 7億`` against CNY); say so in the output.
    unit = intervals.common_unit("compare", lhs.unit, rhs.unit)
    lhs, rhs = intervals.with_unit(lhs, unit), intervals.with_unit(rhs, unit)
    if tree.op == "~":
        always, sometimes, diff, eps = intervals.approx(lhs, rhs, tolerance)
        verdict = _verdict(always, sometimes)
        return Outcome(verdict, _approx_why(verdict, diff, eps), lhs, rhs)
    always, sometimes = intervals.relation(lhs, tree.op, rhs)
    verdict = _verdict(always, sometimes)
    word = _OP_WORDS[tree.op]
    why = {
        "holds": f"every allowed value of the left side is {word} every allowed value of the right",
        "possible": f"some allowed values put the left side {word} the right, others do not",
        "violated": f"no allowed value puts the left side {word} the right",
    }[verdict]
    return Outcome(verdict, why, lhs, rhs)


def _verdict(always: bool, sometimes: bool) -> str:
    return "holds" if always else "possible" if sometimes else "violated"


def _approx_why(verdict: str, diff: Interval, eps: float) -> str:
    band = "" if eps == 0 else f" within ±{fmt.number(eps, diff.unit)}"
    d = fmt.interval(diff)
    if verdict == "holds":
        return f"the two sides agree{band} for every allowed value (difference {d})"
    if verdict == "possible":
        return f"the two sides can agree{band} but need not (difference {d})"
    return f"the two sides cannot agree{band}: their difference is {d}"


def evaluate_compare(
    rule: Rule, tree: Compare, index: FactIndex, touched: set[str] | None = None
) -> Result:
    slots = _slots(tree, index)
    unresolved = [s for s in slots.values() if not s.members]
    operands = operand_data(slots.values())
    if unresolved:
        return result(
            rule, "unresolved", _unresolved_message(unresolved), list(slots.values()),
            operands=operands, unresolved=[s.label for s in unresolved],
        )  # fmt: skip

    def judge(env: dict[str, Value]) -> Outcome:
        return _judge_compare(tree, env, rule.tolerance, rule.derived)

    base, alternatives = decide(list(slots.values()), judge)
    verdict = worst(a.outcome.verdict for a in alternatives) if alternatives else base.verdict
    strain = None
    if verdict in ("holds", "possible") and rule.reading != "sound":
        strain = strained(list(slots.values()), judge, index.dimensions)
    if touched is not None:
        touched |= sensitive_facts(
            list(slots.values()), judge, index.dimensions, verdict=verdict, known=touched
        )
    left, right = side_texts(rule.expression, tree)
    head = f"{_side(left, tree.left, base.lhs)}; {_side(right, tree.right, base.rhs)}"
    if alternatives:
        message = (
            alternatives_message(verdict, alternatives)
            + f". All sources together (disagreeing ones as their hull): {head}"
        )
    else:
        message = f"{head}: {verdict} — {base.why}"
    if strain is not None:
        verdict = "strained"
        message += f". Strained: {strain.text()}"
    return result(
        rule, verdict, message, list(slots.values()), operands=operands, lhs=base.lhs,
        rhs=base.rhs, alternatives=[alternative_data(a) for a in alternatives],
        strain=strain.text() if strain else None,
    )  # fmt: skip


def _side(text: str, node: Expr, value: Interval | None) -> str:
    """``text = value``; a side that is only a number is just the number, in its unit."""
    if isinstance(node, Num) or (isinstance(node, Neg) and isinstance(node.operand, Num)):
        return show(value)
    return f"{text} = {show(value)}"


def side_texts(expression: str, tree: Compare) -> tuple[str, str]:
    """Both sides as the writer wrote them (the canonical text when the column is unknown)."""
    start = tree.col - 1
    if tree.col > 0 and expression[start : start + len(tree.op)] == tree.op:
        return expression[:start].strip(), expression[start + len(tree.op) :].strip()
    return to_text(tree.left), to_text(tree.right)


def decide(
    slots: list[Slot], judge: Callable[[dict[str, Value]], Outcome]
) -> tuple[Outcome, list[Alternative]]:
    """Judge with every operand combined, then once per fact of each disagreeing operand.

    The other operands stay at their combined value, so the cost is one evaluation per fact of a
    disagreeing reference, never a product over sources.
    """
    env = {slot.key: slot.value for slot in slots}
    base = judge(env)
    alternatives: list[Alternative] = []
    for slot in slots:
        if slot.consistent:
            continue
        for member in slot.members:
            env_one = {**env, slot.key: Value(member.interval, member.dates)}
            alternatives.append(Alternative(slot, member, judge(env_one)))
    return base, alternatives


def with_reading(slots: list[Slot], reading: str) -> list[Slot]:
    """The same operands with every member in another reading (``typical``)."""
    out = []
    for s in slots:
        if s.as_written:
            members = [Member(m.fact, m.fact.written(reading), m.dates) for m in s.members]  # type: ignore[arg-type]
        else:
            members = [member(m.fact, s.conversion, reading) for m in s.members]
        other = Slot(s.key, s.label, members, s.skipped, s.excluded, conversion=s.conversion,
                     as_written=s.as_written)  # fmt: skip
        if members:
            combine(other)
        out.append(other)
    return out


@dataclass(frozen=True)
class Strain:
    """A rule that holds or can hold only at a stretch: violated under the typical reading."""

    fact: Fact | None  # the operand whose typical reading is the stretch, when one is found
    direction: str  # "at least" | "at most"
    bound: float
    unit: str

    def text(self) -> str:
        if self.fact is None:
            return "it is violated when every value is read as its writer most likely meant it"
        value = fmt.number(self.bound, self.unit)
        return (
            f"it holds only if {self.fact.value} ({self.fact.source}) is {self.direction} "
            f"{value}, a stretch of its words"
        )


def strained(
    slots: list[Slot], judge: Callable[[dict[str, Value]], Outcome], dimensions: dict[str, str]
) -> Strain | None:
    """None unless the rule is violated under the typical reading (it passed under the sound
    one); then what it would take: the bound one hedged operand's value must reach, within what
    its words allow, for the rule to stop being violated (the others read typically)."""
    typical = with_reading(slots, "typical")
    if typical == slots or verdict_of(typical, judge) != "violated":
        return None
    for i, slot in enumerate(typical):
        for j, m in enumerate(slot.members):
            sound = slots[i].members[j].interval
            if sound == m.interval:
                continue
            found = _bound(typical, i, j, sound, m.interval, judge)
            if found is not None:
                direction, bound = found
                return Strain(m.fact, direction, bound, m.interval.unit)
    return Strain(None, "", 0.0, "")


def _bound(
    slots: list[Slot],
    i: int,
    j: int,
    sound: Interval,
    typical: Interval,
    judge: Callable[[dict[str, Value]], Outcome],
) -> tuple[str, float] | None:
    """The value nearest the typical reading, within the sound one, from which the rule stops
    being violated. The operand is given a whole range [typical end, x] and x is bisected: the
    verdict over a range can only improve as the range grows, so about 60 evaluations find the
    boundary whatever its shape (a `~` band can be narrow). None when there is none."""

    def violated_on(lo: float, hi: float) -> bool:
        members = list(slots[i].members)
        value = Interval(min(lo, hi), max(lo, hi), unit=typical.unit)
        members[j] = Member(members[j].fact, value, members[j].dates)
        other = Slot(slots[i].key, slots[i].label, members)
        combine(other)
        try:
            return verdict_of([*slots[:i], other, *slots[i + 1 :]], judge) == "violated"
        except (EvalError, intervals.UnitMismatch):
            return True

    sides = (("at least", typical.hi, sound.hi), ("at most", typical.lo, sound.lo))
    for side, start, limit in sides:
        up = side == "at least"
        if not (math.isfinite(start) and (limit > start if up else limit < start)):
            continue
        far = (
            limit if math.isfinite(limit) else start + (1 if up else -1) * max(abs(start), 1) * 1e9
        )
        if violated_on(start, far):
            continue
        near = start  # violated on [start, near]; not on [start, far]
        for _ in range(80):
            mid = (near + far) / 2
            if mid in (near, far):
                break
            if violated_on(start, mid):
                near = mid
            else:
                far = mid
        return side, far
    return None


def verdict_of(slots: list[Slot], judge: Callable[[dict[str, Value]], Outcome]) -> str:
    base, alternatives = decide(slots, judge)
    return worst(a.outcome.verdict for a in alternatives) if alternatives else base.verdict


def sensitive_facts(
    slots: list[Slot],
    judge: Callable[[dict[str, Value]], Outcome],
    dimensions: dict[str, str],
    *,
    verdict: str | None = None,
    known: set[str] | frozenset[str] = frozenset(),
) -> set[str]:
    """The operand facts whose value decides whether the rule fails: with some other value of
    that one fact (:func:`crosscheck.probes`), the rule passes where it failed or fails where it
    passed. An operand that no value can make fail (``x < y`` with y unbounded above) is not one.
    Facts in ``known`` (already found touched by another rule) are not probed again: probing is
    most of a large corpus's rule time, and touched is a yes/no per fact.
    """
    passes = (verdict or verdict_of(slots, judge)) in PASSING_VERDICTS
    out: set[str] = set()
    for i, slot in enumerate(slots):
        for j, m in enumerate(slot.members):
            if m.fact.id in known or m.fact.id in out:
                continue
            for probe in probes(m.interval, dimensions.get(m.fact.metric, "")):
                members = [
                    *slot.members[:j],
                    Member(m.fact, probe, m.dates),
                    *slot.members[j + 1 :],
                ]
                other = Slot(slot.key, slot.label, members)
                combine(other)
                try:
                    verdict = verdict_of([*slots[:i], other, *slots[i + 1 :]], judge)
                except (EvalError, intervals.UnitMismatch):
                    continue
                if (verdict in PASSING_VERDICTS) != passes:
                    out.add(m.fact.id)
                    break
    return out


def alternatives_message(verdict: str, alternatives: list[Alternative]) -> str:
    labels = ", ".join(dict.fromkeys(a.slot.label for a in alternatives))
    parts = []
    for alt in alternatives:
        fact, out = alt.member.fact, alt.outcome
        sides = f"left {show(out.lhs)}, right {show(out.rhs)}; " if out.lhs is not None else ""
        parts.append(f"{fact.id} ({fact.source}: {fact.value}) → {out.verdict} ({sides}{out.why})")
    return (
        f"{verdict} — the sources disagree on {labels}, so each is checked in turn: "
        + "; ".join(parts)
    )


def _unresolved_message(unresolved: list[Slot]) -> str:
    parts = []
    for slot in unresolved:
        note = ""
        if slot.skipped:
            note = f" ({len(slot.skipped)} matching fact(s) have no parsed value)"
        elif slot.excluded:
            note = (
                f" ({slot.excluded} fact(s) for this key have qualifiers or are hypothetical; "
                "add a filter such as [segment=...] to use them)"
            )
        parts.append(f"{slot.label}{note}")
    return "unresolved — no fact matches " + "; ".join(parts)


def alternative_data(alt: Alternative) -> pl.Alternative:
    return pl.Alternative(
        ref=alt.slot.label,
        fact_id=alt.member.fact.id,
        source=alt.member.fact.source,
        verdict=alt.outcome.verdict,
        lhs=alt.outcome.lhs,
        rhs=alt.outcome.rhs,
    )


def operand_data(slots: Iterable[Slot]) -> list[pl.Operand]:
    return [
        pl.Operand(
            ref=slot.label,
            fact_id=member.fact.id,
            source=member.fact.source,
            quote=member.fact.quote,
            value=member.fact.value,
            interval=member.fact.interval,
            file=member.fact.file,
            line=member.fact.line,
            # converted to the metric's unit, or by fx()
            converted=member.interval if member.interval != member.fact.interval else None,
        )
        for slot in slots
        for member in slot.members
    ]


def show(iv: Interval | None) -> str:
    return fmt.interval_words(iv)


def result(rule: Rule, verdict: str, message: str, slots: list[Slot], **data: Any) -> Result:
    """The rule's result; ``data``: the fields of :class:`~factledger.payloads.RuleData`."""
    facts = list({m.fact.id: m.fact for s in slots for m in s.members}.values())
    payload = pl.RuleData(
        description=rule.description,
        expression=rule.expression,
        tolerance=rule.tolerance,
        reason=rule.reason,
        **data,
    )
    return Result(
        id=f"{rule.kind}:{rule.id}",
        kind=rule.kind,
        # strained: possible under the sound reading, violated under the typical one — a warning
        severity="warning" if verdict == "strained" else rule.severity,
        verdict=verdict,
        # the rule in plain words first, then its numbers and the verdict's reason
        message=f"{' '.join(rule.description.split()).rstrip('.')}. {message}",
        fact_ids=tuple(f.id for f in facts),
        file=rule.file,
        line=rule.line,
        fingerprint=rule_fingerprint(rule, verdict, slots, payload.alternatives),
        data=payload,
    )


def rule_fingerprint(
    rule: Rule, verdict: str, slots: list[Slot], alternatives: list[pl.Alternative]
) -> str:
    """What the verdict rests on, so that an acknowledgement survives what does not change it:
    the expression, the verdict, each operand's combined value (an agreeing source added to an
    operand leaves its intersection as it was) and, where sources disagree, the worst
    alternative's fact and value. Changing a value the verdict rests on changes it."""
    values = sorted(
        (s.label, s.combined.to_json() if s.combined is not None else None) for s in slots
    )
    worst_alt = None
    if alternatives:
        alt = min(alternatives, key=lambda a: (VERDICT_ORDER.index(a.verdict), a.fact_id))
        member = next(
            m for s in slots if s.label == alt.ref for m in s.members if m.fact.id == alt.fact_id
        )
        worst_alt = (alt.ref, alt.source, member.fact.value, member.interval.to_json())
    return fingerprint(rule.expression, verdict, values, worst_alt)
