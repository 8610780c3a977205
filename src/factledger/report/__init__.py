"""The report outputs: the report document (:mod:`.document`) rendered as JSON, JUnit XML, one
HTML page and ClaimReview JSON-LD, each streamed into a temporary file of the report folder; the
set is renamed into place once every file is complete.

Reports render results; they never compute a verdict.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from factledger import workers as worker_pool
from factledger.engine import Progress, Stage
from factledger.model import json_safe
from factledger.report.claimreview import claimreview
from factledger.report.document import Document, new_run_id
from factledger.report.files import OutputError, ensure_folder, publish, stage_stream, write_atomic
from factledger.report.html import render
from factledger.report.jsonfile import to_json, write_json
from factledger.report.junit import to_junit, write_outcome
from factledger.report.view import _Index

if TYPE_CHECKING:
    from factledger.engine import Outcome

__all__ = ["Document", "OutputError", "to_json", "to_junit", "write_all", "write_atomic"]

# From this many results the JSON, JUnit and ClaimReview files are written by a worker process
# while this one renders the page (:mod:`factledger.workers`): about 6,000 facts.
PARALLEL_MIN_RESULTS = 10_000

# The files of a report set, in the order they are renamed into place: the page, which a
# reviewer opens, last.
FILES = {
    "json": "discrepancies.json",
    "junit": "junit.xml",
    "claimreview": "claimreview.jsonld",
    "html": "discrepancies.html",
}


def findings_document(doc: Document) -> dict[str, Any]:
    """The document cut down to its findings and the facts they involve: all ClaimReview reads,
    without building a dict for every fact and result."""
    findings = [json_safe(f) for f in doc.findings()]
    no_facts = _Index({})  # every id a finding names comes back as not in the index
    wanted = {i for f in findings for i in no_facts.involved(f)[1]}
    facts = [json_safe(f) for f in doc.facts(wanted)]
    return {**doc.head, "facts": facts, "results": [], "findings": findings}


Writer = Callable[[TextIO], Any]


def _stage_all(
    out_dir: Path, outputs: list[tuple[str, Writer]], say: Progress, counts: dict[str, int]
) -> list[tuple[Path, Path]]:
    """Each output streamed into its temporary file; (temporary, final) pairs. On any failure
    the temporary files written so far are removed and the error raised."""
    staged: list[tuple[Path, Path]] = []
    try:
        for key, write in outputs:
            say(Stage(f"report {key}", counts))
            final = out_dir / FILES[key]
            staged.append((stage_stream(final, write), final))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    return staged


def write_all(
    outcome: Outcome,
    root: Path,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
) -> dict[str, Path]:
    """Write the report set; every file carries the document's run id. Each is streamed into
    a temporary file and all are staged before the first is renamed into place, the HTML last,
    so an interrupted run leaves the previous set (``factledger report --verify`` tells).
    :class:`OutputError` when the folder cannot be written. ``progress`` is given each file's
    stage as it starts. ``workers``: 2 writes the JSON, JUnit and ClaimReview files in a worker
    process while this one renders the page; 1 writes all here; None (default) chooses 2 from
    :data:`PARALLEL_MIN_RESULTS` results on, where worker processes are available."""
    out_dir = out_dir or root / outcome.settings.out_dir
    ensure_folder(out_dir)  # before rendering: a folder that is a file fails in a moment
    say = progress or (lambda _stage: None)
    doc = Document(outcome, root, new_run_id())
    run_id = doc.summary["run_id"]
    counts = {"results": len(outcome.results), "findings": len(outcome.findings)}
    side: list[tuple[str, Writer]] = [
        ("json", lambda fh: write_json(fh, doc)),
        ("junit", lambda fh: write_outcome(fh, outcome.results, outcome.findings, run_id)),
        ("claimreview", lambda fh: fh.write(claimreview(findings_document(doc)))),
    ]
    # the page: the only one that needs the whole document at once
    page: list[tuple[str, Writer]] = [("html", lambda fh: fh.write(render(doc.to_dict())))]
    if workers is None:
        workers = 2 if len(outcome.results) >= PARALLEL_MIN_RESULTS else 1
    # Many short-lived dicts and no cycles worth a collection (as in engine.run).
    enabled = gc.isenabled()
    gc.disable()
    try:
        if workers > 1 and worker_pool.available():
            say(Stage("report worker: " + ", ".join(key for key, _ in side), counts))
            worker = worker_pool.Worker(
                lambda: _stage_all(out_dir, side, lambda _stage: None, counts)
            )
            staged_page: list[tuple[Path, Path]] = []
            staged_side: list[tuple[Path, Path]] | None = None
            try:
                staged_page = _stage_all(out_dir, page, say, counts)
                say(Stage("waiting for the report worker", counts))
                try:
                    staged_side = worker.result()
                except worker_pool.WorkerDied:  # write them here instead: the same files
                    staged_side = _stage_all(out_dir, side, say, counts)
            except BaseException:
                leftovers = staged_side if staged_side is not None else _staged_anyway(worker)
                for tmp, _ in staged_page + leftovers:
                    tmp.unlink(missing_ok=True)
                raise
            staged = staged_side + staged_page
        else:
            staged = _stage_all(out_dir, side + page, say, counts)
    finally:
        if enabled:
            gc.enable()
    publish(staged)
    return {key: out_dir / name for key, name in FILES.items()}


def _staged_anyway(worker: worker_pool.Worker[list[tuple[Path, Path]]]) -> list[tuple[Path, Path]]:
    """What a worker staged while this process failed (to be removed): nothing if it failed
    too, or was already read."""
    try:
        return worker.result()
    except BaseException:
        return []
