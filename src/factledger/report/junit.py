"""The report document → JUnit XML: one testsuite per result kind, one testcase per result."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from factledger.formatting import visible_controls

RUN_PROPERTY = "factledger.run_id"  # every testsuite carries the run id (report set check)


def _x(value: object) -> str:
    """Text for XML: controls (ESC, NUL, ...) are not valid XML 1.0 and reach CI logs: shown."""
    return visible_controls(value)


def to_junit(doc: dict[str, Any]) -> str:
    """One testsuite per result kind, one testcase per result; findings fail, acks are skipped."""
    status = {f["id"]: f for f in doc["findings"]}
    run_id = (doc.get("summary") or {}).get("run_id") or ""
    suites = ET.Element("testsuites", name="factledger")
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in doc["results"]:
        by_kind.setdefault(r["kind"], []).append(r)
    if not by_kind:  # still one suite, so that the run id is there
        by_kind["factledger"] = []
    for kind, results in by_kind.items():
        suite = ET.SubElement(suites, "testsuite", name=_x(kind), tests=str(len(results)))
        if run_id:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name=RUN_PROPERTY, value=_x(run_id))
        failures = skipped = 0
        for r in results:
            case = ET.SubElement(
                suite, "testcase", classname=_x(f"factledger.{kind}"), name=_x(r["id"]),
                file=_x(r["file"] or ""), line=str(r["line"] or 0),
            )  # fmt: skip
            f = status.get(r["id"])
            where = f"{r['file']}:{r['line']}: " if r["file"] and r["line"] else ""
            if f is None:
                continue
            if f["status"] == "acknowledged":
                skipped += 1
                ack = f["acknowledgement"]
                ET.SubElement(case, "skipped", message=_x(f"acknowledged ({ack['verdict']}): "
                              f"{ack['reason']}"))  # fmt: skip
            elif r["severity"] == "error" or f["status"] == "stale-ack":
                failures += 1
                message = _x(f"{r['verdict']}: {r['message']}")[:500]
                el = ET.SubElement(case, "failure", message=message)
                el.text = _x(f"{where}{r['message']}")
            else:
                ET.SubElement(case, "system-out").text = _x(f"warning: {where}{r['message']}")
        suite.set("failures", str(failures))
        suite.set("skipped", str(skipped))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)
