"""The checks, each one module implementing one protocol.

A check is a named function from a :class:`CheckContext` (the loaded corpus, its facts with
canonical values, the facts table and the settings) to a :class:`CheckOutput` (its results, and
named extras such as coverage figures). The engine runs a list of checks — :data:`DEFAULT_CHECKS`
unless told otherwise — so adding a check is adding one module to that list; nothing else in the
engine changes. A check knows neither pytest nor the CLI: it returns results, it never prints or
raises on findings.

A check may also say how to re-run only part of itself (:class:`Incremental`): its output split
into :class:`Unit` s — one per fact, rule, source or entity-metric pair — each with the inputs it
depends on, so that the incremental engine (:mod:`factledger.incremental`) re-runs the units an
edit touched and keeps the rest. A check without it is re-run whole when any input changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from factledger.model import Fact, Result, Source

if TYPE_CHECKING:
    import pandas as pd

    from factledger.load import Corpus, Ignore
    from factledger.load.rules import Rule
    from factledger.load.settings import Settings


# --- what an edit changed: input keys -----------------------------------------------------------
# Keys name the inputs a unit depends on. Registry keys (entities, metrics) match
# [a-z0-9][a-z0-9_.-]*, so "|" never occurs in them.


def fact_key(fact_id: str) -> str:
    return "fact:" + fact_id


def source_key(source_id: str) -> str:
    """The source itself: its seed (text, outlet, dates)."""
    return "source:" + source_id


def in_source_key(source_id: str) -> str:
    """Anything of a source: its seed, a fact or an ignore entry of it."""
    return "in-source:" + source_id


def pair_key(entity: str, metric: str) -> str:
    """An entity-metric pair: every fact of it (any qualifiers, period or kind)."""
    return f"em:{entity}|{metric}"


def rule_key(rule_id: str) -> str:
    return "rule:" + rule_id


def metric_key(metric: str) -> str:
    """Every fact of a metric (any entity)."""
    return "metric:" + metric


def ranking_key(ranking: str) -> str:
    """Every rank claim of a ranking (``claim: {rank: N, ranking: <name>}``)."""
    return "ranking:" + ranking


def rank_of(fact: Fact) -> str | None:
    """The ranking a fact claims a place in, if any."""
    claim = fact.claim
    return claim.ranking if claim is not None and claim.kind == "rank" else None


def fact_inputs(fact: Fact) -> set[str]:
    """The input keys a change of ``fact`` (added, removed or edited, lines included) changes."""
    out = {
        fact_key(fact.id),
        in_source_key(fact.source),
        pair_key(fact.entity, fact.metric),
        metric_key(fact.metric),
    }
    if ranking := rank_of(fact):
        out.add(ranking_key(ranking))
    # a qualifier value may name a ranking: the fact is then one of its entries
    out.update(ranking_key(v) for _, v in fact.qualifiers)
    return out


def keyed(keys: Iterable[str], prefix: str) -> list[str]:
    """The names in ``keys`` that start with ``prefix`` (``"fact:"`` ...), without it."""
    return [k[len(prefix) :] for k in keys if k.startswith(prefix)]


def pairs_of(keys: Iterable[str]) -> list[tuple[str, str]]:
    return [tuple(k.split("|", 1)) for k in keyed(keys, "em:")]  # type: ignore[misc]


def fact_order(fact: Fact) -> str:
    """Where a fact's units sort among others: by file, then line (the loader's order)."""
    return f"{fact.file}\x01{fact.line:09d}\x01{fact.id}"


def rule_order(rule: Rule) -> str:
    """Rule files' rules by file and line, then the derived facts' implicit rules (the order
    of ``Corpus.rules``)."""
    return f"{1 if rule.derived else 0}{rule.file}\x01{rule.line:09d}\x01{rule.id}"


@dataclass
class CheckContext:
    corpus: Corpus
    settings: Settings
    measure_touched: bool = True  # report which facts the checks touch (CheckOutput.touched)
    # where a partial run finds the facts, sources and rules of the units it re-runs; None: the
    # corpus itself (the incremental engine gives its cache instead)
    index: Lookup | None = None
    # the facts the cross-checks run so far touch: a later check need not probe them again
    touched: set[str] = field(default_factory=set)
    # each unit records every fact it touches, whatever others touched (the incremental engine
    # keeps units apart: a unit re-run alone must not lose a fact an earlier one also touched)
    per_unit: bool = False

    @cached_property
    def lookup(self) -> Lookup:
        return self.index if self.index is not None else CorpusLookup(self.corpus)

    def touched_set(self) -> Touched | None:
        """A set for one unit's touched facts (None when not measured): it skips probing facts
        already known touched — by earlier units and checks, unless ``per_unit``."""
        if not self.measure_touched:
            return None
        return Touched(frozenset() if self.per_unit else self.touched)

    def unit_touched(self, touched: Touched | None) -> frozenset[str] | None:
        """What a unit's :meth:`touched_set` collected, as the unit keeps it (and, unless
        ``per_unit``, known to the units after it)."""
        if touched is None:
            return None
        if not self.per_unit:
            self.touched |= touched
        return frozenset(touched)

    @property
    def facts(self) -> list[Fact]:
        """Every loaded fact, with ``canonical`` set by the table step."""
        return self.corpus.facts

    @cached_property
    def table(self) -> pd.DataFrame:
        """The facts as one pandas row each; built on first use (pandas loads only then)."""
        from factledger import table

        return table.frame(self.corpus.facts, self.corpus.metrics, self.corpus.sources)

    @cached_property
    def facts_by_id(self) -> dict[str, Fact]:
        return {f.id: f for f in self.corpus.facts}


class Touched(set):
    """The facts one unit touches; ``known`` ones (touched already, elsewhere) count as in it, so
    :func:`factledger.checks.rules.evaluation.sensitive_facts` does not probe them again, but
    are not part of it."""

    def __init__(self, known: Collection[str]) -> None:
        super().__init__()
        self.known = known

    def __contains__(self, fact_id: object) -> bool:
        return set.__contains__(self, fact_id) or fact_id in self.known


@dataclass
class CheckOutput:
    results: list[Result]
    extras: dict[str, Any] = field(default_factory=dict)
    # ids of the facts whose value can decide whether one of these results fails: what the
    # check cross-checks (docs/mutations.md, "touched")
    touched: set[str] = field(default_factory=set)


# --- incremental checks -------------------------------------------------------------------------


@dataclass
class Unit:
    """One part of a check's output that can be re-run alone: the results of one fact, rule,
    source or entity-metric pair (``key``, unique within the check), and every input key they
    depend on besides ``key`` itself (``depends``). ``info``: a small summary the check's
    ``summarize`` reads (a verdict, coverage figures), plain JSON data so the cache reads every
    unit's at once; ``touched``: the facts it
    cross-checks (None when not measured); ``order``: where its results go in the output;
    ``orders``: where each of its results goes, when they are not all together (one per
    result)."""

    key: str
    results: list[Result] = field(default_factory=list)
    depends: frozenset[str] = frozenset()
    touched: frozenset[str] | None = None
    info: Any = None
    order: str = ""
    orders: tuple[str, ...] | None = None

    def result_order(self, pos: int) -> str:
        return self.orders[pos] if self.orders is not None else self.order


class Lookup(Protocol):
    """The corpus as a partial run sees it: what the units it re-runs read, by key, each list in
    corpus order. :class:`CorpusLookup` answers from a loaded corpus; the incremental engine
    answers from its cache without loading every fact."""

    def facts(self, ids: Iterable[str]) -> list[Fact]: ...

    def facts_of_sources(self, source_ids: Iterable[str]) -> list[Fact]: ...

    def facts_of_pairs(self, pairs: Iterable[tuple[str, str]]) -> list[Fact]: ...

    def sources(self, source_ids: Iterable[str]) -> dict[str, Source]: ...

    def ignores(self, source_ids: Iterable[str]) -> list[Ignore]: ...

    def rules(self, rule_ids: Iterable[str]) -> list[Rule]: ...

    def facts_of_metrics(self, metrics: Iterable[str]) -> list[Fact]: ...

    def rank_claims(self, rankings: Iterable[str]) -> list[Fact]:
        """The facts claiming a place in one of ``rankings``."""
        ...

    def rankings(self) -> set[str]:
        """The rankings rank claims name."""
        ...

    def facts_naming(self, values: Iterable[str]) -> list[Fact]:
        """The facts with one of ``values`` as a qualifier value."""
        ...

    def row_count(self) -> int:
        """The facts with a row in the facts table (``table.has_row``: not a claim in words)."""
        ...

    def dimension_counts(self) -> dict[str, int]:
        """Rows of the facts table per dimension of their metric."""
        ...

    def rule_counts(self) -> tuple[int, int]:
        """(rules of the rule files, derived facts' implicit rules)."""
        ...


class UnitsView(Protocol):
    """Every unit of a check, as its ``summarize`` sees them (without their results)."""

    def infos(self) -> Iterator[Any]:
        """Each unit's ``info``, in unit order."""
        ...

    def result_count(self) -> int: ...


class NeedsFullRun(Exception):
    """Raised by ``run_units`` when a partial run cannot decide (the engine then re-runs the
    whole check)."""


@dataclass(frozen=True)
class Incremental:
    """How a check re-runs part of itself.

    ``affected(keys, lookup)``: the unit keys the changed inputs ``keys`` may create or change
    (a changed fact's own unit, the pair a fact joined); units whose recorded dependencies meet
    ``keys`` are re-run as well. ``run_units(ctx, keys)``: the units for those keys (None: every
    unit — a full run), read through ``ctx.lookup``; a key with no unit returned has none any
    more. ``summarize(ctx, units)``: results and extras about the whole check (a pass result,
    verdict counts) from every unit's ``info``. ``by_id``: results are listed by id rather than
    by unit. ``warm()``: import ahead what ``run_units`` would on its first call."""

    affected: Callable[[Collection[str], Lookup], Iterable[str]]
    run_units: Callable[[CheckContext, Sequence[str] | None], list[Unit]]
    summarize: Callable[[CheckContext, UnitsView], CheckOutput] | None = None
    by_id: bool = False
    # what a long-running process (factledger watch) may load before the first edit: the
    # libraries run_units imports on first use
    warm: Callable[[], None] | None = None


@dataclass
class MemoryUnits:
    """:class:`UnitsView` over units in memory (a full run)."""

    units: list[Unit]

    def infos(self) -> Iterator[Any]:
        return (u.info for u in sorted(self.units, key=lambda u: u.order))

    def result_count(self) -> int:
        return sum(len(u.results) for u in self.units)


def run_all(ctx: CheckContext, inc: Incremental) -> CheckOutput:
    """A full run of an incremental check: every unit, in order, then its summary."""
    units = sorted(inc.run_units(ctx, None), key=lambda u: u.order)
    results = [r for u in units for r in u.results]
    if inc.by_id:
        results.sort(key=lambda r: r.id)
    elif any(u.orders is not None for u in units):
        placed = [(u.result_order(i), r) for u in units for i, r in enumerate(u.results)]
        results = [r for _, r in sorted(placed, key=lambda p: p[0])]  # stable: a tie keeps pos
    touched: set[str] = set()
    for u in units:
        touched |= u.touched or frozenset()
    summary = inc.summarize(ctx, MemoryUnits(units)) if inc.summarize else CheckOutput([])
    return CheckOutput(results + summary.results, summary.extras, touched | summary.touched)


class CorpusLookup:
    """:class:`Lookup` over a loaded corpus (indexes built on first use)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    @cached_property
    def _position(self) -> dict[str, int]:
        return {f.id: i for i, f in enumerate(self.corpus.facts)}

    @cached_property
    def _by_id(self) -> dict[str, Fact]:
        return {f.id: f for f in self.corpus.facts}

    @cached_property
    def _by_source(self) -> dict[str, list[Fact]]:
        out: dict[str, list[Fact]] = defaultdict(list)
        for f in self.corpus.facts:
            out[f.source].append(f)
        return out

    @cached_property
    def _by_pair(self) -> dict[tuple[str, str], list[Fact]]:
        out: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        for f in self.corpus.facts:
            out[f.entity, f.metric].append(f)
        return out

    def _ordered(self, facts: Iterable[Fact]) -> list[Fact]:
        unique = {f.id: f for f in facts}
        return sorted(unique.values(), key=lambda f: self._position[f.id])

    def facts(self, ids: Iterable[str]) -> list[Fact]:
        return self._ordered(self._by_id[i] for i in ids if i in self._by_id)

    def facts_of_sources(self, source_ids: Iterable[str]) -> list[Fact]:
        return self._ordered(f for s in set(source_ids) for f in self._by_source.get(s, ()))

    def facts_of_pairs(self, pairs: Iterable[tuple[str, str]]) -> list[Fact]:
        return self._ordered(f for p in set(pairs) for f in self._by_pair.get(p, ()))

    def sources(self, source_ids: Iterable[str]) -> dict[str, Source]:
        have = self.corpus.sources
        return {s: have[s] for s in sorted(set(source_ids)) if s in have}

    def ignores(self, source_ids: Iterable[str]) -> list[Ignore]:
        wanted = set(source_ids)
        return [ig for ig in self.corpus.ignores if ig.source in wanted]

    def rules(self, rule_ids: Iterable[str]) -> list[Rule]:
        wanted = set(rule_ids)
        return [r for r in self.corpus.rules if r.id in wanted]

    def facts_of_metrics(self, metrics: Iterable[str]) -> list[Fact]:
        wanted = set(metrics)
        return [f for f in self.corpus.facts if f.metric in wanted]

    def rank_claims(self, rankings: Iterable[str]) -> list[Fact]:
        wanted = set(rankings)
        return [f for f in self.corpus.facts if rank_of(f) in wanted]

    def rankings(self) -> set[str]:
        return {r for f in self.corpus.facts if (r := rank_of(f))}

    def facts_naming(self, values: Iterable[str]) -> list[Fact]:
        wanted = set(values)
        return [f for f in self.corpus.facts if any(v in wanted for _, v in f.qualifiers)]

    def row_count(self) -> int:
        from factledger.table import has_row

        return sum(map(has_row, self.corpus.facts))

    def dimension_counts(self) -> dict[str, int]:
        from factledger.table import has_row

        out: dict[str, int] = defaultdict(int)
        for f in filter(has_row, self.corpus.facts):
            metric = self.corpus.metrics.get(f.metric)
            out[metric.dimension if metric else ""] += 1
        return dict(out)

    def rule_counts(self) -> tuple[int, int]:
        derived = sum(r.derived for r in self.corpus.rules)
        return len(self.corpus.rules) - derived, derived


@dataclass(frozen=True)
class Check:
    """``name`` keys the check's timings and extras; ``kinds`` are the result kinds it gives
    (an acknowledgement of a kind no check of the run gives is not judged); ``thorough`` checks
    are skipped by ``check --fast`` (the pre-commit hook); ``cross_checks`` checks compare facts
    with each other, and the run measures which numeric facts they touch. ``incremental``: how
    to re-run part of the check after an edit (None: the whole check re-runs). A ``separable``
    check only reads the context and returns an output that pickles, so on a large corpus the
    engine may run it in a worker process beside the others (:mod:`factledger.workers`)."""

    name: str
    run: Callable[[CheckContext], CheckOutput]
    kinds: tuple[str, ...] = ()
    thorough: bool = False
    cross_checks: bool = False  # compares facts with each other (reports ``touched``)
    incremental: Incremental | None = None
    separable: bool = False  # may run in a worker process (factledger.workers)


def default_checks() -> list[Check]:
    """Every check of a full run, in the order they run (imported here, on first use)."""
    from factledger.checks import (
        claims,
        conflicts,
        coverage,
        expectations,
        invariant_units,
        provenance,
        rules,
        schema,
    )

    return [
        provenance.CHECK,
        schema.CHECK,
        expectations.CHECK,
        rules.CHECK,
        invariant_units.CHECK,
        conflicts.CHECK,
        claims.CHECK,
        coverage.CHECK,
    ]
