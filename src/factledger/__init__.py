"""factledger: a test harness for hand-curated, sourced facts.

The public API (documented in ``docs/api.md``)::

    import factledger
    outcome = factledger.run(Path("."))          # load, check, acknowledge, decide the gate
    outcome.passed, outcome.exit_code, outcome.findings, outcome.results
    corpus = factledger.load_corpus(Path("."))   # just the loaded corpus and its input problems

A new check is a :class:`Check` whose ``run`` maps a :class:`CheckContext` to a
:class:`CheckOutput`; pass ``checks=[*factledger.default_checks(), my_check]`` to :func:`run`.
Everything else in the package is internal and may change.
"""

from factledger.checks import Check, CheckContext, CheckOutput, default_checks
from factledger.engine import Outcome, run
from factledger.load import Corpus, load_corpus
from factledger.model import Fact, Finding, Interval, Period, Result, Source

__all__ = [
    "Check",
    "CheckContext",
    "CheckOutput",
    "Corpus",
    "Fact",
    "Finding",
    "Interval",
    "Outcome",
    "Period",
    "Result",
    "Source",
    "default_checks",
    "load_corpus",
    "run",
]
__version__ = "0.2.0"
