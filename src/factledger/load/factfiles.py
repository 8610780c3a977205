"""Facts files read one by one — in this process, or half of them in a worker process beside it —
then joined in file order, so the corpus is the same either way.

Reading a file never changes the corpus: :class:`FactFile` keeps its problems and its facts' ids
in the order they were found, and :func:`join` decides duplicate ids (and appends everything) in
file order, as reading them all in one process would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from factledger import workers as worker_pool
from factledger.load.ids import id_key
from factledger.model import Fact, Problems, Result

if TYPE_CHECKING:
    from factledger.load.corpus import Corpus, Ignore

T = TypeVar("T")


@dataclass
class FactId:
    """A fact's id as written (a text scalar), where, and the fact built from its entry (None
    when the entry has problems: its id still counts for duplicates)."""

    text: str
    line: int
    entry_line: int
    fact: Fact | None


@dataclass
class FactFile:
    """One facts file as read: its problems and its facts' ids in the order they were found,
    and its ignore entries."""

    rel: str
    found: list[Result | FactId]
    ignores: list[Ignore] = field(default_factory=list)
    unreadable: bool = False
    source: str | None = None  # the source id the file names (its ``source:``)


# Reading a byte of rule file costs about 2.5 times a byte of facts file (the expression parser).
_RULE_BYTE_COST = 2.5


def read_split(
    paths: list[Path],
    rule_paths: list[Path],
    read_file: Callable[[Path], FactFile],
    read_rules: Callable[[], T],
    *,
    split: bool,
) -> tuple[list[FactFile], T | None]:
    """Every facts file read, in order. With ``split`` (and a worker process available) a worker
    reads the rule files (``read_rules``) and the later facts files meanwhile — as many as make
    both processes take about as long — and the rules come back read; None otherwise."""
    cut = _halfway(paths, rule_paths) if split and len(paths) > 1 else 0
    if not cut or not worker_pool.available():
        return [read_file(p) for p in paths], None
    worker = worker_pool.Worker(lambda: ([read_file(p) for p in paths[cut:]], read_rules()))
    read = [read_file(p) for p in paths[:cut]]
    rules: Any = None
    try:
        theirs, rules = worker.result()
    except worker_pool.WorkerDied:  # read them here instead: slower, the same corpus
        theirs = [read_file(p) for p in paths[cut:]]
    return read + theirs, rules


def _halfway(paths: list[Path], rule_paths: list[Path]) -> int:
    """How many facts files this process reads so that it takes about as long as the worker
    reading the rest and the rule files (0: not worth splitting)."""
    try:
        sizes = [p.stat().st_size for p in paths]
        rules = sum(p.stat().st_size for p in rule_paths) * _RULE_BYTE_COST
    except OSError:
        return 0
    half, running = (sum(sizes) + rules) / 2, 0
    for i, size in enumerate(sizes):
        running += size
        if running >= half:
            return min(i + 1, len(paths) - 1)
    return len(paths) - 1


def join(corpus: Corpus, read: list[FactFile]) -> None:
    """The files' facts, problems and ignore entries into the corpus, in file order; an id seen
    before (compared as :func:`id_key`: NFKC, case folded) is a duplicate, the first one kept."""
    seen: dict[str, str] = {}
    for ff in read:
        join_file(corpus, ff, seen)


def join_file(corpus: Corpus, ff: FactFile, seen: dict[str, str]) -> None:
    """One file into the corpus; ``seen``: the id key of every fact joined before it → where it
    is (the incremental loader gives one that also knows the files it did not read again)."""
    corpus.files.append(ff.rel)
    if ff.unreadable:
        corpus.unreadable.add(ff.rel)
    probs = Problems(ff.rel, corpus.problems)
    for item in ff.found:
        if not isinstance(item, FactId):
            corpus.problems.append(item)
            continue
        key = id_key(item.text)
        if key in seen:
            probs.add(
                item.line,
                "id",
                f"duplicate fact id {item.text!r} (also at {seen[key]})",
                item.text,
            )
            continue
        seen[key] = f"{ff.rel}:{item.entry_line}"
        if item.fact is not None:
            corpus.facts.append(item.fact)
    corpus.ignores += ff.ignores
