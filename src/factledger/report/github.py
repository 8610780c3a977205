"""Open findings as GitHub workflow commands, so a pull request shows each on its YAML line.

``::error file=facts/x.yaml,line=22,title=…::message`` (``::warning`` for warnings). Values are
escaped as GitHub's own toolkit does (``@actions/core``, ``command.ts``): in the message ``%``,
``\\r`` and ``\\n``; in a property also ``:`` and ``,``, which would otherwise end the property.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from factledger.formatting import visible_controls
from factledger.model import Finding, verdict_words


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repo_prefix(root: Path) -> str:
    """The corpus folder relative to its git repository's top (``corpus/`` or ``''``): GitHub
    locates annotations and code-scanning results by paths from the repository root."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-prefix"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def locate(
    file: str | None,
    line: int | None,
    fact_ids: Iterable[str],
    fact_locations: Mapping[str, tuple[str, int]],
) -> tuple[str | None, int | None]:
    """A finding's own file:line, else its first fact's (a schema failure names no line)."""
    if file:
        return file, line
    for fid in fact_ids:
        if fid in fact_locations:
            return fact_locations[fid]
    return None, None


def annotation(
    finding: Finding, fact_locations: Mapping[str, tuple[str, int]], prefix: str = ""
) -> str:
    r = finding.result
    level = "warning" if r.severity == "warning" and finding.status == "open" else "error"
    file, line = locate(r.file, r.line, r.fact_ids, fact_locations)
    props = []
    if file:
        props.append(f"file={escape_property(prefix + file)}")
        if line:
            props.append(f"line={line}")
    title = f"factledger {r.kind}: {verdict_words(r.verdict, r.kind)}"
    if finding.status == "stale-ack":
        title += " (stale acknowledgement)"
    props.append(f"title={escape_property(visible_controls(title))}")
    message = r.message
    if finding.status == "stale-ack" and finding.ack:
        message += (
            f"\nThe acknowledgement at {finding.ack.file}:{finding.ack.line} reviewed fingerprint "
            f"{finding.ack.fingerprint}; the finding is now {r.fingerprint}. Review it again: "
            f"factledger ack {r.id} --verdict … --reason … --reviewer …"
        )
    message += f"\n(result {r.id})"
    # a log line too: an ESC sequence in a quote must not rewrite it (controls shown, not obeyed)
    return f"::{level} {','.join(props)}::{escape_data(visible_controls(message))}"


def annotations(
    findings: Iterable[Finding],
    fact_locations: Mapping[str, tuple[str, int]],
    prefix: str = "",
) -> list[str]:
    """One workflow command per finding that fails or warns (acknowledged ones are reviewed)."""
    return [annotation(f, fact_locations, prefix) for f in findings if f.status != "acknowledged"]
