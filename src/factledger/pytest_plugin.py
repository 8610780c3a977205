"""The engine seen through pytest: readable items, the finding as the failure text.

``checks/conftest.py`` imports the hooks below. The engine runs once per session; items only look
up its results. Rule files (``checks/rules/*.yaml`` and ``*.yml``) are collected as one item per
rule, located at the rule's own line (pytest's non-python test collection). A failure shows
``file:line``, fact ids and what is wrong — never a library stack trace.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

import pytest

from factledger import acknowledge, engine
from factledger.checks import Check, default_checks
from factledger.formatting import visible_controls
from factledger.load.rules import RULE_SUFFIXES
from factledger.model import Finding, Result

_root: list[Path] = []
_extra_checks: list[Check] = []


def set_root(path: Path) -> None:
    """Called by ``checks/conftest.py`` with the corpus it sits in."""
    _root[:] = [path.resolve()]


def add_checks(*checks: Check) -> None:
    """Called by a corpus's ``checks/conftest.py`` to run its own checks beside the default
    ones; their results become pytest items like every other finding."""
    _extra_checks.extend(checks)


@cache
def corpus_root() -> Path:
    """FACTLEDGER_ROOT wins (check another corpus with the same checks), then the conftest's."""
    env = os.environ.get("FACTLEDGER_ROOT")
    if env:
        return Path(env).resolve()
    return _root[0] if _root else Path.cwd().resolve()


_outcomes: dict[Path, engine.Outcome] = {}


def outcome_for(root: Path) -> engine.Outcome:
    if root not in _outcomes:
        checks = [*default_checks(), *_extra_checks] if _extra_checks else None
        _outcomes[root] = engine.run(root, checks=checks)
    return _outcomes[root]


def describe(f: Finding, outcome: engine.Outcome | None = None) -> str:
    r = f.result
    lines = [f"{r.where + ': ' if r.where else ''}{r.kind} {r.verdict} ({r.severity}"
             f"{', ' + f.status if f.status != 'open' else ''}): {r.message}"]  # fmt: skip
    if r.fact_ids:
        lines.append(f"    facts: {', '.join(r.fact_ids)}")
    for op in getattr(r.data, "operands", [])[:12]:
        lines.append(
            f"    {op.fact_id} ({op.source}, {op.file}:{op.line}): {op.value!r} in 「{op.quote}」"
        )
    advice = acknowledge.stale_advice(outcome, f, _reviewed(outcome)) if outcome else None
    if advice:
        lines += advice.lines("    ")
    elif f.status == "stale-ack" and f.ack:
        lines.append(f"    acknowledged at {f.ack.file}:{f.ack.line} with fingerprint "
                     f"{f.ack.fingerprint}, now {r.fingerprint}: review it again")  # fmt: skip
    # the text reaches a terminal and CI logs: controls in a quote are shown, never obeyed
    return visible_controls("\n".join(lines))


_reviewed_states: dict[int, acknowledge.ReviewedState] = {}


def _reviewed(outcome: engine.Outcome) -> acknowledge.ReviewedState:
    """One look at git history per run, however many items show a stale acknowledgement."""
    return _reviewed_states.setdefault(id(outcome), acknowledge.ReviewedState(outcome))


def failing(outcome: engine.Outcome, results: list[Result]) -> list[Finding]:
    """The findings among ``results`` that fail the gate."""
    ids = {r.id for r in results}
    return [f for f in outcome.open_errors if f.result.id in ids]


def assert_clean(outcome: engine.Outcome, results: list[Result]) -> None:
    bad = failing(outcome, results)
    if bad:
        # pytrace=False: the failure text is the finding, not a stack of library frames
        pytest.fail("\n".join(describe(f, outcome) for f in bad), pytrace=False)


class RuleFile(pytest.File):
    def collect(self):
        outcome = outcome_for(corpus_root())
        # checks/rules/x.yaml, matched by name in the corpus being checked (FACTLEDGER_ROOT may
        # point at a copy of this corpus with the same rule files)
        rel = self.path.resolve().relative_to(self.path.resolve().parents[2]).as_posix()
        mine = [r for r in outcome.results if r.file == rel]
        rules = [r for r in mine if r.kind == "rule"]
        inputs = [r for r in mine if r.kind == "input"]
        if inputs:
            yield ResultItem.from_parent(
                self, name=visible_controls(f"input[{rel}]"), results=inputs, line=None
            )
        for r in rules:
            yield ResultItem.from_parent(
                self, name=r.id.removeprefix("rule:"), results=[r], line=r.line
            )


class ResultItem(pytest.Item):
    def __init__(self, *, results: list[Result], line: int | None, **kw) -> None:
        super().__init__(**kw)
        self.results = results
        self.line = line

    def runtest(self) -> None:
        assert_clean(outcome_for(corpus_root()), self.results)

    def reportinfo(self):
        return self.path, (self.line - 1 if self.line else 0), self.name


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix in RULE_SUFFIXES and file_path.parent.name == "rules":
        return RuleFile.from_parent(parent, path=file_path)
    return None


def pytest_sessionfinish(session, exitstatus) -> None:
    """Every pytest run over the corpus leaves the reports behind."""
    if os.environ.get("FACTLEDGER_NO_REPORT"):
        return
    for root, outcome in _outcomes.items():
        from factledger import report

        try:
            report.write_all(outcome, root)
        except report.OutputError as exc:  # the tests' verdict stands; say why no reports
            sys.stderr.write(f"factledger: cannot write the reports: {exc}\n")
