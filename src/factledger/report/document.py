"""Results → the report document, shared by the JSON, HTML, JUnit and ClaimReview outputs.

Reports render this; they never compute a verdict. Its shape is documented in
``docs/report-schema.json``.

:class:`Document` is the document without its three long lists built: ``facts()``,
``results()`` and ``findings()`` yield one JSON-ready dict at a time, so a writer can stream a
100k-fact report without holding a second full copy of the results (the engine's ``Result``
objects are the first). :func:`build` makes the whole document as one plain dict, for small
corpora, tests and the HTML page.
"""

from __future__ import annotations

import math
import subprocess
import uuid
from collections.abc import Container, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factledger.model import Fact, Finding, Result, json_safe

if TYPE_CHECKING:
    from factledger.engine import Outcome

SCHEMA_VERSION = 1
# the document's keys in order; the last three are the long lists
HEAD_KEYS = ("schema_version", "summary", "sources", "metrics", "entities")
LIST_KEYS = ("facts", "results", "findings")


def git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def canonical_json(f: Fact) -> dict[str, Any] | None:
    """The fact's canonical interval as the table has it (float ends, null when unbounded)."""
    c = f.canonical
    if c is None or (math.isnan(c.lo) and math.isnan(c.hi)):
        return None
    return {
        "lo": _end(c.lo), "hi": _end(c.hi), "lo_open": bool(c.lo_open),
        "hi_open": bool(c.hi_open), "unit": c.unit,
    }  # fmt: skip


def _end(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def fact_json(f: Fact, canonical: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": f.id,
        "source": f.source,
        "entity": f.entity,
        "metric": f.metric,
        "qualifiers": dict(f.qualifiers),
        "period": f.period.to_json(),
        "value": f.value,
        "interval": canonical,
        "written_interval": f.interval.to_json() if f.interval else None,
        "unit": canonical["unit"] if canonical else None,
        "hedge": f.hedge or (f.interval.hedge if f.interval else None),
        "kind": f.kind,
        "stated": f.stated.to_json(),
        "quote": f.quote,
        "note": f.note,
        "file": f.file,
        "line": f.line,
    }


def result_json(r: Result) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "severity": r.severity,
        "verdict": r.verdict,
        "passed": r.passed,
        "message": r.message,
        "fact_ids": list(r.fact_ids),
        "file": r.file,
        "line": r.line,
        "fingerprint": r.fingerprint,
        "data": r.data.to_json() if r.data is not None else {},
    }


def finding_json(f: Finding) -> dict[str, Any]:
    out = result_json(f.result)
    out["status"] = f.status
    out["acknowledgement"] = (
        None
        if f.ack is None
        else {
            "verdict": f.ack.verdict,
            "reason": f.ack.reason,
            "reviewer": f.ack.reviewer,
            "date": f.ack.date,
            "fingerprint": f.ack.fingerprint,
            "file": f.ack.file,
            "line": f.ack.line,
        }
    )
    return out


def new_run_id() -> str:
    """One id per report set: every file of the set carries it (report --verify compares)."""
    return uuid.uuid4().hex


class Document:
    """The report document of one outcome: the short parts built at once (:attr:`head`), the
    long lists (facts, results, findings) built one item at a time, each time they are read."""

    def __init__(self, outcome: Outcome, root: Path, run_id: str | None = None) -> None:
        self.outcome = outcome
        corpus = outcome.corpus
        counts = outcome.counts()
        coverage = outcome.extras.get("coverage")
        crosscheck = outcome.extras.get("crosscheck")
        self.head: dict[str, Any] = json_safe({
            "schema_version": SCHEMA_VERSION,
            "summary": {
                "gate": "pass" if outcome.passed else "fail",
                "exit_code": outcome.exit_code,
                "open_errors": len(outcome.open_errors),
                "findings": len(outcome.findings),
                "by_severity": counts["severity"],
                "by_status": counts["status"],
                "by_kind": counts["kind"],
                "results_by_kind": counts["results"],
                "facts": len(corpus.facts),
                "sources": len(corpus.sources),
                "coverage": coverage.get("summary") if isinstance(coverage, dict) else None,
                "crosscheck": crosscheck["summary"] if crosscheck else None,
                "commit": git_commit(root),
                "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
                "run_id": run_id or new_run_id(),
                # where the page is published and who reviews: ClaimReview needs both
                "publication": {
                    "base_url": outcome.settings.base_url or None,
                    "reviewer_name": outcome.settings.reviewer_name or None,
                    "reviewer_url": outcome.settings.reviewer_url or None,
                },
            },
            "sources": [
                {
                    "id": s.id,
                    "title": s.title,
                    "outlet": s.outlet,
                    "language": s.language,
                    "published": s.published.to_json(),
                    "published_basis": s.published_basis,
                    "curation": s.curation,
                    "file": s.file,
                    "url": s.url,
                    "body": s.body,
                    "coverage": (
                        coverage["sources"].get(s.id) if isinstance(coverage, dict) else None
                    ),
                    "crosscheck": crosscheck["sources"].get(s.id) if crosscheck else None,
                }
                for s in corpus.sources.values()
            ],
            "metrics": [
                {
                    "key": m.key,
                    "dimension": m.dimension,
                    "unit": m.unit,
                    "series": m.series,
                    "description": m.description,
                    "names": list(m.names),
                }
                for m in corpus.metrics.values()
            ],
            "entities": [
                {"key": e.key, "names": list(e.names), "kind": e.kind}
                for e in corpus.entities.values()
            ],
        })  # fmt: skip

    @property
    def summary(self) -> dict[str, Any]:
        return self.head["summary"]

    def facts(self, ids: Container[str] | None = None) -> Iterator[dict[str, Any]]:
        """Every fact, or those whose id is in ``ids``."""
        for f in self.outcome.corpus.facts:
            if ids is None or f.id in ids:
                yield fact_json(f, canonical_json(f))

    def results(self) -> Iterator[dict[str, Any]]:
        return map(result_json, self.outcome.results)

    def findings(self) -> Iterator[dict[str, Any]]:
        return map(finding_json, self.outcome.findings)

    def lists(self) -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
        """The long lists in document order, each as an iterator of its items."""
        yield "facts", self.facts()
        yield "results", self.results()
        yield "findings", self.findings()

    def to_dict(self, lists: Container[str] = LIST_KEYS) -> dict[str, Any]:
        """The whole document as one plain, JSON-safe dict (only the long ``lists`` named)."""
        doc = dict(self.head)
        for key, items in self.lists():
            if key in lists:
                doc[key] = [json_safe(item) for item in items]
        return doc


def build(outcome: Outcome, root: Path, run_id: str | None = None) -> dict[str, Any]:
    """The whole report document as one plain dict (``docs/report-schema.json``)."""
    return Document(outcome, root, run_id).to_dict()
