"""Reviewing findings: ``factledger ack`` and what a stale acknowledgement should say.

``factledger ack ID --verdict … --reason … --reviewer …`` is the one command that writes under
``checks/``: it appends a reviewed entry to ``checks/acknowledged.yaml`` as text (every comment and
the layout of the rest of the file are kept), dated today, or updates a stale entry in place, and
refuses findings that cannot be acknowledged and ids that are not current findings. The new text
is read back before it is written: if any other entry would read differently, nothing is written.

A stale acknowledgement (its finding's fingerprint changed) prints the entry to paste after the
review — id, the new fingerprint — and what changed since the review: when the corpus is in git,
the reviewed state is the commit whose corpus gave the acknowledged fingerprint (HEAD, else the
commit that wrote it), checked with the current code and compared fact by fact.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from factledger import diff, engine
from factledger.formatting import visible_controls
from factledger.load import yamlnodes as yn
from factledger.model import (
    ACK_VERDICTS,
    Acknowledgement,
    Fact,
    Finding,
    Result,
    verdict_words,
)

ACK_FILE = "checks/acknowledged.yaml"
EXIT_OK, EXIT_REFUSED = 0, 2
WIDTH = 100  # the file's line length


class AckError(Exception):
    """Why ``ack`` wrote nothing (one line)."""


# --- the entry as text ----------------------------------------------------------------------------


def _reason(reason: str, indent: int) -> str:
    """``reason`` as the file writes it: plain or quoted when it fits the line, else a folded
    block (``>-``) wrapped at spaces, which folds back to the same text."""
    inline = yn.emit_scalar(reason)
    if inline is not None and indent + len("reason: ") + len(inline) <= WIDTH:
        return inline
    pad = " " * (indent + 2)
    lines = textwrap.wrap(reason, WIDTH - len(pad), break_long_words=False, break_on_hyphens=False)
    block = ">-\n" + "\n".join(pad + line for line in lines)
    try:
        if yaml.safe_load(f"reason: {block}\n") == {"reason": reason}:
            return block
    except yaml.YAMLError:
        pass
    return yn.emit_scalar(reason, '"') or ""


def entry_text(rid: str, values: dict[str, str], indent: int = 2) -> str:
    """One acknowledgement as YAML text, its ``-`` at ``indent``, ending in a newline.
    ``values``: fingerprint, verdict, reason, reviewer, date."""
    pad = " " * indent
    fields = [
        ("id", yn.emit_scalar(rid, '"')),
        ("fingerprint", yn.emit_scalar(values["fingerprint"], '"')),
        ("verdict", yn.emit_scalar(values["verdict"])),
        ("reason", _reason(values["reason"], indent + 2)),
        ("reviewer", yn.emit_scalar(values["reviewer"])),
        ("date", yn.emit_scalar(values["date"], '"')),
    ]
    lines = [f"{pad}{'- ' if i == 0 else '  '}{k}: {v}" for i, (k, v) in enumerate(fields)]
    return "\n".join(lines) + "\n"


# --- editing checks/acknowledged.yaml -------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    text: str  # the whole new file
    line: int  # where the entry now starts
    action: str  # "added" | "updated"


def _entries(text: str) -> tuple[yn.Map | None, yn.Node | None]:
    try:
        node, problems = yn.parse(text, offsets=True)
    except yn.YamlProblem as exc:
        raise AckError(f"{ACK_FILE}:{exc.line or '?'}: {exc.message}: fix it first") from None
    if problems:
        raise AckError(f"{ACK_FILE}:{problems[0].line}: {problems[0].message}: fix it first")
    if node is None:
        return None, None
    if not isinstance(node, yn.Map) or "acknowledged" not in node.items:
        raise AckError(f"{ACK_FILE}: expected a mapping with an 'acknowledged' list: fix it first")
    return node, node.items["acknowledged"]


def update_entry(text: str, rid: str, values: dict[str, str]) -> Edit:
    """Replace the fields of the entry acknowledging ``rid`` in place, scalar by scalar."""
    _, seq = _entries(text)
    items = seq.items if isinstance(seq, yn.Seq) else []
    item = next(
        (i for i in items if isinstance(i, yn.Map)
         and isinstance(i.items.get("id"), yn.Scalar) and i.items["id"].text == rid),
        None,
    )  # fmt: skip
    if item is None:
        raise AckError(f"{ACK_FILE}: no entry acknowledges {rid!r}")
    first = text.splitlines()[item.line - 1]
    indent = len(first) - len(first.lstrip(" "))
    spans = []
    for key, value in values.items():
        node = item.items.get(key)
        if not isinstance(node, yn.Scalar) or node.start < 0:
            raise AckError(f"{ACK_FILE}:{item.line}: the entry's {key} is not a plain value")
        old = text[node.start : node.end]
        # a block scalar's span ends past its line break(s): keep them, whatever replaces it
        trailing = old[len(old.rstrip("\n")) :]
        if key == "reason":
            new = _reason(value, indent + 2)
        elif key in ("id", "fingerprint", "date") or node.style in ('"', "'"):
            new = yn.emit_scalar(value, node.style if node.style in ('"', "'") else '"')
        else:
            new = yn.emit_scalar(value)
        if new is None:  # pragma: no cover - emit_scalar writes every inline style
            raise AckError(f"{ACK_FILE}:{node.line}: cannot write {key}")
        spans.append((node.start, node.end, new + trailing))
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return Edit(text, item.line, "updated")


def append_entry(text: str | None, entry_at: Callable[[int], str]) -> Edit:
    """Add an entry after the last one (``entry_at(indent)`` writes it), keeping the rest."""
    if text is None or not text.strip():
        body = entry_at(2)
        prefix = text or ""
        return Edit(prefix + "acknowledged:\n" + body, prefix.count("\n") + 2, "added")
    node, seq = _entries(text)
    lines = text.splitlines(keepends=True)
    if node is None:
        return Edit(text + ("" if text.endswith("\n") else "\n") + "acknowledged:\n"
                    + entry_at(2), len(lines) + 2, "added")  # fmt: skip
    key_line = node.key_lines["acknowledged"]
    if (isinstance(seq, yn.Scalar) and seq.kind == "null") or (
        isinstance(seq, yn.Seq) and not seq.items
    ):
        head = lines[key_line - 1]
        if isinstance(seq, yn.Seq):  # acknowledged: [] → a block list
            head, n = re.subn(r":\s*\[\s*\]", ":", head, count=1)
            if not n:
                raise AckError(f"{ACK_FILE}:{key_line}: write the empty list as 'acknowledged: []'")
        if not head.endswith("\n"):
            head += "\n"
        new = [*lines[: key_line - 1], head, entry_at(2), *lines[key_line:]]
        return Edit("".join(new), key_line + 1, "added")
    if not isinstance(seq, yn.Seq):
        raise AckError(f"{ACK_FILE}:{key_line}: 'acknowledged' is not a list: fix it first")
    first = lines[seq.items[0].line - 1]
    if first.lstrip(" ").startswith(("[", "{")) or "acknowledged: [" in lines[key_line - 1]:
        raise AckError(f"{ACK_FILE}:{key_line}: write the list in block style (one '- ' per entry)")
    indent = len(first) - len(first.lstrip(" "))
    blank = len(seq.items) < 2 or not lines[seq.items[1].line - 2].strip()
    at = seq.end_line  # insert after the last line of the last entry
    before = "".join(lines[:at])
    if not before.endswith("\n"):
        before += "\n"
    sep = "\n" if blank else ""
    new_text = before + sep + entry_at(indent) + "".join(lines[at:])
    return Edit(new_text, at + 1 + len(sep), "added")


def _plain_entries(text: str) -> list[dict]:
    data = yaml.safe_load(text) or {}
    return list(data.get("acknowledged") or [])


def _verify(old: str | None, new: str, rid: str, expected: dict[str, str]) -> None:
    """The new file reads back with the entry as intended and every other entry unchanged."""
    try:
        yn.parse(new)
        after = _plain_entries(new)
    except (yn.YamlProblem, yaml.YAMLError) as exc:  # pragma: no cover - a bug here, not input
        raise AckError(f"refusing to write {ACK_FILE}: the edit would not parse ({exc})") from None
    before = _plain_entries(old) if old else []
    mine = [e for e in after if str(e.get("id")) == rid]
    others_after = [e for e in after if str(e.get("id")) != rid]
    others_before = [e for e in before if str(e.get("id")) != rid]
    got = {k: str(mine[0].get(k)) for k in expected} if len(mine) == 1 else None
    if got != expected or others_after != others_before:  # pragma: no cover - defensive
        raise AckError(f"refusing to write {ACK_FILE}: the edit would not read back as intended")


# --- the command ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acked:
    path: Path
    line: int
    action: str  # added | updated | unchanged
    entry: str


def acknowledge(
    outcome: engine.Outcome,
    rid: str,
    *,
    verdict: str,
    reason: str,
    reviewer: str,
    today: date,
) -> Acked:
    """Write the review of the current finding ``rid`` into ``checks/acknowledged.yaml``."""
    reason, reviewer = " ".join(reason.split()), reviewer.strip()
    if verdict not in ACK_VERDICTS:
        raise AckError(f"--verdict must be one of {', '.join(ACK_VERDICTS)}")
    if not reason or not reviewer:
        raise AckError("--reason and --reviewer must not be empty")
    root = outcome.corpus.root
    path = root / ACK_FILE
    if ACK_FILE in outcome.corpus.unreadable:
        raise AckError(f"{ACK_FILE} cannot be read: fix it first (factledger check shows why)")
    finding = next((f for f in outcome.findings if f.result.id == rid), None)
    if finding is None:
        result = next((r for r in outcome.results if r.id == rid), None)
        if result is not None:
            raise AckError(
                f"{rid} is not a finding ({verdict_words(result.verdict, result.kind)}, "
                f"{result.severity}): there is nothing to review"
            )
        ids = [f.result.id for f in outcome.findings if f.result.acknowledgeable]
        hint = difflib.get_close_matches(rid, ids, n=3, cutoff=0.5)
        more = f" (did you mean {', '.join(hint)}?)" if hint else ""
        raise AckError(f"{rid!r} is not a current finding{more}")
    r = finding.result
    if not r.acknowledgeable:
        raise AckError(
            f"{r.kind} findings cannot be acknowledged: fix the data instead "
            f"({r.where or rid}: {r.message})"
        )
    day = today.isoformat()
    values = {"fingerprint": r.fingerprint, "verdict": verdict, "reason": reason,
              "reviewer": reviewer, "date": day}  # fmt: skip
    if finding.status == "acknowledged" and finding.ack:
        return Acked(path, finding.ack.line, "unchanged", "")
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if finding.status == "stale-ack" and old is not None:
        edit = update_entry(old, rid, values)
    else:
        edit = append_entry(old, lambda indent: entry_text(rid, values, indent))
    _verify(old, edit.text, rid, {"id": rid, **values})
    path.parent.mkdir(parents=True, exist_ok=True)
    from factledger.report.files import write_atomic  # (the report package loads jinja2)

    write_atomic(path, edit.text)
    return Acked(path, edit.line, edit.action, entry_text(rid, values))


def cmd_ack(args: argparse.Namespace) -> int:
    from factledger.report.files import OutputError

    outcome = engine.run(args.root, expectations=not args.fast)
    if outcome.corpus.unreadable:  # findings of an unread file are unknown: review nothing yet
        for name in sorted(outcome.corpus.unreadable):
            print(
                visible_controls(f"factledger ack: cannot read {name}; fix it first"),
                file=sys.stderr,
            )
        return EXIT_REFUSED
    try:
        done = acknowledge(
            outcome, args.id, verdict=args.verdict, reason=args.reason,
            reviewer=args.reviewer, today=date.today(),
        )  # fmt: skip
    except (AckError, OutputError) as exc:
        print(visible_controls(f"factledger ack: {exc}"), file=sys.stderr)
        return EXIT_REFUSED
    rel = ACK_FILE
    if done.action == "unchanged":
        print(f"{rel}:{done.line}: {args.id} is already acknowledged with its current "
              "fingerprint; nothing written")  # fmt: skip
        return EXIT_OK
    what = "updated the stale entry" if done.action == "updated" else "acknowledged"
    print(visible_controls(f"{rel}:{done.line}: {what} {args.id}:"))
    print(visible_controls(done.entry), end="")
    print("Run `factledger check` to see the gate.")
    return EXIT_OK


def add_parser(
    sub: argparse._SubParsersAction, with_root: Callable, **kw
) -> argparse.ArgumentParser:
    p = with_root(
        sub.add_parser(
            "ack",
            help="acknowledge a reviewed finding in checks/acknowledged.yaml",
            description="Record the review of a current finding in checks/acknowledged.yaml — "
            "the one command that writes under checks/. Appends an entry (id, the finding's "
            "current fingerprint, verdict, reason, reviewer, today's date) as text, keeping every "
            "comment and the rest of the file as it is; a stale entry for the same id is updated "
            "in place. Refuses ids that are not current findings and kinds that cannot be "
            "acknowledged (input, schema, provenance, coverage: fix the data instead).",
            **kw,
        )
    )
    p.add_argument(
        "id", metavar="ID", help="the finding's result id (from check, the report or diff)"
    )
    p.add_argument("--verdict", required=True, choices=ACK_VERDICTS, help="what the review found")
    p.add_argument("--reason", required=True, help="why, specifically (figures, sources)")
    p.add_argument("--reviewer", required=True, help="who reviewed it")
    p.add_argument("--fast", action="store_true", help="skip the great-expectations suite")
    p.set_defaults(func=cmd_ack)
    return p


# --- stale acknowledgements: what to paste, and what changed --------------------------------------


def _git_out(args: list[str], cwd: Path) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                              timeout=30, check=False)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


class ReviewedState:
    """The corpus as it was when acknowledgements were written, from git, checked once per
    commit. Every failure (no git, untracked file, no such commit) just means "unknown"."""

    def __init__(self, outcome: engine.Outcome) -> None:
        self.root = outcome.corpus.root.resolve()
        self._runs: dict[str, engine.Outcome | None] = {}

    def _run_at(self, commit: str, expectations: bool) -> engine.Outcome | None:
        key = f"{commit}:{expectations}"
        if key not in self._runs:
            self._runs[key] = None
            try:
                top = diff.toplevel(self.root)
                rel = self.root.relative_to(top).as_posix()
                with tempfile.TemporaryDirectory(prefix="factledger-ack-") as tmp:
                    base = diff.export(top, commit, rel, Path(tmp))
                    self._runs[key] = engine.run(base, expectations=expectations)
            except (diff.DiffError, ValueError, OSError):
                pass
        return self._runs[key]

    def reviewed(self, ack: Acknowledgement, kind: str) -> tuple[Result, engine.Outcome] | None:
        """The result the acknowledgement reviewed, and the run it came from."""
        rel = (self.root / ack.file).as_posix()
        candidates = [_git_out(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], self.root),
                      _git_out(["log", "-1", "--format=%H", f"-S{ack.fingerprint}", "--", rel],
                               self.root)]  # fmt: skip
        seen = set()
        for commit in candidates:
            if not commit or commit in seen:
                continue
            seen.add(commit)
            run = self._run_at(commit, expectations=kind == "expectation")
            if run is None:
                continue
            for r in run.results:
                if r.id == ack.id and r.fingerprint == ack.fingerprint:
                    return r, run
        return None


_FACT_FIELDS = ("value", "quote", "entity", "metric", "qualifiers", "kind", "hedge", "unit")


def _fact_changes(old: Fact, new: Fact) -> list[str]:
    out = []
    for name in _FACT_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            out.append(f"{name} {a!r} → {b!r}")
    for name in ("period", "stated"):
        a, b = getattr(old, name), getattr(new, name)
        if a.key != b.key:
            out.append(f"{name} {a.text!r} → {b.text!r}")
    return out


def what_changed(
    reviewed: tuple[Result, engine.Outcome] | None, now: Result, outcome: engine.Outcome
) -> list[str]:
    facts_now = {f.id: f for f in outcome.corpus.facts}
    if reviewed is None:
        lines = ["the values it covers changed since the review (the reviewed state is not in "
                 "git history to compare with); its facts now:"]  # fmt: skip
        for fid in now.fact_ids:
            f = facts_now.get(fid)
            if f is not None:
                lines.append(f"  {fid} = {f.value!r} @ {f.period.text} ({f.file}:{f.line})")
        return lines
    old, run = reviewed
    facts_then = {f.id: f for f in run.corpus.facts}
    lines = []
    if old.verdict != now.verdict:
        lines.append(f"verdict {old.verdict} → {now.verdict}")
    for fid in sorted(set(old.fact_ids) - set(now.fact_ids)):
        lines.append(f"{fid} no longer part of it")
    for fid in now.fact_ids:
        f = facts_now.get(fid)
        where = f" ({f.file}:{f.line})" if f else ""
        if fid not in old.fact_ids:
            value = f" = {f.value!r}" if f else ""
            lines.append(f"{fid}{value} is new to it{where}")
        elif fid in facts_then and f is not None:
            changes = _fact_changes(facts_then[fid], f)
            if changes:
                lines.append(f"{fid}: {'; '.join(changes)}{where}")
    if not lines and old.message != now.message:
        lines += [f"was: {old.message}", f"now: {now.message}"]
    return lines or ["nothing visible in its facts; the fingerprint covers the values involved"]


@dataclass(frozen=True)
class StaleAdvice:
    ack: Acknowledgement
    fingerprint: str  # the finding's, now
    changes: list[str]
    entry: str  # ready to paste, at the file's own indentation
    command: str

    def lines(self, prefix: str = "      ") -> list[str]:
        """Prose indented by ``prefix``; the entry as it goes into the file (not indented)."""
        out = [
            f"{prefix}stale: {self.ack.file}:{self.ack.line} reviewed fingerprint "
            f"{self.ack.fingerprint}; the finding is now {self.fingerprint}. "
            "What changed since the review:",
            *(f"{prefix}  - {c}" for c in self.changes),
            f"{prefix}After reviewing it again, replace the entry at {self.ack.file}:"
            f"{self.ack.line} with:",
            *self.entry.splitlines(),
            f"{prefix}or run: {self.command}",
        ]
        return out


def _indent_of(root: Path, ack: Acknowledgement) -> int:
    try:
        line = (root / ack.file).read_text(encoding="utf-8").splitlines()[ack.line - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return 2
    return len(line) - len(line.lstrip(" "))


def stale_advice(
    outcome: engine.Outcome,
    finding: Finding,
    state: ReviewedState | None = None,
    *,
    today: date | None = None,
) -> StaleAdvice | None:
    """For a stale acknowledgement: what changed, the entry to paste after the review (the new
    fingerprint, the old verdict and reason, today's date) and the command that writes it."""
    ack, r = finding.ack, finding.result
    if ack is None or finding.status != "stale-ack":
        return None
    state = state or ReviewedState(outcome)
    values = {"fingerprint": r.fingerprint, "verdict": ack.verdict, "reason": ack.reason,
              "reviewer": ack.reviewer, "date": (today or date.today()).isoformat()}  # fmt: skip
    command = (
        f"factledger ack {_shell(r.id)} --verdict {ack.verdict} "
        f"--reason {_shell(ack.reason)} --reviewer {_shell(ack.reviewer)}"
    )
    return StaleAdvice(
        ack,
        r.fingerprint,
        what_changed(state.reviewed(ack, r.kind), r, outcome),
        entry_text(r.id, values, _indent_of(outcome.corpus.root, ack)),
        command,
    )


def _shell(text: str) -> str:
    return shlex.quote(text)
