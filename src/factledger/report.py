"""Write the report document to ``reports/``: JSON, JUnit XML, HTML, ClaimReview JSON-LD.

Every file is written atomically (a temporary file in the same folder, then ``os.replace``), so
two runs at once never leave a half-written report.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from factledger import html_report, report_data
from factledger.engine import Outcome


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False)


def to_junit(doc: dict[str, Any]) -> str:
    """One testsuite per result kind, one testcase per result; findings fail, acks are skipped."""
    status = {f["id"]: f for f in doc["findings"]}
    suites = ET.Element("testsuites", name="factledger")
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in doc["results"]:
        by_kind.setdefault(r["kind"], []).append(r)
    for kind, results in by_kind.items():
        suite = ET.SubElement(suites, "testsuite", name=kind, tests=str(len(results)))
        failures = skipped = 0
        for r in results:
            case = ET.SubElement(
                suite, "testcase", classname=f"factledger.{kind}", name=r["id"],
                file=r["file"] or "", line=str(r["line"] or 0),
            )  # fmt: skip
            f = status.get(r["id"])
            where = f"{r['file']}:{r['line']}: " if r["file"] and r["line"] else ""
            if f is None:
                continue
            if f["status"] == "acknowledged":
                skipped += 1
                ack = f["acknowledgement"]
                ET.SubElement(case, "skipped", message=f"acknowledged ({ack['verdict']}): "
                              f"{ack['reason']}")  # fmt: skip
            elif r["severity"] == "error" or f["status"] == "stale-ack":
                failures += 1
                el = ET.SubElement(case, "failure", message=f"{r['verdict']}: {r['message']}"[:500])
                el.text = f"{where}{r['message']}"
            else:
                ET.SubElement(case, "system-out").text = f"warning: {where}{r['message']}"
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def write_all(outcome: Outcome, root: Path, out_dir: Path | None = None) -> dict[str, Path]:
    out_dir = out_dir or root / "reports"
    doc = report_data.build(outcome, root)
    written: dict[str, Path] = {}
    outputs: list[tuple[str, str, Any]] = [
        ("json", "discrepancies.json", to_json),
        ("junit", "junit.xml", to_junit),
        ("html", "discrepancies.html", html_report.render),
        ("claimreview", "claimreview.jsonld", html_report.claimreview),
    ]
    for key, name, render in outputs:
        path = out_dir / name
        write_atomic(path, render(doc))
        written[key] = path
    return written
