"""The report outputs: the report document (:mod:`.document`) rendered as JSON, JUnit XML, one
HTML page and ClaimReview JSON-LD, each written atomically to the report folder.

Reports render results; they never compute a verdict.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factledger.report import document
from factledger.report.claimreview import claimreview
from factledger.report.files import write_atomic
from factledger.report.html import render
from factledger.report.junit import to_junit

if TYPE_CHECKING:
    from factledger.engine import Outcome

__all__ = ["to_json", "to_junit", "write_all", "write_atomic"]


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False)


def write_all(outcome: Outcome, root: Path, out_dir: Path | None = None) -> dict[str, Path]:
    out_dir = out_dir or root / outcome.settings.out_dir
    doc = document.build(outcome, root)
    written: dict[str, Path] = {}
    outputs: list[tuple[str, str, Any]] = [
        ("json", "discrepancies.json", to_json),
        ("junit", "junit.xml", to_junit),
        ("html", "discrepancies.html", render),
        ("claimreview", "claimreview.jsonld", claimreview),
    ]
    for key, name, to_text in outputs:
        path = out_dir / name
        write_atomic(path, to_text(doc))
        written[key] = path
    return written
