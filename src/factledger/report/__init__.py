"""The report outputs: the report document (:mod:`.document`) rendered as JSON, JUnit XML, one
HTML page and ClaimReview JSON-LD, each written atomically to the report folder.

Reports render results; they never compute a verdict.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factledger.report import document
from factledger.report.claimreview import claimreview
from factledger.report.files import OutputError, ensure_folder, publish, stage, write_atomic
from factledger.report.html import render
from factledger.report.junit import to_junit

if TYPE_CHECKING:
    from factledger.engine import Outcome

__all__ = ["OutputError", "to_json", "to_junit", "write_all", "write_atomic"]


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False)


# The order they are renamed into place: the page, which a reviewer opens, last.
OUTPUTS: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    ("json", "discrepancies.json", to_json),
    ("junit", "junit.xml", to_junit),
    ("claimreview", "claimreview.jsonld", claimreview),
    ("html", "discrepancies.html", render),
]


def write_all(outcome: Outcome, root: Path, out_dir: Path | None = None) -> dict[str, Path]:
    """Write the report set; every file carries the document's run id. All are rendered and
    staged before the first is renamed into place, the HTML last, so an interrupted run leaves
    the previous set (``factledger report --verify`` tells). :class:`OutputError` when the folder
    cannot be written."""
    out_dir = out_dir or root / outcome.settings.out_dir
    ensure_folder(out_dir)  # before rendering: a folder that is a file fails in a moment
    doc = document.build(outcome, root)
    staged: list[tuple[Path, Path]] = []
    try:
        for _key, name, to_text in OUTPUTS:
            staged.append((stage(out_dir / name, to_text(doc)), out_dir / name))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    publish(staged)
    return {key: out_dir / name for key, name, _ in OUTPUTS}
