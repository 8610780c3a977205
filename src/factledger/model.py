"""The one data model every module shares. Imports nothing else from the package.

Plain, immutable-where-possible dataclasses: parsers produce them, checks read them, reports
render them. Nothing here does I/O.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

INF = math.inf

# --- vocabularies: declared once, read by every module and every face ----------------------------

KINDS = ("actual", "guidance", "forecast", "estimate", "hypothetical", "derived")
# Projections may legitimately move between the dates they were stated at.
PROJECTION_KINDS = frozenset({"guidance", "forecast", "estimate"})

# Dimension → canonical unit. money, price-per-period and money-per-day keep the written
# currency until the table converts them (USD, HKD, USD/month, ...); CNY is a bare number's unit.
DIMENSION_UNITS: dict[str, str] = {
    "money": "CNY",
    "count": "count",
    "share": "%",
    "growth": "%",
    "ratio": "x",
    "rank": "rank",
    "score": "points",
    "credits": "credits",
    "duration": "minutes",
    "date": "date",
    "price-per-period": "CNY/month",
    "money-per-day": "CNY/day",
    "share-change": "pp",  # percentage points: a share's change (上升1.1個百分點)
}
DIMENSIONS = tuple(DIMENSION_UNITS)
# Domain per dimension; every other dimension is [0, ∞).
DIMENSION_DOMAINS: dict[str, tuple[float, float]] = {
    "share": (0.0, 100.0),
    "growth": (-100.0, math.inf),
    "share-change": (-100.0, 100.0),
}
# ISO codes of the currencies the quantity parser reads and the fx module converts.
CURRENCIES = ("CNY", "USD", "HKD", "EUR")
# Units whose large values the corpus writes in 萬 and 億 (money bases and plain counts).
MYRIAD_UNITS = frozenset({*CURRENCIES, "count"})

SEVERITIES = ("error", "warning", "info")
RESULT_KINDS = (
    "input",
    "schema",
    "expectation",
    "provenance",
    "coverage",
    "rule",
    "invariant",
    "claim",
    "conflict",
    "acknowledgement",
)
# Verdicts that do not make a finding. Everything else, at error/warning severity, is a finding.
PASSING_VERDICTS = frozenset(
    {"pass", "holds", "possible", "agree", "revision", "covered", "skipped"}
)
# Every verdict any check gives, in words for people (the page, ClaimReview, the CLI). A verdict
# that means different things for different result kinds is listed under (kind, verdict).
VERDICT_WORDS: dict[str | tuple[str, str], str] = {
    "pass": "Passes",
    "holds": "Rule holds",
    "possible": "Rule can hold",
    "agree": "Sources agree",
    "revision": "Later source revises the figure",
    "covered": "All mentions covered",
    "skipped": "Skipped",
    "fail": "Fails",
    "error": "Error: cannot be checked",
    "unresolved": "Rule cannot be checked: a fact is missing",
    "violated": "Rule violated",
    "conflict": "Sources conflict",
    "needs-review": "Needs a reviewer",
    "stale": "Outdated figure presented as current",
    "refused": "Acknowledgement refused",
    "unmatched": "Acknowledgement matches no finding",
    "strained": "Possible only at a stretch",
    "repeated-figure": "Same cumulative figure repeated months apart",
    "mixed-entities": "Formula divides one entity's figure by another's",
    "mixed-periods": "Formula mixes period lengths",
    "member-in-ranking": "Ranking lists a series and its own member as rivals",
    ("invariant", "holds"): "Relation holds",
    ("invariant", "possible"): "Relation can hold",
    ("invariant", "violated"): "Relation violated",
    ("claim", "holds"): "Claim holds",
    ("claim", "possible"): "Claim can hold",
    ("claim", "violated"): "Claim contradicted",
    ("claim", "unverifiable"): "Claim cannot be checked here",
    "uncovered": "Numeric mention not recorded",
    "unused": "Unused ignore entry",
    "missing": "Quote or value missing from the source",
    "not-found": "Not found in the source",
    "mismatch": "Does not match the source",
}


def verdict_words(verdict: str, kind: str | None = None) -> str:
    """The verdict said in words; unknown verdicts fall back to the verdict, de-hyphenated."""
    if kind is not None and (kind, verdict) in VERDICT_WORDS:
        return VERDICT_WORDS[kind, verdict]
    return VERDICT_WORDS.get(verdict, verdict.replace("-", " ").capitalize())


FINDING_STATUSES = ("open", "stale-ack", "acknowledged")
STATUS_WORDS = {
    "open": "Open",
    "stale-ack": "Stale acknowledgement",
    "acknowledged": "Acknowledged",
}
ACK_VERDICTS = (
    "sources-disagree",
    "different-subjects",
    "source-error",
    "superseded",
    "loose-wording",
)
ACK_WORDS = {
    "sources-disagree": "the sources disagree",
    "different-subjects": "the facts are about different subjects",
    "source-error": "the source is in error",
    "superseded": "a later figure replaces it",
    "loose-wording": "the words allow it, though not as a reader takes them",
}
# Findings of these kinds are fixed in the data, never waived.
UNACKNOWLEDGEABLE_KINDS = frozenset(
    {"input", "provenance", "coverage", "schema", "acknowledgement"}
)


@dataclass(frozen=True)
class Interval:
    """A set of real values from lo to hi with optionally open ends, in one unit.

    ``lo``/``hi`` are floats (±inf ends are always open). ``hedge`` keeps the word that shaped the
    interval (超過, 約, ...) so reports can say it in the source's own terms. ``exact`` holds the
    exact ends when arithmetic (an exchange rate, a division) made them inexact in floats:
    ``(lo, lo_open, hi, hi_open)`` as Fractions. The floats are then rounded outward (sound for
    display and JSON); every comparison uses the exact ends, so two values that touched before a
    conversion — 12.4 and 12.5 as written, [12.35, 12.45) and [12.45, 12.55) — still touch, and
    do not overlap, after it.
    """

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False
    unit: str = ""
    hedge: str | None = None
    exact: tuple[Fraction, bool, Fraction, bool] | None = field(
        default=None, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        # inf ends are never attained
        if math.isinf(self.lo) and not self.lo_open:
            object.__setattr__(self, "lo_open", True)
        if math.isinf(self.hi) and not self.hi_open:
            object.__setattr__(self, "hi_open", True)

    @property
    def low(self) -> tuple[float | Fraction, bool]:
        """The lower end and whether it is open, exact when known."""
        if self.exact is not None and not math.isinf(self.lo):
            return self.exact[0], self.exact[1]
        return self.lo, self.lo_open

    @property
    def high(self) -> tuple[float | Fraction, bool]:
        if self.exact is not None and not math.isinf(self.hi):
            return self.exact[2], self.exact[3]
        return self.hi, self.hi_open

    @property
    def is_empty(self) -> bool:
        (lo, lo_open), (hi, hi_open) = self.low, self.high
        if lo > hi:
            return True
        return lo == hi and (lo_open or hi_open)

    @property
    def is_point(self) -> bool:
        return self.low[0] == self.high[0] and not self.is_empty

    def contains(self, x: float) -> bool:
        (lo, lo_open), (hi, hi_open) = self.low, self.high
        above = x > lo or (x == lo and not lo_open)
        below = x < hi or (x == hi and not hi_open)
        return above and below

    def overlaps(self, other: Interval) -> bool:
        return not self.intersect(other).is_empty

    def intersect(self, other: Interval) -> Interval:
        (a_lo, a_lo_open), (b_lo, b_lo_open) = self.low, other.low
        (a_hi, a_hi_open), (b_hi, b_hi_open) = self.high, other.high
        mine_lo = a_lo > b_lo or (a_lo == b_lo and a_lo_open)
        mine_hi = a_hi < b_hi or (a_hi == b_hi and a_hi_open)
        lo_src, hi_src = (self if mine_lo else other), (self if mine_hi else other)
        lo, lo_open = (a_lo, a_lo_open) if mine_lo else (b_lo, b_lo_open)
        hi, hi_open = (a_hi, a_hi_open) if mine_hi else (b_hi, b_hi_open)
        exact = None
        if lo_src.exact is not None or hi_src.exact is not None:
            exact = (Fraction(lo) if not math.isinf(lo) else lo, lo_open,
                     Fraction(hi) if not math.isinf(hi) else hi, hi_open)  # fmt: skip
        return Interval(
            lo_src.lo, hi_src.hi, lo_src.lo_open, hi_src.hi_open, self.unit, exact=exact
        )

    def to_json(self) -> dict[str, Any]:
        """JSON has no Infinity: an unbounded end is null."""
        return {
            "lo": None if math.isinf(self.lo) else self.lo,
            "hi": None if math.isinf(self.hi) else self.hi,
            "lo_open": self.lo_open,
            "hi_open": self.hi_open,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days; ``text`` keeps how it was written."""

    text: str
    start: date
    end: date

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    @property
    def key(self) -> str:
        """Equal for equal date ranges, however written (2025Q1 == 2025-01..2025-03)."""
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def to_json(self) -> dict[str, str]:
        return {"text": self.text, "start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}" if self.field else where


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    body: str
    outlet: str
    language: str
    published: Period
    published_basis: str
    curation: str
    file: str
    url: str | None = None  # where the article was published, when known
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        """Title and body are both quotable."""
        return f"{self.title}\n{self.body}"


@dataclass(frozen=True)
class Entity:
    key: str
    names: tuple[str, ...]
    kind: str
    file: str = ""
    line: int | None = None
    # relations (docs/fact-format.md, "Entity relations"): a product, unit or segment of a company;
    # a model or version of a series
    part_of: str | None = None
    member_of: str | None = None
    field_lines: dict[str, int] = field(default_factory=dict)


# How a metric's values relate over time (facts/metrics.yaml ``aggregation``): a flow adds up over
# periods (revenue), a stock is a level at an instant (MAU), a cumulative total never falls.
AGGREGATIONS = ("flow", "stock", "cumulative")
# The comparison period of a growth or change: a year, a quarter or a month earlier.
GROWTH_BASES = {"yoy": 12, "qoq": 3, "mom": 1}
# The unit of time a per-period figure is per (``per_period``), in months.
PER_PERIODS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Metric:
    key: str
    dimension: str
    unit: str
    series: bool
    description: str
    names: tuple[str, ...] = ()
    file: str = ""
    line: int | None = None
    # Relations declared once in the registry, instantiated over every fact as invariants
    # (docs/fact-format.md, "Relations"). None / () when not declared.
    aggregation: str | None = None  # flow | stock | cumulative
    growth_of: str | None = None  # the level metric this is the growth of (with ``basis``)
    change_of: str | None = None  # the share this is the change of, in pp (with ``basis``)
    basis: str | None = None  # yoy | qoq | mom
    subset_of: str | None = None  # never larger than this metric (same key)
    part_of: str | None = None  # the whole's metric (itself for segments; a share's is 100 %)
    parts: tuple[str, ...] = ()  # the qualifier(s) naming the parts
    complete: bool = False  # the parts named by a qualifier add up to the whole
    ratio_of: tuple[str, str] | None = None  # (numerator, denominator) metrics
    per_period: str | None = None  # month | quarter | year: the figure is per this unit of time
    # line of each field in the registry file (relations are located at their own line)
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def instant(self) -> bool:
        """A stock or cumulative figure: a value at its period's end, not accrued over it."""
        return self.aggregation in ("stock", "cumulative")


# What a claim fact asserts (docs/fact-format.md, "Claim facts"): its kind and its one argument.
CLAIM_KINDS = ("greater_than", "less_than", "rank", "record_high", "record_low", "count")


@dataclass(frozen=True)
class Claim:
    """A checkable claim that is not a single number: the fact's own figure (its entity, metric,
    qualifiers and period) is greater or less than another (``other``: a fact id in braces or a
    reference), ranks ``n``-th in ``ranking``, is a record over its series, or counts ``n``
    members of ``of`` (a metric whose facts for the same entity list them)."""

    kind: str
    other: str | None = None
    n: int | None = None
    ranking: str | None = None
    by: str | None = None  # rank: the metric whose figures rank the entries
    of: str | None = None
    subject: str | None = None  # the claimed figure when not the fact's own key ({fact-id})


@dataclass(frozen=True)
class Fact:
    id: str
    source: str
    entity: str
    metric: str
    period: Period
    value: str
    kind: str
    quote: str
    stated: Period
    file: str
    line: int
    qualifiers: tuple[tuple[str, str], ...] = ()
    hedge: str | None = None
    unit: str | None = None
    rounded_to: str | None = None
    note: str | None = None
    period_text: tuple[str, ...] = ()
    derived_from: tuple[str, ...] = ()
    formula: str | None = None
    stated_by: str | None = None  # who made a projection: an entity key or an outlet
    claim: Claim | None = None  # a claim that is not a single number (創歷史新高, 顯著高於)
    # which whole-number match of the value in the quote the fact means (1-based), when the quote
    # holds the value's text more than once (factledger.mentions.whole_mention_spans)
    occurrence: int | None = None
    interval: Interval | None = None  # the sound reading, as written, in the written unit
    canonical: Interval | None = None  # in the metric's unit: set by factledger.table only
    # the typical reading (what a writer most likely meant; inside the sound one), as written
    # and in the metric's unit; None reads as the sound interval
    typical: Interval | None = None
    typical_canonical: Interval | None = None
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def qualifier_dict(self) -> dict[str, str]:
        return dict(self.qualifiers)

    def reading(self, name: str) -> Interval | None:
        """The canonical interval of one reading: ``sound`` or ``typical``."""
        if name == "typical" and self.typical_canonical is not None:
            return self.typical_canonical
        return self.canonical

    def written(self, name: str) -> Interval | None:
        """The interval of one reading in the written unit."""
        if name == "typical" and self.typical is not None:
            return self.typical
        return self.interval

    @property
    def value_date(self) -> date:
        """The date a value is 'at' (and converted at): when it was stated for projections
        that name a future figure, the end of its period otherwise."""
        if self.kind in ("guidance", "forecast"):
            return self.stated.end
        return self.period.end

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)


