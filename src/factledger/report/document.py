"""Results → the report document (a plain dict), shared by the JSON, HTML and JUnit outputs.

Reports render this; they never compute a verdict. Its shape is documented in
``docs/report-schema.json``.
"""

from __future__ import annotations

import math
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factledger.model import Fact, Finding, Result, json_safe

if TYPE_CHECKING:
    from factledger.engine import Outcome

SCHEMA_VERSION = 1


def git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


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


def build(outcome: Outcome, root: Path, run_id: str | None = None) -> dict[str, Any]:
    corpus = outcome.corpus
    canonical: dict[str, dict[str, Any]] = {}
    for row in outcome.table.itertuples(index=False):
        if not (math.isnan(row.lo) and math.isnan(row.hi)):
            canonical[row.id] = {
                "lo": row.lo, "hi": row.hi, "lo_open": bool(row.lo_open),
                "hi_open": bool(row.hi_open), "unit": row.unit,
            }  # fmt: skip
    counts = outcome.counts()
    coverage = outcome.extras.get("coverage")
    crosscheck = outcome.extras.get("crosscheck")
    doc = {
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
                "coverage": coverage["sources"].get(s.id) if isinstance(coverage, dict) else None,
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
            {"key": e.key, "names": list(e.names), "kind": e.kind} for e in corpus.entities.values()
        ],
        "facts": [fact_json(f, canonical.get(f.id)) for f in corpus.facts],
        "results": [result_json(r) for r in outcome.results],
        "findings": [finding_json(f) for f in outcome.findings],
    }
    return json_safe(doc)
