"""``factledger diff --base REF``: the findings a change introduces and resolves.

The corpus at ``REF`` (exported from git into a temporary folder, the repository untouched) and
the working tree are both checked by the current code; their findings are matched by result id
and fingerprint, never by position, so a finding that merely moved is not "new" (dbt's
``state:modified`` flaw). Exit 1 when the change introduces an open error, else 0; 2 when the
folder is not in a git repository, the ref does not exist, or the ref has no corpus there.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from factledger import engine
from factledger.formatting import visible_controls
from factledger.model import Finding

EXIT_OK, EXIT_INTRODUCED, EXIT_USAGE = 0, 1, 2

# How a change touched a finding. Introduced ones are listed first, then resolved ones.
INTRODUCED = ("new", "changed", "reopened")
RESOLVED = ("resolved", "acknowledged")


class DiffError(Exception):
    """A one-line reason the diff cannot be made (bad ref, not a repository, ...)."""


@dataclass(frozen=True)
class Entry:
    change: str  # new | changed | reopened | resolved | acknowledged
    finding: Finding  # as it is now; for resolved, as it was at the base
    before: Finding | None = None

    @property
    def open_error(self) -> bool:
        """The same test as the gate's (engine.Outcome.open_errors)."""
        f = self.finding
        return f.status == "stale-ack" or (f.status == "open" and f.result.severity == "error")


@dataclass
class Diff:
    base_ref: str
    base_commit: str
    entries: list[Entry] = field(default_factory=list)
    unchanged: int = 0
    base_counts: dict[str, int] = field(default_factory=dict)
    head_counts: dict[str, int] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # working-tree files not read at all

    def of(self, *changes: str) -> list[Entry]:
        return [e for e in self.entries if e.change in changes]

    @property
    def introduced(self) -> list[Entry]:
        return self.of(*INTRODUCED)

    @property
    def resolved(self) -> list[Entry]:
        return self.of(*RESOLVED)

    @property
    def introduced_open_errors(self) -> list[Entry]:
        return [e for e in self.introduced if e.open_error]

    @property
    def exit_code(self) -> int:
        if self.unreadable:  # as factledger check would: the working tree was not all read
            return EXIT_USAGE
        return EXIT_INTRODUCED if self.introduced_open_errors else EXIT_OK


# --- comparing ----------------------------------------------------------------------------------


def _is_open_error(f: Finding) -> bool:
    return Entry("", f).open_error


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    findings = list(findings)
    return {
        "findings": len(findings),
        "open errors": sum(_is_open_error(f) for f in findings),
        "open warnings": sum(
            f.status == "open" and f.result.severity == "warning" for f in findings
        ),
        "acknowledged": sum(f.status == "acknowledged" for f in findings),
    }


def _order(e: Entry) -> tuple:
    rank = (INTRODUCED + RESOLVED).index(e.change)
    return (rank, not e.open_error, *engine.finding_order(e.finding))


def compare(
    base: Iterable[Finding], head: Iterable[Finding], *, base_ref: str = "", base_commit: str = ""
) -> Diff:
    """Match findings by id, then by fingerprint within an id (ids may repeat, e.g. two input
    problems on one line). Same id and fingerprint: unchanged, unless the acknowledgement status
    moved (reopened / acknowledged). Same id, other fingerprint: changed. Otherwise new or
    resolved. Positions (file, line, order) play no part."""
    base, head = list(base), list(head)
    diff = Diff(base_ref, base_commit, base_counts=counts(base), head_counts=counts(head))
    by_id_base: dict[str, list[Finding]] = defaultdict(list)
    by_id_head: dict[str, list[Finding]] = defaultdict(list)
    for f in base:
        by_id_base[f.result.id].append(f)
    for f in head:
        by_id_head[f.result.id].append(f)
    for rid in sorted(set(by_id_base) | set(by_id_head)):
        old, new = list(by_id_base[rid]), list(by_id_head[rid])
        leftover_new = []
        for f in new:
            twin = next((o for o in old if o.result.fingerprint == f.result.fingerprint), None)
            if twin is None:
                leftover_new.append(f)
                continue
            old.remove(twin)
            if twin.status == "acknowledged" and f.status != "acknowledged":
                diff.entries.append(Entry("reopened", f, twin))
            elif twin.status != "acknowledged" and f.status == "acknowledged":
                diff.entries.append(Entry("acknowledged", f, twin))
            else:
                diff.unchanged += 1
        for f, o in zip(leftover_new, old, strict=False):
            diff.entries.append(Entry("changed", f, o))
        for f in leftover_new[len(old) :]:
            diff.entries.append(Entry("new", f))
        for o in old[len(leftover_new) :]:
            diff.entries.append(Entry("resolved", o))
    diff.entries.sort(key=_order)
    return diff


