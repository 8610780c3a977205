"""Results → JUnit XML (one testsuite per result kind, one testcase per result), streamed.

The XML is written as text, element by element, straight to the file: ElementTree would build a
tree of every result and then the whole text in memory (100k facts: 150,000 testcases). Controls
XML 1.0 cannot carry (ESC, NUL, ...) are shown as ``[U+001B]`` (:func:`visible_controls`, as
every text output writes them); ``& < > "`` and line breaks in attributes are escaped.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from factledger.formatting import visible_controls
from factledger.model import Finding, Result

RUN_PROPERTY = "factledger.run_id"  # every testsuite carries the run id (report set check)

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
     "\t": "&#09;"}
)  # fmt: skip


def text(value: object) -> str:
    return visible_controls(value).translate(_TEXT)


def attr(value: object) -> str:
    return visible_controls(value).translate(_ATTR)


@dataclass(frozen=True)
class Case:
    """What a testcase shows of one result."""

    id: str
    kind: str
    severity: str
    verdict: str
    message: str
    file: str | None
    line: int | None


@dataclass(frozen=True)
class Status:
    """What a testcase shows of a finding: open, acknowledged (with why) or a stale ack."""

    status: str
    ack_verdict: str = ""
    ack_reason: str = ""


def write_junit(
    fh: TextIO, cases: Iterable[Case], status: Mapping[str, Status], run_id: str = ""
) -> None:
    """One testsuite per result kind (in order of first appearance), one testcase per result;
    open errors and stale acknowledgements fail, acknowledged findings are skipped, open
    warnings pass with the warning in ``system-out``."""
    by_kind: dict[str, list[Case]] = {}
    for c in cases:
        by_kind.setdefault(c.kind, []).append(c)
    if not by_kind:  # still one suite, so that the run id is there
        by_kind["factledger"] = []
    props = (
        f'    <properties>\n      <property name="{RUN_PROPERTY}" value="{attr(run_id)}" />\n'
        "    </properties>\n"
        if run_id
        else ""
    )
    fh.write("<?xml version='1.0' encoding='utf-8'?>\n<testsuites name=\"factledger\">\n")
    for kind, cs in by_kind.items():
        failures = skipped = 0
        for c in cs:
            s = status.get(c.id)
            if s is None:
                continue
            if s.status == "acknowledged":
                skipped += 1
            elif c.severity == "error" or s.status == "stale-ack":
                failures += 1
        fh.write(
            f'  <testsuite name="{attr(kind)}" tests="{len(cs)}" failures="{failures}" '
            f'skipped="{skipped}"{">" if cs or props else " />"}\n'
        )
        if not cs and not props:
            continue
        fh.write(props)
        classname = attr(f"factledger.{kind}")
        for c in cs:
            head = (
                f'    <testcase classname="{classname}" name="{attr(c.id)}" '
                f'file="{attr(c.file or "")}" line="{c.line or 0}"'
            )
            s = status.get(c.id)
            if s is None:
                fh.write(head + " />\n")
                continue
            where = f"{c.file}:{c.line}: " if c.file and c.line else ""
            if s.status == "acknowledged":
                message = attr(f"acknowledged ({s.ack_verdict}): {s.ack_reason}")
                body = f'<skipped message="{message}" />'
            elif c.severity == "error" or s.status == "stale-ack":
                message = attr(visible_controls(f"{c.verdict}: {c.message}")[:500])
                body = f'<failure message="{message}">{text(where + c.message)}</failure>'
            else:
                body = f"<system-out>{text(f'warning: {where}{c.message}')}</system-out>"
            fh.write(f"{head}>\n      {body}\n    </testcase>\n")
        fh.write("  </testsuite>\n")
    fh.write("</testsuites>")


def write_outcome(
    fh: TextIO, results: Iterable[Result], findings: Iterable[Finding], run_id: str = ""
) -> None:
    """The run's results as JUnit, read straight from the engine's objects."""
    cases = (Case(r.id, r.kind, r.severity, r.verdict, r.message, r.file, r.line) for r in results)
    status = {
        f.result.id: Status(f.status, *((f.ack.verdict, f.ack.reason) if f.ack else ("", "")))
        for f in findings
    }
    write_junit(fh, cases, status, run_id)


def to_junit(doc: dict[str, Any]) -> str:
    """A report document (:func:`factledger.report.document.build`) as JUnit XML text."""
    cases = (
        Case(r["id"], r["kind"], r["severity"], r["verdict"], r["message"], r["file"], r["line"])
        for r in doc["results"]
    )
    status = {}
    for f in doc["findings"]:
        ack = f.get("acknowledgement") or {}
        status[f["id"]] = Status(f["status"], ack.get("verdict", ""), ack.get("reason", ""))
    out = io.StringIO()
    write_junit(out, cases, status, (doc.get("summary") or {}).get("run_id") or "")
    return out.getvalue()
