"""Incremental runs: what a run learned is kept in the corpus's cache folder, and the next run
re-reads only the files that changed and re-runs only the parts of each check they touch.

:func:`run` is :func:`factledger.engine.run` with a cache: the same outcome (the same results,
ids, verdicts and fingerprints; a differential test holds it to that), computed from what
changed. A :class:`Session` keeps the cache open and the code warm between runs
(``factledger watch``).

Per check (``factledger.checks.Incremental``) the cache holds units — the results of one fact,
rule, source or entity-metric pair — with the inputs each depends on; a run marks the inputs an
edit changed (``fact:``, ``source:``, ``em:``, ``rule:`` keys, from :mod:`.loading`), re-runs the
units those reach and each check's summary, keeps the rest, and applies acknowledgements to the
findings. A check without an incremental path re-runs whole after any change; a check a run
skips (``--fast`` skips great-expectations) keeps the changes it has not seen for its next run.
Anything wrong with the cache is said once (``notice``) and the run goes on without it.
"""

from __future__ import annotations

import dataclasses
import gc
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from factledger import engine, fx
from factledger.checks import (
    Check,
    CheckContext,
    NeedsFullRun,
    Unit,
    default_checks,
)
from factledger.checks import crosscheck as cross
from factledger.incremental import inputs as inputs_
from factledger.incremental.lazy import (
    LazyList,
    LazyResults,
    LazySources,
    StoreLookup,
    StoreUnits,
)
from factledger.incremental.loading import LOAD, Loaded, load
from factledger.incremental.store import CacheError, Store, unpack
from factledger.load import Corpus
from factledger.load.settings import SETTINGS_FILE, Settings, load_settings
from factledger.model import RESULT_KINDS, Finding, Result

__all__ = ["CacheError", "Session", "run"]

Notice = Callable[[str], None]
SUMMARY = "="  # the unit holding a check's summary results and extras
WHOLE = "*"  # the one unit of a check without an incremental path


def _stderr(message: str) -> None:
    print(f"factledger: {message}", file=sys.stderr, flush=True)


def run(
    root: Path,
    *,
    expectations: bool = True,
    progress: engine.Progress | None = None,
    checks: Sequence[Check] | None = None,
    settings: dict[str, Any] | None = None,
    crosscheck: bool = True,
    notice: Notice = _stderr,
    materialize: bool = False,
) -> engine.Outcome:
    """:func:`factledger.engine.run` through the corpus's cache (``cache.cache_dir``).
    ``materialize``: read the whole outcome from the cache now, rather than as faces use it
    (a report needs all of it)."""
    session = Session(
        root, expectations=expectations, checks=checks, settings=settings,
        crosscheck=crosscheck, notice=notice,
    )  # fmt: skip
    return session.run(progress=progress, materialize=materialize)


