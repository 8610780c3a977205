"""The checks, each one module implementing one protocol.

A check is a named function from a :class:`CheckContext` (the loaded corpus, its facts with
canonical values, the facts table and the settings) to a :class:`CheckOutput` (its results, and
named extras such as coverage figures). The engine runs a list of checks — :data:`DEFAULT_CHECKS`
unless told otherwise — so adding a check is adding one module to that list; nothing else in the
engine changes. A check knows neither pytest nor the CLI: it returns results, it never prints or
raises on findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from factledger.model import Fact, Result

if TYPE_CHECKING:
    import pandas as pd

    from factledger.load import Corpus
    from factledger.load.settings import Settings


@dataclass
class CheckContext:
    corpus: Corpus
    settings: Settings
    measure_touched: bool = True  # report which facts the checks touch (CheckOutput.touched)
    # the facts the cross-checks run so far touch: a later check need not probe them again
    touched: set[str] = field(default_factory=set)

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


@dataclass
class CheckOutput:
    results: list[Result]
    extras: dict[str, Any] = field(default_factory=dict)
    # ids of the facts whose value can decide whether one of these results fails: what the
    # check cross-checks (docs/mutations.md, "touched")
    touched: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Check:
    """``name`` keys the check's timings and extras; ``kinds`` are the result kinds it gives
    (an acknowledgement of a kind no check of the run gives is not judged); ``thorough`` checks
    are skipped by ``check --fast`` (the pre-commit hook); ``cross_checks`` checks compare facts
    with each other, and the run measures which numeric facts they touch. A ``separable`` check only
    reads the context and returns an output that pickles, so on a large corpus the engine may run
    it in a worker process beside the others (:mod:`factledger.workers`)."""

    name: str
    run: Callable[[CheckContext], CheckOutput]
    kinds: tuple[str, ...] = ()
    thorough: bool = False
    cross_checks: bool = False  # compares facts with each other (reports ``touched``)
    separable: bool = False  # may run in a worker process (factledger.workers)


def default_checks() -> list[Check]:
    """Every check of a full run, in the order they run (imported here, on first use)."""
    from factledger.checks import (
        claims,
        conflicts,
        coverage,
        expectations,
        invariants,
        provenance,
        rules,
        schema,
    )

    return [
        provenance.CHECK,
        schema.CHECK,
        expectations.CHECK,
        rules.CHECK,
        invariants.CHECK,
        conflicts.CHECK,
        claims.CHECK,
        coverage.CHECK,
    ]
