"""The report document's findings as SARIF 2.1.0, for GitHub code scanning.

Each finding is one SARIF result located at its YAML file and line (a finding without a line,
such as a schema failure, at its first fact's). One reporting rule per result kind. A result's
``partialFingerprints`` carry its factledger id, which is stable while the finding's subject is
unchanged, so code scanning follows an alert across commits that move lines. Acknowledged findings
are included with an ``external`` suppression holding the reviewer's reason; stale
acknowledgements are errors, as they fail the gate.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from factledger.model import ACK_WORDS, verdict_words
from factledger.report.github import locate

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

# What each result kind checks, for code scanning's rule descriptions (README, "Checks").
KIND_HELP = {
    "input": "YAML, fields, types, registry keys, periods and values of the input files",
    "schema": "the facts table against its schema",
    "expectation": "domain expectations: shares, growth, magnitudes, unique ids, dates",
    "provenance": "the quote is in the source; the value, hedge and unit are spans of the quote",
    "coverage": "every numeric mention of a source is a fact or ignored with a reason",
    "rule": "a consistency rule (checks/rules/) or a writer's derived figure",
    "invariant": "a relation declared in the registries",
    "claim": "a claim fact checked against the facts it is about",
    "conflict": "the same figure from several sources",
    "acknowledgement": "every acknowledgement still matches the finding it reviewed",
}


def _level(f: dict[str, Any]) -> str:
    if f["status"] == "stale-ack":
        return "error"
    return {"error": "error", "warning": "warning"}.get(f["severity"], "note")


def to_sarif(doc: dict[str, Any], *, tool_version: str, prefix: str = "") -> str:
    """``prefix``: the corpus folder relative to the repository root (``''`` at the top)."""
    findings = doc.get("findings", [])
    fact_locations = {f["id"]: (f["file"], f["line"]) for f in doc.get("facts", [])}
    kinds = sorted({f["kind"] for f in findings})
    rules = [
        {
            "id": kind,
            "name": f"factledger-{kind}",
            "shortDescription": {"text": f"factledger {kind} check"},
            "fullDescription": {"text": KIND_HELP.get(kind, f"results of the {kind} check")},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["factledger", kind]},
        }
        for kind in kinds
    ]
    results = []
    for f in findings:
        words = verdict_words(f["verdict"], f["kind"])
        text = f"{words}: {f['message']}"
        if f["fact_ids"]:
            text += f" (facts: {', '.join(f['fact_ids'])})"
        if f["status"] == "stale-ack":
            text += " — stale acknowledgement: the finding changed since it was reviewed"
        result: dict[str, Any] = {
            "ruleId": f["kind"],
            "ruleIndex": kinds.index(f["kind"]),
            "level": _level(f),
            "message": {"text": text},
            "partialFingerprints": {"factledgerResultId/v1": f["id"]},
            "properties": {
                "id": f["id"],
                "verdict": f["verdict"],
                "severity": f["severity"],
                "status": f["status"],
                "fingerprint": f["fingerprint"],
                "factIds": list(f["fact_ids"]),
            },
        }
        file, line = locate(f.get("file"), f.get("line"), f["fact_ids"], fact_locations)
        if file:
            physical: dict[str, Any] = {
                "artifactLocation": {"uri": quote(prefix + file), "uriBaseId": "%SRCROOT%"}
            }
            if line:
                physical["region"] = {"startLine": int(line)}
            result["locations"] = [{"physicalLocation": physical}]
        ack = f.get("acknowledgement")
        if f["status"] == "acknowledged" and ack:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"{ACK_WORDS.get(ack['verdict'], ack['verdict'])}: "
                    f"{ack['reason']} (reviewed by {ack['reviewer']}, {ack['date']})",
                }
            ]
        results.append(result)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "factledger",
                        "version": tool_version,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=1, allow_nan=False)
