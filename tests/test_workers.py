"""A run that uses a worker process (half the facts files read there, the separable checks run
there) gives exactly the outcome of a run in one process: the same facts, problems, results in
the same order, findings and extras. A worker's exception is raised in the caller; a worker that
dies is replaced by doing its work in the caller."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from factledger import engine, workers
from factledger.checks import Check, CheckContext, CheckOutput, default_checks
from factledger.load import load_corpus
from factledger.model import Result

from .conftest import FACTS

needs_fork = pytest.mark.skipif(not workers.available(), reason="no worker processes here")


def _same(a: engine.Outcome, b: engine.Outcome) -> None:
    def rows(o: engine.Outcome) -> list:
        return [(r.id, r.kind, r.verdict, r.severity, r.message, r.fact_ids, r.file, r.line,
                 r.fingerprint, json.dumps(r.data.to_json() if r.data else None, sort_keys=True))
                for r in o.results]  # fmt: skip

    assert rows(a) == rows(b)
    assert [(f.result.id, f.status) for f in a.findings] == [
        (f.result.id, f.status) for f in b.findings
    ]
    assert a.corpus.facts == b.corpus.facts
    assert a.extras == b.extras
    assert list(a.timings) == list(b.timings)


@needs_fork
def test_a_run_with_a_worker_is_a_run_without(bundled: Path) -> None:
    alone = engine.run(bundled, workers=1)
    stages: list[str] = []
    shared = engine.run(bundled, workers=2, progress=stages.append)
    assert "worker: provenance, schema, expectations" in stages
    assert "provenance" not in stages  # it ran in the worker
    _same(alone, shared)
    backwards = default_checks()[::-1]  # separable checks between the others
    _same(
        engine.run(bundled, workers=1, checks=backwards),
        engine.run(bundled, workers=2, checks=backwards),
    )


@needs_fork
def test_loading_in_two_processes_reads_the_same_corpus(mini: Path) -> None:
    """Problems, duplicate ids across files (decided in file order), unreadable files."""
    facts = mini / "facts"
    second = FACTS.replace("m-rev-q1", "m-rev-q1-b").replace("m-rev-q2", "m-rev-q1")
    (facts / "mini2.yaml").write_text(second, encoding="utf-8")  # m-rev-q1 again: a duplicate
    (facts / "mini3.yaml").write_text("source: mini\nfacts: [\n", encoding="utf-8")  # unreadable
    broken = FACTS.replace('period: "2025Q1"', 'period: "2025Q5"').replace("m-", "x-")
    (facts / "mini4.yaml").write_text(broken + "ignore:\n  - mention: '7'\n    reason: r\n",
                                      encoding="utf-8")  # fmt: skip
    rules = mini / "checks" / "rules"
    rules.mkdir()
    (rules / "a.yaml").write_text(RULES, encoding="utf-8")
    (rules / "b.yaml").write_text("rules: [\n", encoding="utf-8")  # unreadable
    alone = load_corpus(mini, workers=1)
    shared = load_corpus(mini, workers=2)
    assert [r.id for r in alone.rules] == [r.id for r in shared.rules] == ["known", "dup"]
    assert alone.rules == shared.rules
    assert [r.message for r in alone.problems] == [r.message for r in shared.problems]
    assert any("duplicate fact id 'm-rev-q1'" in r.message for r in alone.problems)
    assert alone.problems == shared.problems
    assert alone.facts == shared.facts
    assert (alone.files, alone.unreadable) == (shared.files, shared.unreadable)
    assert alone.ignores == shared.ignores != []


RULES = """rules:
  - id: known
    description: a fact of the other half, by id
    severity: error
    assert: "{m-rev-q1-b} > 0"
  - id: unknown-fact
    description: no such fact
    severity: error
    assert: "{nope} > 0"
  - id: unknown-entity
    description: no such entity
    severity: warning
    assert: "nobody.revenue@2025Q1 > {m-rev-q1}"
  - id: dup
    description: first
    severity: error
    assert: "kling.revenue@2025Q1 > 0"
  - id: dup
    description: second, a duplicate id
    severity: error
    assert: "kling.revenue@2025Q2 > 0"
  - id: bad field
    descriptio: typo
    severity: error
    assert: "kling.revenue@2025Q2 > 0"
"""


def _boom(ctx: CheckContext) -> CheckOutput:
    raise ValueError("a check that fails")


@needs_fork
def test_an_exception_in_the_worker_is_raised_in_the_run(mini: Path) -> None:
    boom = Check("boom", _boom, ("boom",), separable=True)
    with pytest.raises(ValueError, match="a check that fails") as info:
        engine.run(mini, checks=[*default_checks(), boom], workers=2)
    assert any("in worker process" in note for note in info.value.__notes__)


@needs_fork
def test_a_worker_that_dies_is_replaced_by_the_run_itself(mini: Path) -> None:
    parent = os.getpid()

    def dies_in_a_worker(ctx: CheckContext) -> CheckOutput:
        if os.getpid() != parent:
            os._exit(3)  # killed, out of memory: no answer
        return CheckOutput([Result("mortal:x", "mortal", "info", "pass", "ran here")])

    mortal = Check("mortal", dies_in_a_worker, ("mortal",), separable=True)
    outcome = engine.run(mini, checks=[*default_checks(), mortal], workers=2)
    assert [r.message for r in outcome.results if r.kind == "mortal"] == ["ran here"]
    _same(outcome, engine.run(mini, checks=[*default_checks(), mortal], workers=1))


class Unrebuildable(Exception):
    def __init__(self, a: str, b: str) -> None:  # pickles, but cannot be rebuilt from its args
        super().__init__(f"{a} {b}")


@needs_fork
def test_worker_answers() -> None:
    assert workers.Worker(lambda: {"x": [1, 2]}).result() == {"x": [1, 2]}
    with pytest.raises(KeyError):
        workers.Worker(lambda: {}["missing"]).result()

    def unrebuildable() -> None:
        raise Unrebuildable("a", "b")

    with pytest.raises(RuntimeError, match="Unrebuildable: a b"):
        workers.Worker(unrebuildable).result()
    with pytest.raises(workers.WorkerDied):
        workers.Worker(lambda: os._exit(0)).result()
    with pytest.raises(RuntimeError, match="failed"):  # an answer that does not pickle
        workers.Worker(lambda: lambda: None).result()


def test_workers_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTLEDGER_WORKERS", "0")
    assert not workers.available()
