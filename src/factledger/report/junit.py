"""The report document → JUnit XML: one testsuite per result kind, one testcase per result."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET


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