@dataclass(frozen=True)
class Acknowledgement:
    id: str
    fingerprint: str
    verdict: str
    reason: str
    reviewer: str
    date: str
    file: str
    line: int


@dataclass(frozen=True)
class Result:
    """One outcome of one check. Every check, whatever it tests, returns these."""

    id: str
    kind: str
    severity: str
    verdict: str
    message: str
    fact_ids: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None
    fingerprint: str = ""
    # the kind's typed payload (factledger.payloads), or None for kinds that carry none
    data: Any = field(default=None, compare=False, hash=False)

    @property
    def passed(self) -> bool:
        return self.verdict in PASSING_VERDICTS

    @property
    def is_finding(self) -> bool:
        return not self.passed and self.severity in ("error", "warning")

    @property
    def acknowledgeable(self) -> bool:
        return self.kind not in UNACKNOWLEDGEABLE_KINDS

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Finding:
    """A failing result after acknowledgements are applied."""

    result: Result
    status: str  # open | acknowledged | stale-ack
    ack: Acknowledgement | None = None


def json_safe(value: Any) -> Any:
    """JSON has no Infinity or NaN: unbounded or unknown numbers become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


# json.dumps with options builds an encoder per call; a result's fingerprint is taken per result
_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)


def fingerprint(*parts: Any) -> str:
    """Short, stable hash of the values a result depends on."""
    blob = _FINGERPRINT_JSON.encode(parts)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'mau'?)`` for the closest of ``choices`` to a misspelt ``word``, or ""
    when none is close: the tail of an input problem about an unknown name."""
    hint = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


