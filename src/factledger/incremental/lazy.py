"""The cache seen as a corpus and a list of results, read only as far as a reader goes.

An incremental run must not build 100,000 facts and 150,000 results to print the few an edit
changed: :class:`StoreLookup` answers a check's partial run by key, and the outcome's long lists
(:class:`LazyList`, :class:`LazySources`) know their length at once and read their items from
the run's snapshot of the cache only when a face iterates them (a report, ``-v``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

from factledger.checks import pair_key
from factledger.incremental.store import CacheError, Store, unpack
from factledger.load import Ignore
from factledger.load.rules import Rule
from factledger.model import Fact, Metric, Source

T = TypeVar("T")


def _ordered(rows: Iterable[tuple[Any, bytes]]) -> list[Any]:
    """Decode ``(order, blob)`` rows in order."""
    return [unpack(blob) for _, blob in sorted(rows, key=lambda r: r[0])]


class StoreLookup:
    """:class:`factledger.checks.Lookup` over the cache (this run's state, written already)."""

    def __init__(self, store: Store, metrics: dict[str, Metric]) -> None:
        self.store, self.metrics = store, metrics

    def facts(self, ids: Iterable[str]) -> list[Fact]:
        return _ordered(self.store.select_in("SELECT ord, blob FROM facts WHERE id IN ({})", ids))

    def facts_of_sources(self, source_ids: Iterable[str]) -> list[Fact]:
        sql = "SELECT ord, blob FROM facts WHERE source IN ({})"
        return _ordered(self.store.select_in(sql, source_ids))

    def facts_of_pairs(self, pairs: Iterable[tuple[str, str]]) -> list[Fact]:
        keys = [pair_key(e, m) for e, m in pairs]
        return _ordered(
            self.store.select_in("SELECT ord, blob FROM facts WHERE pair IN ({})", keys)
        )

    def sources(self, source_ids: Iterable[str]) -> dict[str, Source]:
        rows = self.store.select_in("SELECT id, blob FROM sources WHERE id IN ({})", source_ids)
        return {sid: unpack(blob) for sid, blob in sorted(rows)}

    def ignores(self, source_ids: Iterable[str]) -> list[Ignore]:
        sql = "SELECT file, pos, blob FROM ignores WHERE source IN ({})"
        rows = self.store.select_in(sql, source_ids)
        return [unpack(blob) for _, _, blob in sorted(rows, key=lambda r: (r[0], r[1]))]

    def rules(self, rule_ids: Iterable[str]) -> list[Rule]:
        sql = "SELECT ord, blob FROM rules WHERE kept = 1 AND rid IN ({})"
        return _ordered(self.store.select_in(sql, rule_ids))

    def facts_of_metrics(self, metrics: Iterable[str]) -> list[Fact]:
        sql = "SELECT ord, blob FROM facts WHERE metric IN ({})"
        return _ordered(self.store.select_in(sql, metrics))

    def rankings(self) -> set[str]:
        rows = self.store.conn.execute(
            "SELECT DISTINCT ranking FROM facts WHERE ranking IS NOT NULL"
        )
        return {r for (r,) in rows}

    def facts_naming(self, values: Iterable[str]) -> list[Fact]:
        ids = [
            i for (i,) in self.store.select_in("SELECT id FROM qvals WHERE value IN ({})", values)
        ]
        return self.facts(ids)

    def rank_claims(self, rankings: Iterable[str]) -> list[Fact]:
        sql = "SELECT ord, blob FROM facts WHERE ranking IN ({})"
        return _ordered(self.store.select_in(sql, rankings))

    def row_count(self) -> int:
        return sum((self.store.meta("table_rows") or {}).values())

    def dimension_counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for metric, n in (self.store.meta("table_rows") or {}).items():
            m = self.metrics.get(metric)
            out[m.dimension if m else ""] += n
        return dict(out)

    def rule_counts(self) -> tuple[int, int]:
        return self.store.meta("rule_counts")


class StoreUnits:
    """:class:`factledger.checks.UnitsView` of one check's stored units (its summary aside)."""

    def __init__(self, store: Store, chk: str, summary: str) -> None:
        self.store, self.chk, self.summary = store, chk, summary

    def infos(self) -> Iterator[Any]:
        return self.store.unit_infos(self.chk)

    def result_count(self) -> int:
        return self.store.result_count(self.chk, exclude=self.summary)


class LazyList(Sequence[T]):
    """A list read from the cache on first use; its length is known without reading it."""

    def __init__(
        self, store: Store, read: Callable[[], list[T]], length: Callable[[], int]
    ) -> None:
        self._store, self._generation = store, store.generation
        self._read, self._length = read, length
        self._items: list[T] | None = None
        self._len: int | None = None

    def materialize(self) -> list[T]:
        if self._items is None:
            if self._store.generation != self._generation:
                raise CacheError("this outcome was replaced by a later run of the same cache")
            self._items = self._read()
        return self._items

    def __len__(self) -> int:
        if self._items is not None:
            return len(self._items)
        if self._len is None:
            self._len = self._length()
        return self._len

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> list[T]: ...

    def __getitem__(self, i: int | slice) -> T | list[T]:
        return self.materialize()[i]

    def __iter__(self) -> Iterator[T]:
        return iter(self.materialize())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    def __add__(self, other: Iterable[T]) -> list[T]:
        return [*self.materialize(), *other]

    def __repr__(self) -> str:
        shown = "not read yet" if self._items is None else f"{len(self._items)} read"
        return f"<{len(self)} items from the cache, {shown}>"


class LazyResults(LazyList):
    """The results of a run, with their count per kind known without reading them."""

    def __init__(
        self, store: Store, read: Callable[[], list], length: int, kinds: dict[str, int]
    ) -> None:
        super().__init__(store, read, lambda: length)
        self.kind_counts = kinds


class LazySources(Mapping[str, Source]):
    """``Corpus.sources`` from the cache: one source read when asked for, all when iterated."""

    def __init__(self, store: Store) -> None:
        self._store, self._generation = store, store.generation
        self._all: dict[str, Source] | None = None
        self._one: dict[str, Source | None] = {}

    def _check(self) -> None:
        if self._store.generation != self._generation:
            raise CacheError("this outcome was replaced by a later run of the same cache")

    def materialize(self) -> dict[str, Source]:
        if self._all is None:
            self._check()
            rows = self._store.conn.execute("SELECT file, id, blob FROM sources ORDER BY file")
            self._all = {sid: unpack(blob) for _, sid, blob in rows.fetchall()}
        return self._all

    def __getitem__(self, sid: str) -> Source:
        if self._all is not None:
            return self._all[sid]
        if sid not in self._one:
            self._check()
            row = self._store.conn.execute(
                "SELECT blob FROM sources WHERE id = ?", (sid,)
            ).fetchone()
            self._one[sid] = unpack(row[0]) if row else None
        got = self._one[sid]
        if got is None:
            raise KeyError(sid)
        return got

    def __iter__(self) -> Iterator[str]:
        return iter(self.materialize())

    def __len__(self) -> int:
        if self._all is not None:
            return len(self._all)
        self._check()
        return self._store.conn.execute("SELECT count(*) FROM sources").fetchone()[0]

    def __repr__(self) -> str:
        return f"<{len(self)} sources from the cache>"