class Session:
    """Runs of one corpus through its cache, kept open between them."""

    def __init__(
        self,
        root: Path,
        *,
        expectations: bool = True,
        checks: Sequence[Check] | None = None,
        settings: dict[str, Any] | None = None,
        crosscheck: bool = True,
        notice: Notice = _stderr,
    ) -> None:
        self.root = Path(root)
        chosen = list(default_checks() if checks is None else checks)
        self.checks = chosen if expectations else [c for c in chosen if not c.thorough]
        self.overrides = settings
        self.crosscheck = crosscheck
        self.notice = notice
        self.store: Store | None = None
        self.unusable = False  # the cache cannot be used: plain runs
        self.last_inputs: dict[str, str] = {}
        self.changed_files: list[str] = []  # what the last run found changed

    # watching

    def signatures(self) -> dict[str, str]:
        """Every input file's signature (``stat``), the settings file's too."""
        scan = inputs_.scan(self.root)
        return {**scan.sigs, SETTINGS_FILE: inputs_.signature(self.root / SETTINGS_FILE)}

    def changed(self) -> bool:
        """Whether an input file changed (appeared, went) since the last run."""
        return self.signatures() != self.last_inputs

    def close(self) -> None:
        """Close the cache (an outcome's lists not read by then cannot be read any more)."""
        if self.store is not None:
            self.store.close()
            self.store = None

    def warm(self) -> None:
        """Import what the checks would import on the first edit (a watch waits anyway)."""
        for check in self.checks:
            if check.incremental is not None and check.incremental.warm is not None:
                check.incremental.warm()

    # running

    def run(
        self, *, progress: engine.Progress | None = None, materialize: bool = False
    ) -> engine.Outcome:
        enabled = gc.isenabled()
        gc.disable()  # as engine.run: millions of small objects, no cycles worth collecting
        try:
            return self._run(progress, materialize)
        finally:
            if enabled:
                gc.enable()

    def _plain(self, progress: engine.Progress | None) -> engine.Outcome:
        before = self.last_inputs
        self.last_inputs = self.signatures()
        self.changed_files = sorted(
            p
            for p in set(before) | set(self.last_inputs)
            if before.get(p) != self.last_inputs.get(p)
        )
        return engine.run(
            self.root, checks=self.checks, settings=self.overrides, crosscheck=self.crosscheck,
            progress=progress,
        )  # fmt: skip

    def _open(self, settings: Settings) -> Store | None:
        if self.unusable:
            return None
        folder = settings.cache_dir
        if self.store is not None and self.store.folder.name == Path(folder).name:
            return self.store
        try:
            self.store, why = Store.open(self.root, folder)
        except CacheError as exc:
            self.notice(f"cache not used: {exc}")
            self.unusable = True
            return None
        if why is not None:
            self.notice(f"cache {self.store.path} discarded: {why}; checking everything")
        return self.store

    def _run(self, progress: engine.Progress | None, materialize: bool) -> engine.Outcome:
        settings, setting_problems = load_settings(self.root, self.overrides)
        store = self._open(settings)
        if store is None:
            return self._plain(progress)
        for attempt in (1, 2):
            try:
                outcome = self._cached(store, settings, setting_problems, progress)
                if materialize:
                    _materialize(outcome)
                return outcome
            except (sqlite3.DatabaseError, CacheError) as exc:
                if isinstance(exc, sqlite3.OperationalError) and not _corrupt(exc):
                    self.notice(f"cache not used: {exc}")  # locked, full, read-only: keep it
                    self.unusable = True
                    store.close()
                    return self._plain(progress)
                self.notice(f"cache {store.path} discarded: {exc}; checking everything")
                store.discard()
                self.store = None
                if attempt == 2:
                    break
                reopened = self._open(settings)
                if reopened is None:
                    return self._plain(progress)
                store = reopened
        self.unusable = True
        return self._plain(progress)

    def _cached(
        self,
        store: Store,
        settings: Settings,
        setting_problems: list[Result],
        progress: engine.Progress | None,
    ) -> engine.Outcome:
        say = progress or (lambda _s: None)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        with store.writing():
            fx.remember(store.rates())
            rates_before = set(fx.known_rates())
            say(engine.Stage("load"))
            scan = inputs_.scan(self.root)
            self.last_inputs = {
                **scan.sigs,
                SETTINGS_FILE: inputs_.signature(self.root / SETTINGS_FILE),
            }
            loaded = load(store, self.root, settings, setting_problems, scan)
            self.changed_files = [] if loaded.cold else loaded.changed
            timings["load"] = time.perf_counter() - t0
            lazy = _lazy_corpus(store, self.root, settings, loaded, scan)
            # (the table step ran in the load stage, for the facts it read)
            say(engine.Stage("table", _counts(lazy)))
            measure = self.crosscheck
            ctx = CheckContext(
                lazy, settings, measure, index=StoreLookup(store, loaded.metrics), per_unit=True
            )
            evaluation = _Evaluation(store, loaded, ctx, settings, measure, say, timings)
            extras = evaluation.run(self.checks)
            if self.crosscheck and any(c.cross_checks for c in self.checks):
                names = [c.name for c in self.checks if c.cross_checks]
                numeric = store.conn.execute(
                    "SELECT source, id FROM facts WHERE numeric = 1 ORDER BY ord"
                )
                extras["crosscheck"] = cross.tally(numeric, store.touched(names))
            new_rates = {k: v for k, v in fx.known_rates().items() if k not in rates_before}
            store.add_rates(new_rates)
            t1 = time.perf_counter()
            outcome = _assemble(store, self.checks, loaded, ctx, extras)
            timings["assemble"] = time.perf_counter() - t1
        store.snapshot()
        outcome.timings = timings
        outcome.extras = extras
        return outcome


# What SQLite says when the database is fine but cannot be used now (another run holds it, the
# disk is full or read-only): the cache is left alone. Any other error means it is damaged.
_UNUSABLE = ("locked", "busy", "readonly", "read-only", "unable to open", "disk", "full",
             "permission", "interrupt")  # fmt: skip


