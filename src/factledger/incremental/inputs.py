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
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from factledger.load.corpus import READ_FILES, REGISTRIES
from factledger.load.files import InputFileError, read_input
from factledger.load.rules import RULE_SUFFIXES
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
    # what the loader warns about as not read: each input folder (a folder or not) and its
    # other entries (name, a folder or not)
    others: list[tuple[str, bool, list[tuple[str, bool]]]] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        return [*self.seeds, *self.registries, *self.facts, *self.rules,
                *([self.acks] if self.acks else [])]  # fmt: skip


def signature(path: Path | str, st: os.stat_result | None = None) -> str:
    """What ``stat`` says of the path (and of its target, for a symlink); "missing" when there
    is nothing there. ``st``: its ``lstat``, when known."""
    if st is None:
        try:
            st = os.lstat(path)
        except OSError:
            return "missing"
    sig = f"{st.st_mode:o}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{st.st_dev}"
    if stat.S_ISLNK(st.st_mode):
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


def suffix(name: str) -> str:
    """``Path(name).suffix``, without making a path (4,000 names a run)."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _listing(
    folder: Path, keep: Callable[[str], bool], read: tuple[str, ...]
) -> tuple[dict[str, os.stat_result], list[tuple[str, bool]]]:
    """The entries of ``folder`` whose name ``keep`` takes, with their ``lstat`` (one system
    call each: a 100k-fact corpus has 4,000 files); and the entries without one of the
    suffixes the loader reads (``warn_unread`` names them), each with whether it is a folder."""
    out: dict[str, os.stat_result] = {}
    others: list[tuple[str, bool]] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if suffix(entry.name) not in read:
                    others.append((entry.name, entry.is_dir()))
                if keep(entry.name):
                    try:
                        out[entry.name] = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
    except OSError:  # no such folder, not a folder: the loader says so
        return {}, []
    return out, sorted(others)


def scan(root: Path) -> Inputs:
    """The input files as the loader finds them (``load_corpus``'s globs: seeds/*.md,
    facts/*.yaml, checks/rules/*.yaml and *.yml, checks/acknowledged.yaml), each with its
    signature."""
    out = Inputs(scanned_ns=time.time_ns())
    sigs: dict[str, str] = {}
    folders = (
        ("seeds", lambda n: n.endswith(".md")),
        ("facts", lambda n: n.endswith(".yaml")),
        ("checks/rules", lambda n: suffix(n) in RULE_SUFFIXES),
    )
    found: dict[str, list[str]] = {}
    for folder, keep in folders:
        _, read = READ_FILES[folder]
        listing, others = _listing(root / folder, keep, read)
        out.others.append((folder, (root / folder).is_dir(), others))
        names = sorted(listing)
        found[folder] = [f"{folder}/{n}" for n in names]
        for n in names:
            sigs[f"{folder}/{n}"] = signature(root / folder / n, listing[n])
    out.seeds = found["seeds"]
    out.registries = [f"facts/{name}" for name in REGISTRIES]
    out.facts = [p for p in found["facts"] if p.removeprefix("facts/") not in REGISTRIES]
    out.rules = found["checks/rules"] if (root / "checks" / "rules").is_dir() else []
    acks = root / ACKS
    if acks.exists() or acks.is_symlink():
        out.acks = ACKS
    for rel in [*out.registries, *([ACKS] if out.acks else [])]:
        sigs.setdefault(rel, signature(root / rel))
    out.sigs = {rel: sigs.get(rel) or signature(root / rel) for rel in out.paths}
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
