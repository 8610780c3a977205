"""What each kind of result carries beside its message: one typed payload per result kind.

A check builds these; the JSON report writes them (:meth:`Payload.to_json`), and the CLI, pytest
items, JUnit and the page read the same fields — no face guesses at a free dict. The JSON shape of
each payload is declared in ``docs/report-schema.json`` (``$defs/<kind>_data``), and a test keeps
the two in step (``tests/test_payloads.py``).

Fields whose metadata says ``omit_none`` are left out of the JSON when they are None (a conflict
has a revision ``chain`` only when it is a revision); every other field is always written.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from factledger.model import Interval

OPTIONAL = {"omit_none": True}


_PLAIN = (str, int, bool, type(None))


def _json(value: Any) -> Any:
    # Every result's payload passes here on its way to the JSON report (150k results at 100k
    # facts): the common, plain values are returned first.
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, Interval):
        return value.to_json()
    if isinstance(value, Payload):
        return value.to_json()
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Payload:
    """Base of every result payload (each a frozen dataclass)."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, omit_none in _fields(self.__class__):
            value = getattr(self, name)
            if value is None and omit_none:
                continue
            out[name] = _json(value)
        return out


@cache
def _fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """Each field's name and whether None leaves it out (``dataclasses.fields`` is slow)."""
    return tuple((f.name, bool(f.metadata.get("omit_none"))) for f in dataclasses.fields(cls))


# --- rules (and, later, invariants and claims: the same shape) ------------------------------------


@dataclass(frozen=True)
class Operand(Payload):
    """One fact an operand of a rule matched."""

    ref: str  # the reference as written in the rule, e.g. kling.revenue@2025Q1
    fact_id: str
    source: str
    quote: str
    value: str
    interval: Interval | None  # as written
    file: str
    line: int
    converted: Interval | None = field(default=None, metadata=OPTIONAL)  # canonical, or by fx()


@dataclass(frozen=True)
class Alternative(Payload):
    """The verdict with one disagreeing source's value in place of the combined one."""

    ref: str
    fact_id: str
    source: str
    verdict: str
    lhs: Interval | None
    rhs: Interval | None


@dataclass(frozen=True)
class SeriesPoint(Payload):
    period: str
    interval: Interval | None
    fact_ids: list[str]


@dataclass(frozen=True)
class RuleData(Payload):
    """A rule's (or an invariant's) operands, both sides and verdict details."""

    description: str
    expression: str
    tolerance: float
    lhs: Interval | None = None
    rhs: Interval | None = None
    operands: list[Operand] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    # strained: what it would take for the rule to hold under the typical reading
    strain: str | None = field(default=None, metadata=OPTIONAL)
    # increasing()/decreasing() only
    series: list[SeriesPoint] | None = field(default=None, metadata=OPTIONAL)
    gaps: list[str] | None = field(default=None, metadata=OPTIONAL)
    ignored_periods: list[str] | None = field(default=None, metadata=OPTIONAL)
    # why the rule's tolerance is above the default (a rule file must say so)
    reason: str | None = field(default=None, metadata=OPTIONAL)
    # invariants only: the relation of facts/metrics.yaml it instantiates (subset_of, flow, ...)
    relation: str | None = field(default=None, metadata=OPTIONAL)


# --- conflicts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member(Payload):
    """One fact of a conflict group, its value in the metric's canonical unit."""

    fact_id: str
    source: str
    value: str
    interval: Interval
    period: str
    kind: str
    stated: str
    file: str
    line: int
    quote: str
    qualifiers: dict[str, str] | None = field(default=None, metadata=OPTIONAL)
    period_label: str | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class StepFact(Payload):
    fact_id: str
    source: str
    value: str
    kind: str
    interval: Interval
    stated: str = ""


@dataclass(frozen=True)
class RevisionStep(Payload):
    """One stated date of a revision chain, oldest first."""

    stated: str
    stated_start: str
    stated_end: str
    sources: list[str]
    facts: list[StepFact]
    restated: list[StepFact] = field(default_factory=list)  # later figures that repeat it


@dataclass(frozen=True)
class RevisionChain(Payload):
    """One issuer's figures for a key, oldest first (company guidance and an analyst's forecast
    are separate chains)."""

    issuer: str
    steps: list[RevisionStep]


@dataclass(frozen=True)
class ConflictData(Payload):
    kind: str  # the verdict: agree | revision | conflict | stale | needs-review
    key: dict[str, Any]
    facts: list[Member]
    duplicate: str | None = None  # complete | consistent, for agree
    label: str | None = field(default=None, metadata=OPTIONAL)
    chains: list[RevisionChain] | None = field(default=None, metadata=OPTIONAL)
    disjoint: list[str] | None = field(default=None, metadata=OPTIONAL)  # a witness pair
    matches_earlier: dict[str, Member] | None = field(default=None, metadata=OPTIONAL)
    combinations: int | None = field(default=None, metadata=OPTIONAL)  # needs-review only
    strain: str | None = field(default=None, metadata=OPTIONAL)  # strained: what it would take


# --- coverage and expectations ------------------------------------------------------------------


@dataclass(frozen=True)
class UncoveredMention(Payload):
    text: str
    at: int  # offset in the folded source text
    context: str


@dataclass(frozen=True)
class CoverageData(Payload):
    source: str
    curation: str
    mentions: int
    covered: int
    ignored: int
    uncovered: list[UncoveredMention]
    coverage: float


@dataclass(frozen=True)
class MentionData(Payload):
    """An uncovered mention (one coverage result each)."""

    mention: str
    context: str


@dataclass(frozen=True)
class IgnoreData(Payload):
    """An ignore entry that matches no mention (one coverage result each)."""

    mention: str
    context: str | None


@dataclass(frozen=True)
class ExpectationData(Payload):
    rows_checked: int
    failing: int


# Which payload each result kind carries (kinds not listed carry none).
PAYLOADS: dict[str, type[Payload] | tuple[type[Payload], ...]] = {
    "rule": RuleData,
    "invariant": RuleData,
    "claim": RuleData,
    "conflict": ConflictData,
    "coverage": (CoverageData, MentionData, IgnoreData),
    "expectation": ExpectationData,
}
