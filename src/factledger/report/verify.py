"""``factledger report --verify``: are the files in the report folder one run's set?

Each report carries the run id of the set it was written with (JSON ``summary.run_id``, a JUnit
property on every testsuite, the page's ``<meta name="factledger-run">``, ClaimReview's
``isPartOf.identifier``). A run killed between two renames leaves files of two runs; this says
so. Exit 0: one set; 1: files of different runs (or a file without a run id); 2: a file is
missing or cannot be read.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from factledger.formatting import visible_controls
from factledger.report.claimreview import claimreview
from factledger.report.junit import RUN_PROPERTY

EXIT_SET, EXIT_MIXED, EXIT_MISSING = 0, 1, 2
FILES = ("discrepancies.json", "junit.xml", "claimreview.jsonld", "discrepancies.html")
MAX_REPORT_BYTES = 1 << 30  # a report folder holds our own files; this only stops a device
_META = re.compile(r'<meta name="factledger-run" content="([^"<>]*)">')


class _Unreadable(Exception):
    pass


@dataclass
class Verification:
    folder: Path
    run_ids: dict[str, str | None] = field(default_factory=dict)  # file → its run id
    problems: dict[str, str] = field(default_factory=dict)  # file → why it cannot be read
    notes: dict[str, str] = field(default_factory=dict)  # file → why its id is None

    @property
    def exit_code(self) -> int:
        if self.problems:
            return EXIT_MISSING
        ids = set(self.run_ids.values())
        return EXIT_SET if len(ids) == 1 and None not in ids else EXIT_MIXED

    def render(self) -> str:
        lines = []
        for name in FILES:
            path = self.folder / name
            if name in self.problems:
                lines.append(f"{path}: {self.problems[name]}")
            else:
                rid = self.run_ids.get(name)
                lines.append(f"{path}: run {rid}" if rid else f"{path}: {self.notes[name]}")
        code = self.exit_code
        if code == EXIT_SET:
            lines.append(f"one run's set (run {next(iter(self.run_ids.values()))})")
        elif code == EXIT_MIXED:
            lines.append("NOT one run's set: run factledger check (or report) again")
        else:
            lines.append("incomplete: a report is missing or unreadable")
        return visible_controls("\n".join(lines)) + "\n"


def _text(path: Path) -> str:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise _Unreadable("not a regular file")
        if st.st_size > MAX_REPORT_BYTES:
            raise _Unreadable(f"over {MAX_REPORT_BYTES:,} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _Unreadable("missing") from None
    except OSError as exc:
        raise _Unreadable(f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _Unreadable("not UTF-8 text") from None


def _one(ids: list[str], what: str) -> str:
    distinct = set(ids)
    if len(distinct) != 1:
        raise ValueError(f"{what} carry {len(distinct)} different run ids" if distinct else
                         f"no {what} carries a run id")  # fmt: skip
    return ids[0]


def verify(folder: Path) -> Verification:
    """Read the four reports in ``folder`` and the run id each carries."""
    out = Verification(folder)
    texts: dict[str, str] = {}
    for name in FILES:
        try:
            texts[name] = _text(folder / name)
        except _Unreadable as exc:
            out.problems[name] = str(exc)
    doc: Any = None
    if "discrepancies.json" in texts:
        try:
            doc = json.loads(texts["discrepancies.json"])
        except ValueError as exc:
            out.problems["discrepancies.json"] = f"not JSON: {exc}"
            del texts["discrepancies.json"]
    readers = {
        "discrepancies.json": lambda _text: _json_id(doc),
        "junit.xml": _junit_id,
        "claimreview.jsonld": lambda text: _claimreview_id(text, doc),
        "discrepancies.html": _html_id,
    }
    for name, text in texts.items():
        try:
            out.run_ids[name] = readers[name](text)
        except (ValueError, ET.ParseError, KeyError, TypeError, AttributeError) as exc:
            out.run_ids[name] = None
            out.notes[name] = f"no run id ({exc})"
    return out


def _json_id(doc: Any) -> str:
    rid = doc["summary"]["run_id"]
    if not isinstance(rid, str) or not rid:
        raise ValueError("summary.run_id is empty")
    return rid


def _junit_id(text: str) -> str:
    root = ET.fromstring(text)
    suites = root.findall("testsuite")
    ids = [
        p.get("value") or ""
        for s in suites
        for p in s.findall(f"properties/property[@name='{RUN_PROPERTY}']")
    ]
    if len(ids) < len(suites):
        raise ValueError(f"a testsuite has no {RUN_PROPERTY} property")
    return _one(ids, "testsuites")


def _html_id(text: str) -> str:
    found = _META.findall(text)
    if not found or not found[0]:
        raise ValueError('no <meta name="factledger-run">')
    return _one(found, "meta elements")


def _claimreview_id(text: str, doc: Any) -> str:
    reviews = json.loads(text)
    if not isinstance(reviews, list):
        raise ValueError("not a list of reviews")
    if not reviews:
        # nothing to carry an id: it belongs to the JSON's run if that run reviews no claim
        if isinstance(doc, dict) and json.loads(claimreview(doc)) == []:
            return _json_id(doc)
        raise ValueError("no reviews, but the JSON report's run has some")
    return _one([r["isPartOf"]["identifier"] for r in reviews], "reviews")
