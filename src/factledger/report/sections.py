"""Which story section of the page a finding belongs to (the page, its charts and its tests
agree on this one mapping)."""

from __future__ import annotations

from typing import Any

from factledger.report.view import RELATION_KINDS

# (id, heading, what it holds): the page's story sections in reading order.
SECTIONS = (
    ("decision", "Needs a decision", "open errors and stale reviews: what fails the gate"),
    ("contradictions", "Contradictions between sources", "figures from different outlets that "
     "cannot all be right"),
    ("within-source", "Errors within one source", "a source's figures that contradict each "
     "other, quotes not in the article, problems in the fact files"),
    ("stale", "Stale or repeated figures", "an outdated figure presented as current, or one "
     "figure repeated for different dates"),
    ("strained", "Possible only at a stretch", "figures that fit under the loosest reading of "
     "their words, not under the usual one"),
    ("revisions", "Revisions", "a projection restated over time, oldest first"),
    ("agreements", "Agreements", "figures that several sources confirm"),
    ("different-subjects", "Lists of different subjects", "values of a point metric (a price, a "
     "release date) under different qualifiers or dates, reviewed as different subjects"),
)  # fmt: skip
SECTION_IDS = tuple(s[0] for s in SECTIONS)
# Sections whose findings set two sources' figures against each other: charts outline them.
CONTRADICTING = ("contradictions", "stale")


def section_of(finding: dict[str, Any], n_sources: int) -> str:
    """The story section of a finding (``n_sources``: distinct sources of its facts)."""
    kind, verdict = finding.get("kind") or "", finding.get("verdict") or ""
    ack = finding.get("acknowledgement") or {}
    if verdict == "needs-review":
        # reviewed as anything but different subjects, the values are a real disagreement
        if finding.get("status") == "acknowledged" and ack.get("verdict") != "different-subjects":
            return "contradictions"
        return "different-subjects"
    if verdict in ("stale", "repeated-figure"):
        return "stale"
    if verdict == "strained":
        return "strained"
    if kind == "conflict" and verdict == "conflict":
        return "contradictions"
    if kind in RELATION_KINDS and verdict == "violated":
        return "contradictions" if n_sources >= 2 else "within-source"
    return "within-source"


def blocking(finding: dict[str, Any]) -> bool:
    """What fails the gate: an open error, or a stale acknowledgement of any severity."""
    status = finding.get("status")
    return status == "stale-ack" or (status == "open" and finding.get("severity") == "error")