# --- git ----------------------------------------------------------------------------------------


def _git(args: list[str], cwd: Path, *, binary: bool = False) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", "-C", str(cwd), *args], capture_output=True, text=not binary, check=False
        )
    except FileNotFoundError:
        raise DiffError("git is not installed (or not on PATH)") from None


def _stderr(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode(errors="replace") if isinstance(proc.stderr, bytes) else proc.stderr
    lines = [line.strip() for line in (err or "").splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {proc.returncode}"


def toplevel(root: Path) -> Path:
    proc = _git(["rev-parse", "--show-toplevel"], root)
    if proc.returncode != 0:
        raise DiffError(f"{root} is not in a git repository")
    return Path(proc.stdout.strip()).resolve()


def resolve(top: Path, ref: str) -> str:
    """The full commit id of ``ref``. Refuses refs starting with '-' (they would be options)."""
    if not ref or ref.startswith("-"):
        raise DiffError(f"{ref!r} is not a git ref")
    proc = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise DiffError(f"unknown git ref {ref!r} (no such branch, tag or commit)")
    return proc.stdout.strip()


def export(top: Path, commit: str, rel: str, dest: Path) -> Path:
    """Write the commit's ``rel`` folder (the corpus) under ``dest`` and return its path there.
    ``git archive`` reads objects only: no checkout, no worktree, nothing in .git changes."""
    args = ["archive", "--format=tar", commit]
    if rel not in ("", "."):
        args += ["--", rel]
    proc = _git(args, top, binary=True)
    if proc.returncode != 0:
        raise DiffError(f"cannot read {rel or 'the corpus'} at {commit[:12]}: {_stderr(proc)}")
    try:
        with tarfile.open(fileobj=io.BytesIO(proc.stdout), mode="r:") as tar:
            if hasattr(tarfile, "data_filter"):  # 3.11.4+: no absolute paths, escaping links
                tar.extractall(dest, filter="data")
            else:  # pragma: no cover - older 3.11: the same refusals, checked by hand
                for member in tar.getmembers():
                    _refuse_unsafe(member, dest)
                tar.extractall(dest)
    except tarfile.FilterError as exc:
        # a committed symlink to /etc/passwd or ../../outside: the base is not checked at all
        # rather than checked with that file missing
        name = getattr(exc, "tarinfo", None)
        what = name.name if name is not None else "a member"
        raise DiffError(
            f"refusing to read {what!r} at {commit[:12]}: {_filter_reason(exc)}"
        ) from None
    except (tarfile.TarError, OSError) as exc:
        raise DiffError(f"cannot extract {rel or 'the corpus'} at {commit[:12]}: {exc}") from None
    out = dest / rel if rel not in ("", ".") else dest
    missing = [d for d in ("seeds", "facts") if not (out / d).is_dir()]
    if missing:
        raise DiffError(
            f"{commit[:12]} has no corpus at {rel or '.'}: missing "
            + ", ".join(d + "/" for d in missing)
        )
    return out


def _filter_reason(exc: tarfile.FilterError) -> str:
    if isinstance(exc, tarfile.AbsoluteLinkError):
        return "a link to an absolute path"
    if isinstance(exc, tarfile.LinkOutsideDestinationError):
        return "a link that leaves the corpus"
    if isinstance(exc, tarfile.AbsolutePathError | tarfile.OutsideDestinationError):
        return "a path outside the corpus"
    return "an unsafe archive member (special file or permissions)"


def _refuse_unsafe(member: tarfile.TarInfo, dest: Path) -> None:
    """What ``filter="data"`` refuses, for a Python without it (before 3.11.4)."""
    root = dest.resolve()
    target = (root / member.name).resolve()
    if member.name.startswith("/") or not target.is_relative_to(root):
        raise DiffError(f"refusing to read {member.name!r}: a path outside the corpus")
    if member.issym() or member.islnk():
        if member.linkname.startswith("/"):
            raise DiffError(f"refusing to read {member.name!r}: a link to an absolute path")
        base = target.parent if member.issym() else root
        if not (base / member.linkname).resolve().is_relative_to(root):
            raise DiffError(f"refusing to read {member.name!r}: a link that leaves the corpus")
    elif not (member.isfile() or member.isdir()):
        raise DiffError(f"refusing to read {member.name!r}: a special file")


Runner = Callable[[Path], engine.Outcome]


def _run(root: Path) -> engine.Outcome:
    # expectations (great-expectations) are slow and location-free: the gate's own checks differ
    return engine.run(root, expectations=False)


def diff_against(root: Path, base_ref: str, *, runner: Runner = _run) -> Diff:
    root = root.resolve()
    top = toplevel(root)
    commit = resolve(top, base_ref)
    try:
        rel = root.relative_to(top).as_posix()
    except ValueError:
        raise DiffError(f"{root} is outside its repository {top}") from None
    with tempfile.TemporaryDirectory(prefix="factledger-diff-") as tmp:
        base_root = export(top, commit, rel, Path(tmp))
        base = runner(base_root)
    head = runner(root)
    d = compare(base.findings, head.findings, base_ref=base_ref, base_commit=commit)
    d.unreadable = sorted(head.corpus.unreadable)
    return d


# --- rendering ----------------------------------------------------------------------------------


def _status(e: Entry) -> str:
    f = e.finding
    status = f.status
    if e.before is not None and e.before.status != f.status:
        status = f"{e.before.status} → {f.status}"
    return status


def _summary(d: Diff) -> str:
    n_new = len(d.introduced)
    errors = len(d.introduced_open_errors)
    unreadable = f"; unreadable in the working tree: {', '.join(d.unreadable)}"
    return (
        f"{n_new} introduced ({errors} open error{'s' if errors != 1 else ''}), "
        f"{len(d.resolved)} resolved, {d.unchanged} unchanged; "
        f"findings {d.base_counts.get('findings', 0)} → {d.head_counts.get('findings', 0)}, "
        f"open errors {d.base_counts.get('open errors', 0)} → "
        f"{d.head_counts.get('open errors', 0)}" + (unreadable if d.unreadable else "")
    )


def render_text(d: Diff, heading: str | None = None) -> str:
    """``heading``: the first line (default: the refs compared)."""
    lines = [heading or f"factledger diff: {d.base_ref} ({d.base_commit[:12]}) → working tree"]
    for title, entries in (("Introduced", d.introduced), ("Resolved", d.resolved)):
        if not entries:
            continue
        lines.append(f"{title} ({len(entries)}):")
        for e in entries:
            r = e.finding.result
            where = f"{r.where}: " if r.where else ""
            lines.append(
                f"  {e.change}: {where}{r.kind}: {r.verdict} "
                f"({r.severity}, {_status(e)}): {r.message}"
            )
            lines.append(f"      id: {r.id}  fingerprint: {r.fingerprint}")
    if not d.entries:
        lines.append("No findings introduced or resolved.")
    lines.append(_summary(d))
    return visible_controls("\n".join(lines)) + "\n"


# Characters that start inline markdown or HTML in a GitHub job summary (emphasis, code, links
# and images, raw HTML and entities, strikethrough, a table's cell separator, headings): each is
# backslash-escaped, so a quote or a rule description is shown as text, never rendered.
_MARKDOWN = re.compile(r"([\\`*_\[\]()<>#!|~&])")


def _flat(text: object, limit: int) -> str:
    """One line (newlines folded: a cell cannot hold one), controls visible, at most ``limit``."""
    s = " ".join(visible_controls(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _cell(text: object, limit: int = 300) -> str:
    """A table cell's text: markdown and HTML escaped."""
    return _MARKDOWN.sub(r"\\\1", _flat(text, limit))


def _code(text: object, limit: int = 300) -> str:
    """A code span (shown literally, HTML included) that no backtick in ``text`` can close; a
    ``|`` is still escaped, as GitHub splits table cells before it reads code spans."""
    s = _flat(text, limit).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def _table(entries: list[Entry]) -> list[str]:
    rows = [
        "| change | severity | status | kind | where | id | message |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in entries:
        r = e.finding.result
        rows.append(
            f"| {e.change} | {_cell(r.severity)} | {_cell(_status(e))} | "
            f"{_cell(f'{r.kind}: {r.verdict}')} | {_code(r.where) if r.where else ''} | "
            f"{_code(r.id)} | {_cell(r.message)} |"
        )
    return rows


def render_markdown(d: Diff) -> str:
    """For a CI job summary: a headline, the introduced findings as a table, then resolved
    ones (folded) and counts."""
    errors = len(d.introduced_open_errors)
    verdict = (
        f"❌ introduces {errors} open error{'s' if errors != 1 else ''}"
        if errors
        else "✅ introduces no open errors"
    )
    out = [
        f"## factledger diff against {_code(d.base_ref)} ({_cell(d.base_commit[:12])})",
        "",
        f"**{verdict}** — {_cell(_summary(d), limit=4000)}",
        "",
    ]
    out += [f"### Introduced ({len(d.introduced)})", ""]
    out += _table(d.introduced) if d.introduced else ["None."]
    out += ["", f"<details><summary>Resolved ({len(d.resolved)})</summary>", ""]
    out += _table(d.resolved) if d.resolved else ["None."]
    out += ["", "</details>", "", "### Counts", "", "| | base | working tree |", "|---|---|---|"]
    for key in d.head_counts:
        out.append(f"| {_cell(key)} | {d.base_counts.get(key, 0)} | {d.head_counts[key]} |")
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown}


# --- command line -------------------------------------------------------------------------------


def cmd_diff(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        d = diff_against(args.root, args.base)
    except DiffError as exc:
        print(visible_controls(f"factledger diff: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    print(RENDERERS[args.format](d), end="", file=out)
    for name in d.unreadable:
        print(visible_controls(f"factledger diff: cannot read {name}"), file=sys.stderr)
    return d.exit_code


def add_parser(sub: argparse._SubParsersAction, with_root: Callable) -> argparse.ArgumentParser:
    p = with_root(
        sub.add_parser(
            "diff",
            help="findings a change introduces and resolves, against a git ref",
            description="Check the corpus at --base (from git) and the working tree; list the "
            "findings introduced (new first), then resolved, then counts. Exit 1 when the change "
            "introduces an open error, 2 on a bad ref or outside a git repository.",
        )
    )
    p.add_argument(
        "--base",
        required=True,
        metavar="REF",
        help="git ref to compare against (branch, tag, commit, HEAD~1, ...)",
    )
    p.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default="text",
        help="text (default) or markdown (for a CI job summary)",
    )
    p.set_defaults(func=cmd_diff)
    return p
