"""The corpus's input files, and which of them changed since the cache last saw them.

A file's signature is what ``stat`` says of it (type, size, modification time, inode; of the
link and of its target for a symlink): reading every file of a 100k-fact corpus to hash it would
cost more than the check itself. A file whose signature differs is hashed (SHA-256 of what the
loader would read, or the reason it would refuse it), and only a different hash is a change —
a ``touch`` re-checks nothing. Like git's index, a file modified within :data:`RACY_SECONDS` of
the scan is remembered without a signature, so it is hashed again next time: two edits within
one tick of the file system's clock, same size, are not mistaken for none.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from factledger.load.corpus import REGISTRIES, fact_files
from factledger.load.files import InputFileError, read_input
from factledger.load.rules import rule_files
from factledger.load.settings import Settings

RACY_SECONDS = 2.0
ACKS = "checks/acknowledged.yaml"


@dataclass
class Inputs:
    """Every input file the loader reads (relative, in the order it reads them) and each one's
    signature."""

    seeds: list[str] = field(default_factory=list)
    registries: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    acks: str | None = None
    sigs: dict[str, str] = field(default_factory=dict)
    scanned_ns: int = 0

    @property
    def paths(self) -> list[str]:
        return [*self.seeds, *self.registries, *self.facts, *self.rules,
                *([self.acks] if self.acks else [])]  # fmt: skip


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def signature(path: Path) -> str:
    """What ``stat`` says of the path (and of its target, for a symlink); "missing" when there
    is nothing there."""
    try:
        st = os.lstat(path)
    except OSError:
        return "missing"
    sig = f"{st.st_mode:o}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{st.st_dev}"
    if os.path.islink(path):
        try:
            target = os.stat(path)
            sig += f">{os.readlink(path)}>{target.st_mode:o}:{target.st_size}:"
            sig += f"{target.st_mtime_ns}:{target.st_ino}:{target.st_dev}"
        except OSError:
            sig += ">dangling"
    return sig


def modified_ns(sig: str) -> int:
    """The latest modification time a signature holds (link or target)."""
    times = []
    for part in sig.split(">"):
        fields = part.split(":")
        if len(fields) == 5 and fields[2].isdigit():
            times.append(int(fields[2]))
    return max(times, default=0)


def scan(root: Path) -> Inputs:
    """The input files as the loader finds them (the same globs), with their signatures."""
    out = Inputs(scanned_ns=time.time_ns())
    out.seeds = [_rel(root, p) for p in sorted((root / "seeds").glob("*.md"))]
    out.registries = [f"facts/{name}" for name in REGISTRIES]
    out.facts = [_rel(root, p) for p in fact_files(root)]
    folder = root / "checks" / "rules"
    if folder.is_dir():
        out.rules = [_rel(root, p) for p in rule_files(folder)]
    acks = root / ACKS
    if acks.exists() or acks.is_symlink():
        out.acks = ACKS
    out.sigs = {rel: signature(root / rel) for rel in out.paths}
    return out


def remembered(sig: str, scanned_ns: int) -> str:
    """The signature to keep for a file: none when it changed too recently to be sure a later
    change of the same size shows in it (it is hashed again next time)."""
    if sig == "missing":
        return sig
    if modified_ns(sig) >= scanned_ns - int(RACY_SECONDS * 1e9):
        return ""
    return sig


def digest(root: Path, rel: str, settings: Settings) -> str:
    """The hash of what the loader reads from ``rel``, or why it refuses the file (a folder, a
    FIFO, a link out of the corpus, too large: the loader's own check, so nothing it would not
    read is opened)."""
    path = root / rel
    if not os.path.lexists(path):
        return "missing"
    limit = settings.max_seed_bytes if rel.startswith("seeds/") else settings.max_yaml_bytes
    try:
        raw = read_input(path, limit=limit, root=root)
    except InputFileError as exc:
        return "refused:" + exc.message
    return hashlib.sha256(raw).hexdigest()