def _corrupt(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return not any(word in text for word in _UNUSABLE)


def _cacheable(check: Check) -> bool:
    """A check of factledger's own (whose code the cache's stamp covers); another module's
    check is re-run whole every time."""
    return getattr(check.run, "__module__", "").startswith("factledger.")


class _Evaluation:
    """The checks of one run over the cache."""

    def __init__(
        self,
        store: Store,
        loaded: Loaded,
        ctx: CheckContext,
        settings: Settings,
        measure: bool,
        say: engine.Progress,
        timings: dict[str, float],
    ) -> None:
        self.store, self.loaded, self.ctx = store, loaded, ctx
        self.settings, self.measure, self.say, self.timings = settings, measure, say, timings
        self._full: CheckContext | None = None

    def full_context(self) -> CheckContext:
        """The whole corpus in memory, for a check that re-runs whole (read from the cache when
        this run did not read every file)."""
        if self._full is None:
            corpus = self.loaded.corpus
            if corpus is None:
                corpus = _materialized_corpus(self.ctx.corpus)
            self._full = CheckContext(corpus, self.settings, self.measure, per_unit=True)
        return self._full

    def run(self, checks: Sequence[Check]) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        chosen = {c.name for c in checks}
        dirty = self.loaded.dirty
        counts = _counts(self.ctx.corpus)
        for i, check in enumerate(checks):
            t0 = time.perf_counter()
            done = [LOAD, *(c.name for c in checks[:i])]
            counts["results"] = self.store.select_in(
                "SELECT coalesce(sum(n), 0) FROM kinds WHERE chk IN ({})", done
            )[0][0]
            self.say(engine.Stage(check.name, counts))
            self._one(check, dirty)
            self.timings[check.name] = time.perf_counter() - t0
            got = self.store.unit_info(check.name, SUMMARY if check.incremental else WHOLE)
            if got:
                extras[check.name] = got
        if dirty:  # a check this run skips sees these changes when it runs next
            for name in self.store.checks():
                if name not in chosen:
                    pending = self.store.check_state(name) or set()
                    self.store.set_check_state(name, pending | dirty)
        return extras

    def _one(self, check: Check, dirty: set[str]) -> None:
        store, name, inc = self.store, check.name, check.incremental
        pending = store.check_state(name)
        full = self.loaded.cold or pending is None or not _cacheable(check)
        changed = dirty | (pending or set())
        unmeasured = (
            store.unmeasured(name, exclude=SUMMARY)
            if self.measure and check.cross_checks and not full
            else set()
        )
        if not full and not changed and not unmeasured:
            return  # nothing it reads changed: its units and summary stand
        done = False
        if not full and inc is not None:
            keys = set(inc.affected(changed, self.ctx.lookup))
            keys |= store.dependents(name, changed) | unmeasured
            try:
                units = inc.run_units(self.ctx, sorted(keys))
            except NeedsFullRun:
                pass
            else:
                store.put_units(name, units, by_id=inc.by_id, replace=keys, gather=True)
                done = True
        if not done:
            ctx = self.full_context()
            if inc is not None:
                units = inc.run_units(ctx, None)
            else:
                out = check.run(ctx)
                touched = frozenset(out.touched) if self.measure else None
                units = [Unit(WHOLE, out.results, frozenset({"*"}), touched, out.extras)]
            store.drop_check(name)
            by_id = inc.by_id if inc else False
            store.put_units(name, units, by_id=by_id, fresh=True, gather=inc is not None)
        if inc is not None and inc.summarize is not None:
            out = inc.summarize(self.ctx, StoreUnits(store, name, SUMMARY))
            summary = Unit(SUMMARY, out.results, info=out.extras or None, order="\uffff")
            store.put_units(name, [summary], replace=[SUMMARY])
        store.set_check_state(name, ())


def _counts(corpus: Corpus) -> dict[str, int]:
    """What a progress line shows of the corpus (its lists know their length unread)."""
    return {"facts": len(corpus.facts), "sources": len(corpus.sources),
            "rules": len(corpus.rules)}  # fmt: skip


def _lazy_corpus(
    store: Store, root: Path, settings: Settings, loaded: Loaded, scan: inputs_.Inputs
) -> Corpus:
    """The corpus as the cache holds it, read as far as a reader goes."""
    db = store.conn

    def count(sql: str) -> Callable[[], int]:
        return lambda: db.execute(sql).fetchone()[0]

    def rows(sql: str) -> Callable[[], list]:
        return lambda: [unpack(blob) for (blob,) in db.execute(sql).fetchall()]

    corpus = Corpus(root=root, settings=settings)
    corpus.entities, corpus.metrics, corpus.acks = loaded.entities, loaded.metrics, loaded.acks
    corpus.sources = LazySources(store)  # type: ignore[assignment]
    corpus.facts = LazyList(  # type: ignore[assignment]
        store, rows("SELECT blob FROM facts ORDER BY ord"), lambda: store.meta("fact_count")
    )
    corpus.ignores = LazyList(  # type: ignore[assignment]
        store, rows("SELECT blob FROM ignores ORDER BY file, pos"),
        count("SELECT count(*) FROM ignores"),
    )  # fmt: skip
    corpus.rules = LazyList(  # type: ignore[assignment]
        store, rows("SELECT blob FROM rules WHERE kept = 1 ORDER BY derived, ord"),
        count("SELECT count(*) FROM rules WHERE kept = 1"),
    )  # fmt: skip
    problems = (
        f"FROM results WHERE chk = '{LOAD}' AND key NOT LIKE 'convert:%' AND key != 'settings'"
    )
    corpus.problems = LazyList(  # type: ignore[assignment]
        store,
        rows(f"SELECT blob {problems} ORDER BY ord, pos"),
        count(f"SELECT count(*) {problems}"),
    )
    corpus.files = [p for p in scan.paths if scan.sigs[p] != "missing"]
    corpus.unreadable = set(loaded.unreadable)
    return corpus


def _materialized_corpus(lazy: Corpus) -> Corpus:
    """The lazy corpus read whole, as plain lists and dicts."""
    return dataclasses.replace(
        lazy,
        sources=dict(lazy.sources.items()),
        facts=list(lazy.facts),
        ignores=list(lazy.ignores),
        rules=list(lazy.rules),
        problems=list(lazy.problems),
    )


def _assemble(
    store: Store, checks: Sequence[Check], loaded: Loaded, ctx: CheckContext, extras: dict
) -> engine.Outcome:
    """The outcome: findings with acknowledgements applied, every result (read lazily)."""
    names = [LOAD, *(c.name for c in checks)]
    rank = {n: i for i, n in enumerate(names)}
    # two results never share an id (engine.normalized): repeats get #2, #3 in result order
    repeated = [r for (r,) in store.conn.execute("SELECT rid FROM rids WHERE n > 1")]
    renamed: dict[tuple[str, str, int], str] = {}
    if repeated:
        rows = store.select_in("SELECT chk, key, pos, ord, rid FROM results WHERE rid IN ({})",
                               repeated)  # fmt: skip
        rows = sorted((r for r in rows if r[0] in rank), key=lambda r: (rank[r[0]], r[3], r[2]))
        seen: Counter[str] = Counter()
        for chk, key, pos, _, rid in rows:
            seen[rid] += 1
            if seen[rid] > 1:
                renamed[chk, key, pos] = f"{rid}#{seen[rid]}"

    def result(chk: str, key: str, pos: int, blob: bytes) -> Result:
        r = unpack(blob)
        new_id = renamed.get((chk, key, pos))
        return r if new_id is None else dataclasses.replace(r, id=new_id)

    found = [
        result(*row)
        for row in store.select_in(
            "SELECT chk, key, pos, blob FROM results WHERE chk IN ({}) AND finding = 1", names
        )
    ]
    # a partial run (`coverage` runs one check) judges no acknowledgement of a kind it skipped
    ran = {k for c in checks for k in c.kinds}
    skipped = set(RESULT_KINDS) - {"input", "acknowledgement"} - ran
    acks = [a for a in loaded.acks if a.id.partition(":")[0] not in skipped]
    findings, ack_results = engine.apply_acknowledgements(found, acks)
    findings += [Finding(r, "open") for r in ack_results if r.is_finding]
    findings.sort(key=engine.finding_order)
    per_kind = "SELECT kind, sum(n) FROM kinds WHERE chk IN ({}) AND n > 0 GROUP BY kind"
    kinds = dict(sorted(store.select_in(per_kind, names)))
    for r in ack_results:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    total = sum(kinds.values())

    def read() -> list[Result]:
        rows = store.select_in(
            "SELECT chk, key, pos, ord, blob FROM results WHERE chk IN ({})", names
        )
        rows.sort(key=lambda r: (rank[r[0]], r[3], r[2]))
        return [result(c, k, p, b) for c, k, p, _, b in rows] + ack_results

    results = LazyResults(store, read, total, kinds)
    return engine.Outcome(ctx.corpus, ctx, results, findings, {}, extras)  # type: ignore[arg-type]


def _materialize(outcome: engine.Outcome) -> None:
    """Read every lazy list of the outcome now (inside the run's error handling)."""
    corpus = outcome.corpus
    for seq in (outcome.results, corpus.facts, corpus.ignores, corpus.rules, corpus.problems):
        if isinstance(seq, LazyList):
            seq.materialize()
    if isinstance(corpus.sources, LazySources):
        corpus.sources.materialize()