def input_problem(
    file: str,
    line: int | None,
    field: str | None,
    message: str,
    *,
    key: str = "",
    fact_ids: tuple[str, ...] = (),
    severity: str = "error",
) -> Result:
    """The one way to report a problem with an input file: located by ``file``/``line`` (never
    repeated in the message), identified by what it is about — a fact id, rule id or registry key
    in ``key`` — so its id survives edits that move lines."""
    return Result(
        id=f"input:{file}:{key}:{field or ''}",
        kind="input",
        severity=severity,
        verdict="error" if severity == "error" else "warning",
        message=f"{field}: {message}" if field else message,
        fact_ids=fact_ids,
        file=file,
        line=line,
        fingerprint=fingerprint("input", file, key, field, message),
    )


class Problems:
    """Collects located input problems for one file (each built by :func:`input_problem`)."""

    def __init__(self, file: str, sink: list[Result] | None = None) -> None:
        self.file = file
        self.results: list[Result] = [] if sink is None else sink

    def add(
        self, line: int | None, field: str | None, message: str, *fact_ids: str, key: str = ""
    ) -> None:
        """``fact_ids``: the fact(s) the problem is about (the first is its key); ``key``: a rule
        id, registry key or acknowledged id when it is about one of those."""
        self.results.append(
            input_problem(
                self.file, line, field, message, key=fact_ids[0] if fact_ids else key,
                fact_ids=fact_ids,
            )
        )  # fmt: skip
