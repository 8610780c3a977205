"""load → table → checks → results; applies acknowledgements and decides the gate.

The CLI and the pytest plugin are two faces of :func:`run`; neither computes anything itself.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factledger import table as fact_table
from factledger import workers as worker_pool
from factledger.checks import Check, CheckContext, CheckOutput, default_checks
from factledger.checks.crosscheck import measure as cross_check_coverage
from factledger.load import Corpus, load_corpus
from factledger.load.settings import Settings, load_settings
from factledger.model import RESULT_KINDS, Acknowledgement, Finding, Result, fingerprint

if TYPE_CHECKING:
    import pandas as pd

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2
# From this many bytes of facts files (about 2,500 facts) a worker process pays for itself:
# forking it and sending its results back cost less than the half of the work it takes.
PARALLEL_MIN_BYTES = 1_000_000


class Stage(str):
    """A stage's name — what a ``progress`` callable is given as the stage starts — carrying
    ``counts``: what the run holds so far (facts, sources, rules, results), for a face to show."""

    counts: dict[str, int]

    def __new__(cls, name: str, counts: dict[str, int] | None = None) -> Stage:
        stage = super().__new__(cls, name)
        stage.counts = dict(counts or {})
        return stage


Progress = Callable[[str], None]


@dataclass
class Outcome:
    corpus: Corpus
    context: CheckContext
    results: list[Result]
    findings: list[Finding]
    timings: dict[str, float] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)  # per check name, e.g. coverage figures

    @property
    def settings(self) -> Settings:
        return self.context.settings

    @property
    def table(self) -> pd.DataFrame:
        return self.context.table

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
        # a cached run's results are read on demand, and know their counts without reading
        kinds = getattr(self.results, "kind_counts", None)
        return {
            "severity": dict(Counter(f.result.severity for f in self.findings)),
            "status": dict(Counter(f.status for f in self.findings)),
            "kind": dict(Counter(f.result.kind for f in self.findings)),
            "results": dict(kinds)
            if kinds is not None
            else dict(Counter(r.kind for r in self.results)),
        }


def run(
    root: Path,
    *,
    expectations: bool = True,
    progress: Progress | None = None,
    checks: Sequence[Check] | None = None,
    settings: dict[str, Any] | None = None,
    crosscheck: bool = True,
    workers: int | None = None,
) -> Outcome:
    """Load the corpus at ``root``, run ``checks`` (default: every check; ``expectations=False``
    skips the thorough ones), apply acknowledgements. ``settings``: overrides of
    ``factledger.toml`` (the CLI's flags). ``crosscheck``: measure cross-check coverage (which
    numeric facts the checks touch; it probes each operand, so a run that shows it pays for it).
    ``workers``: 1 runs everything in this process; 2 reads the rule files and half the facts
    files, and runs the separable checks, in a worker process meanwhile (where
    :mod:`factledger.workers` can); None (default) chooses 2 from :data:`PARALLEL_MIN_BYTES` of
    facts files on. The outcome is the same either way."""
    # Building the corpus makes millions of small objects and no cycles worth collecting; with
    # the cyclic GC on, each generation-2 pass rescans the whole heap (load took 14x longer at
    # 100k facts than at 10k). Off for the run, back on after (benchmarks/run.py).
    enabled = gc.isenabled()
    gc.disable()
    try:
        chosen = list(default_checks() if checks is None else checks)
        if not expectations:
            chosen = [c for c in chosen if not c.thorough]
        return _run(Path(root), chosen, progress, settings, crosscheck, workers)
    finally:
        if enabled:
            gc.enable()


def _run(
    root: Path,
    checks: list[Check],
    progress: Progress | None,
    overrides: dict[str, Any] | None,
    crosscheck: bool,
    workers: int | None,
) -> Outcome:
    if workers is None:
        workers = 2 if worker_pool.available() and _facts_bytes(root) >= PARALLEL_MIN_BYTES else 1
    settings, setting_problems = load_settings(root, overrides)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if progress:
        progress(Stage("load"))
    corpus = load_corpus(root, settings, workers=workers)
    timings["load"] = time.perf_counter() - t0
    outcome = evaluate(
        corpus,
        checks,
        settings,
        problems=setting_problems,
        progress=progress,
        crosscheck=crosscheck,
        workers=workers,
    )
    outcome.timings = {**timings, **outcome.timings}
    return outcome


def evaluate(
    corpus: Corpus,
    checks: Sequence[Check],
    settings: Settings | None = None,
    *,
    problems: Sequence[Result] = (),
    progress: Progress | None = None,
    crosscheck: bool = True,
    workers: int = 1,
) -> Outcome:
    """Everything after loading: canonical values, the checks, acknowledgements, the gate.
    (Tools that change a loaded corpus in memory — the mutation harness — call this directly.)
    ``crosscheck``: also measure which numeric facts the checks touch (costs a few probes per
    operand). ``workers``: 2 runs the separable checks in a worker process meanwhile."""
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    counts = {"facts": len(corpus.facts), "sources": len(corpus.sources),
              "rules": len(corpus.rules)}  # fmt: skip

    def step(name: str, fn):
        say(Stage(name, counts))
        t0 = time.perf_counter()
        out = fn()
        timings[name] = time.perf_counter() - t0
        return out

    corpus.facts, conversion_problems = step(
        "table", lambda: fact_table.canonicalize(corpus.facts, corpus.metrics)
    )
    results: list[Result] = [*problems, *corpus.problems, *conversion_problems]
    ctx = CheckContext(corpus, settings or Settings(), measure_touched=crosscheck)
    extras: dict[str, Any] = {}
    touched: set[str] = set()
    checks = list(checks)
    separate = [i for i, c in enumerate(checks) if c.separable] if workers > 1 else []
    if len(separate) == len(checks) or not worker_pool.available():
        separate = []  # nothing would be left for this process to do meanwhile
    worker = None
    if separate:
        say(Stage("worker: " + ", ".join(checks[i].name for i in separate), counts))
        worker = worker_pool.Worker(lambda: _run_checks(ctx, [checks[i] for i in separate]))
    outputs: dict[int, tuple[float, CheckOutput]] = {}
    for i, check in enumerate(checks):
        if i in separate:
            continue
        counts["results"] = len(results) + sum(len(o.results) for _, o in outputs.values())
        say(Stage(check.name, counts))
        outputs[i] = _run_checks(ctx, [check])[0]
    if worker is not None:
        counts["results"] = len(results) + sum(len(o.results) for _, o in outputs.values())
        say(Stage("waiting for the worker", counts))
        try:
            done = worker.result()
        except worker_pool.WorkerDied:  # run them here instead: slower, the same results
            done = _run_checks(ctx, [checks[i] for i in separate])
        outputs.update(zip(separate, done, strict=True))
    for i, check in enumerate(checks):  # in the checks' order, whichever process ran them
        seconds, out = outputs[i]
        timings[check.name] = seconds
        results += out.results
        touched |= out.touched
        if out.extras:
            extras[check.name] = out.extras
    if crosscheck and any(c.cross_checks for c in checks):
        extras["crosscheck"] = cross_check_coverage(corpus, touched)
    results = normalized(results)
    # a partial run (``coverage`` runs one check) judges no acknowledgement of a kind it skipped
    ran = {k for c in checks for k in c.kinds}
    skipped = set(RESULT_KINDS) - {"input", "acknowledgement"} - ran
    acks = [a for a in corpus.acks if a.id.partition(":")[0] not in skipped]
    findings, ack_results = apply_acknowledgements(results, acks)
    results += ack_results
    findings += [Finding(r, "open") for r in ack_results if r.is_finding]
    findings.sort(key=finding_order)
    return Outcome(corpus, ctx, results, findings, timings, extras)


def _facts_bytes(root: Path) -> int:
    try:
        return sum(p.stat().st_size for p in (root / "facts").glob("*.yaml"))
    except OSError:
        return 0


def _run_checks(ctx: CheckContext, checks: list[Check]) -> list[tuple[float, CheckOutput]]:
    """Each check's seconds and output, in order (what a worker sends back)."""
    out = []
    for check in checks:
        t0 = time.perf_counter()
        result = check.run(ctx)
        ctx.touched |= result.touched  # later checks in this process skip probing these
        out.append((time.perf_counter() - t0, result))
    return out


def normalized(results: list[Result]) -> list[Result]:
    """Two results never share an id: repeats (two problems of one kind in one file entry) get
    ``#2``, ``#3`` in the order they were found, which moving lines does not change. A result a
    check gave no fingerprint gets one of what it says, so it can be acknowledged."""
    seen: Counter[str] = Counter()
    out = []
    for r in results:
        seen[r.id] += 1
        if seen[r.id] > 1:
            r = dataclasses.replace(r, id=f"{r.id}#{seen[r.id]}")
        if not r.fingerprint:
            r = dataclasses.replace(
                r, fingerprint=fingerprint(r.kind, r.verdict, r.message, r.fact_ids)
            )
        out.append(r)
    return out


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
                ack, "unmatched",
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
