"""load → table → checks → results; applies acknowledgements and decides the gate.

The CLI and the pytest plugin are two faces of :func:`run`; neither computes anything itself.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from factledger import conflicts, coverage, provenance, rules, schema, table
from factledger.loader import DIMENSIONS, Corpus, load_corpus
from factledger.model import Acknowledgement, Finding, Result, fingerprint

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2

Progress = Callable[[str], None]


@dataclass
class Outcome:
    corpus: Corpus
    table: pd.DataFrame
    results: list[Result]
    findings: list[Finding]
    timings: dict[str, float] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)  # e.g. coverage figures

    @property
    def open_errors(self) -> list[Finding]:
        # a stale acknowledgement fails whatever the severity (like a strict xfail)
        return [
            f
            for f in self.findings
            if f.status == "stale-ack" or (f.status == "open" and f.result.severity == "error")
        ]

    @property
    def passed(self) -> bool:
        return not self.open_errors

    @property
    def exit_code(self) -> int:
        if self.corpus.unreadable:
            return EXIT_UNREADABLE
        return EXIT_OK if self.passed else EXIT_FINDINGS

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            "severity": dict(Counter(f.result.severity for f in self.findings)),
            "status": dict(Counter(f.status for f in self.findings)),
            "kind": dict(Counter(f.result.kind for f in self.findings)),
            "results": dict(Counter(r.kind for r in self.results)),
        }


def run(root: Path, *, expectations: bool = True, progress: Progress | None = None) -> Outcome:
    # Building the corpus makes millions of small objects and no cycles worth collecting; with
    # the cyclic GC on, each generation-2 pass rescans the whole heap (load took 14x longer at
    # 100k facts than at 10k). Off for the run, back on after (benchmarks/run.py).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(root, expectations=expectations, progress=progress)
    finally:
        if enabled:
            gc.enable()


def _run(root: Path, *, expectations: bool, progress: Progress | None) -> Outcome:
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}

    def step(name: str, fn):
        say(name)
        t0 = time.perf_counter()
        out = fn()
        timings[name] = time.perf_counter() - t0
        return out

    corpus = step("load", lambda: load_corpus(root))
    results: list[Result] = list(corpus.problems)
    results += step("provenance", lambda: provenance.check(corpus.facts, corpus.sources))
    df, conv_problems = step(
        "table", lambda: table.build(corpus.facts, corpus.metrics, corpus.sources)
    )
    results += conv_problems
    results += step("schema", lambda: schema.check(df, list(DIMENSIONS)))
    if expectations:
        from factledger import expectations as exp

        results += step("expectations", lambda: exp.check(df))
    extras: dict[str, object] = {}
    for name, check in (
        ("rules", rules.check_corpus),
        ("conflicts", conflicts.check_corpus),
        ("coverage", coverage.check_corpus),
    ):
        found, extra = step(name, lambda check=check: check(corpus, df))
        results += found
        if extra is not None:
            extras[name] = extra
    findings, ack_results = apply_acknowledgements(results, corpus.acks)
    results += ack_results
    findings += [Finding(r, "open") for r in ack_results if r.is_finding]
    findings.sort(key=finding_order)
    return Outcome(corpus, df, results, findings, timings, extras)


_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
_STATUS_RANK = {"open": 0, "stale-ack": 0, "acknowledged": 1}


def finding_order(f: Finding) -> tuple:
    """Open errors, then warnings, then acknowledged; then by file and line."""
    return (
        _STATUS_RANK[f.status],
        _SEVERITY_RANK.get(f.result.severity, 3),
        f.result.file or "",
        f.result.line or 0,
        f.result.id,
    )


def apply_acknowledgements(
    results: list[Result], acks: list[Acknowledgement]
) -> tuple[list[Finding], list[Result]]:
    """Match reviewed findings; an ack that matches nothing, or a changed finding, is stale."""
    by_id = {a.id: a for a in acks}
    used: set[str] = set()
    findings: list[Finding] = []
    extra: list[Result] = []
    for r in results:
        if not r.is_finding:
            continue
        ack = by_id.get(r.id)
        if ack is None:
            findings.append(Finding(r, "open"))
            continue
        used.add(ack.id)
        if not r.acknowledgeable:
            findings.append(Finding(r, "open", ack))
            extra.append(
                _ack_result(
                    ack,
                    "refused",
                    f"{r.kind} findings cannot be acknowledged: fix the data ({r.id})",
                )
            )
        elif ack.fingerprint == r.fingerprint:
            findings.append(Finding(r, "acknowledged", ack))
        else:
            findings.append(Finding(r, "stale-ack", ack))
    for ack in acks:
        if ack.id not in used:
            extra.append(_ack_result(
                ack, "stale",
                f"acknowledges {ack.id}, which no longer fails or no longer exists: "
                "remove the entry or review the finding again"))  # fmt: skip
    return findings, extra


def _ack_result(ack: Acknowledgement, verdict: str, message: str) -> Result:
    return Result(
        id=f"acknowledgement:{ack.id}",
        kind="acknowledgement",
        severity="error",
        verdict=verdict,
        message=message,
        file=ack.file,
        line=ack.line,
        fingerprint=fingerprint(ack.id, ack.fingerprint, verdict),
    )
