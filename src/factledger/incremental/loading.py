"""The load stage of an incremental run: read again only the input files that changed, store
what they hold, and say which inputs changed (the keys of :mod:`factledger.checks`).

Each file is read by the loader's own per-file functions (``load_source``, ``load_fact_file``,
``load_rules``, ``load_acks``), each into a scratch corpus, so the problems of every file are the
loader's, word for word. What joins files is redone here over the cache: a fact id repeated in
another file (the earlier file keeps it), a rule id repeated across rule files, a rule or a
derived fact's formula naming a fact id that appeared or disappeared, a facts file whose seed
changed. The problems are stored as units of the pseudo-check :data:`LOAD`, ordered as
``load_corpus`` gives them.

A change to ``factledger.toml`` or a registry (``facts/entities.yaml``, ``facts/metrics.yaml``)
changes what every file means: the cache starts over and everything is read ("cold").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factledger import table as fact_table
from factledger.checks import (
    Unit,
    fact_inputs,
    fact_order,
    in_source_key,
    pair_key,
    rank_of,
    rule_key,
    rule_order,
    source_key,
)
from factledger.checks.crosscheck import is_numeric
from factledger.incremental.inputs import ACKS, Inputs, digest, remembered
from factledger.incremental.store import Store, pack, unpack
from factledger.load import Corpus, Ignore
from factledger.load.corpus import (
    load_acks,
    load_fact_file,
    load_registries,
    load_source,
    warn_unread,
)
from factledger.load.ids import id_key
from factledger.load.relations import relation_qualifier_problems
from factledger.load.rules import Rule, derived_rules, load_rules
from factledger.load.settings import Settings
from factledger.model import Acknowledgement, Entity, Fact, Metric, Result, Source, input_problem

LOAD = "@load"  # the load stage's problems, stored like a check's units


@dataclass
class Loaded:
    """What the load stage found."""

    dirty: set[str]  # input keys an edit changed (fact:, source:, em:, rule:)
    entities: dict[str, Entity]
    metrics: dict[str, Metric]
    acks: list[Acknowledgement]
    changed: list[str]  # the input files whose content changed (or appeared, or went)
    corpus: Corpus | None = None  # everything, in memory, when everything was read
    cold: bool = False
    unreadable: set[str] = field(default_factory=set)


def _scratch(
    root: Path, settings: Settings, entities: dict | None = None, metrics: dict | None = None,
    sources: Any = None,
) -> Corpus:  # fmt: skip
    c = Corpus(root=root, settings=settings)
    c.entities = entities if entities is not None else {}
    c.metrics = metrics if metrics is not None else {}
    if sources is not None:
        c.sources = sources
    return c


def _same(a: Any, b: Any) -> bool:
    """Equal, and at the same lines (a fact's ``field_lines`` takes no part in ==)."""
    return a == b and getattr(a, "field_lines", None) == getattr(b, "field_lines", None)


class _Sources:
    """The sources a facts file may name: this run's re-read seeds, else the cache's."""

    def __init__(self, store: Store, fresh: dict[str, Source | None]) -> None:
        self.store, self.fresh = store, fresh
        self.memo: dict[str, Source | None] = {}

    def get(self, sid: str, default: Any = None) -> Source | None:
        if sid in self.fresh:
            return self.fresh[sid] or default
        if sid not in self.memo:
            row = self.store.conn.execute("SELECT blob FROM sources WHERE id = ?", (sid,))
            got = row.fetchone()
            self.memo[sid] = unpack(got[0]) if got else None
        return self.memo[sid] or default


class _Seen(dict):
    """The loader's ``seen`` (fact id key → where it first is), which also finds a key in the
    files the cache holds that come before the file being read, and records every key each
    file holds."""

    def __init__(self, store: Store | None, excluded: set[str]) -> None:
        super().__init__()
        self.store, self.excluded = store, excluded
        self.current = ""
        self.asked: dict[str, dict[str, str | None]] = defaultdict(dict)

    def __contains__(self, key: object) -> bool:
        assert isinstance(key, str)
        self.asked[self.current].setdefault(key, None)
        if dict.__contains__(self, key):
            return True
        if self.store is None:
            return False
        rows = self.store.conn.execute(
            "SELECT file, loc FROM fact_keys WHERE key = ? AND file < ? ORDER BY file",
            (key, self.current),
        ).fetchall()
        for file, loc in rows:
            if file not in self.excluded and loc is not None:
                dict.__setitem__(self, key, loc)
                return True
        return False

    def __setitem__(self, key: str, loc: str) -> None:
        self.asked[self.current][key] = loc
        dict.__setitem__(self, key, loc)


class _RecordingIds:
    """The fact ids a rule file or a formula asks about (``check_names`` only tests ``in``):
    whether each exists, and a record of which were asked."""

    def __init__(self, exists: Callable[[str], bool]) -> None:
        self.exists = exists
        self.asked: set[str] = set()

    def __contains__(self, fact_id: object) -> bool:
        assert isinstance(fact_id, str)
        self.asked.add(fact_id)
        return self.exists(fact_id)


@dataclass
class _FactFile:
    facts: list[Fact]
    ignores: list[Ignore]
    problems: list[Result]
    unreadable: bool
    source: str | None
    keys: dict[str, str | None]  # each fact id key the file holds → where, when it is first


class LoadStage:
    """One run's load stage over the cache (``cold``: the cache is empty and every file is read;
    ``corpus`` then gathers what the checks need, in memory)."""

    def __init__(
        self, store: Store, root: Path, settings: Settings, inputs: Inputs, cold: bool
    ) -> None:
        self.store, self.db = store, store.conn
        self.root, self.settings, self.inputs, self.cold = root, settings, inputs, cold
        self.dirty: set[str] = set()
        self.unreadable: dict[str, bool] = {}
        self.sources_of_files: dict[str, str | None] = {}
        self.corpus: Corpus | None = Corpus(root=root, settings=settings) if cold else None
        self.all_ids: set[str] = set()

    # units of the load stage

    def put(self, key: str, order: str, problems: Iterable[Result]) -> None:
        self.store.put_units(LOAD, [Unit(key, list(problems), order=order)], fresh=self.cold)

    def drop(self, keys: Iterable[str]) -> None:
        if not self.cold:
            self.store.put_units(LOAD, [], replace=keys)

    # seeds

    def seeds(self, changed: list[str]) -> dict[str, Source | None]:
        """Re-read changed seeds; the sources they give now (None: gone) by id."""
        fresh: dict[str, Source | None] = {}
        for rel in changed:
            for (sid,) in self.db.execute("SELECT id FROM sources WHERE file = ?", (rel,)):
                fresh.setdefault(sid, None)
            self.db.execute("DELETE FROM sources WHERE file = ?", (rel,))
            fresh.setdefault(Path(rel).stem, None)
            if rel not in self.inputs.sigs:  # removed
                self.drop([f"file:{rel}"])
                continue
            c = _scratch(self.root, self.settings)
            load_source(c, self.root / rel)
            for sid, src in c.sources.items():
                fresh[sid] = src
                self.db.execute("INSERT INTO sources VALUES (?, ?, ?)", (sid, rel, pack(src)))
            self.put(f"file:{rel}", "1" + rel, c.problems)
            self.unreadable[rel] = rel in c.unreadable
            if self.corpus is not None:
                self.corpus.sources.update(c.sources)
        self.dirty.update(source_key(sid) for sid in fresh)
        self.dirty.update(in_source_key(sid) for sid in fresh)
        return fresh

    # registries

    def registries(self) -> tuple[dict[str, Entity], dict[str, Metric]]:
        c = _scratch(self.root, self.settings)
        load_registries(c)
        for rel in self.inputs.registries:
            self.put(f"file:{rel}", "2" + rel, [p for p in c.problems if p.file == rel])
            self.unreadable[rel] = rel in c.unreadable
        self.store.set_meta("registries", (c.entities, c.metrics))
        if self.corpus is not None:
            self.corpus.entities, self.corpus.metrics = c.entities, c.metrics
        return c.entities, c.metrics

    # facts files

    def _read_facts(
        self, files: list[str], entities: dict, metrics: dict, sources: Any, excluded: set[str]
    ) -> dict[str, _FactFile | None]:
        seen = _Seen(None if self.cold else self.store, excluded)
        out: dict[str, _FactFile | None] = {}
        for rel in files:
            if rel not in self.inputs.sigs:
                out[rel] = None
                continue
            seen.current = rel
            c = _scratch(self.root, self.settings, entities, metrics, sources)
            named = load_fact_file(c, self.root / rel, seen)
            out[rel] = _FactFile(
                c.facts, c.ignores, c.problems, rel in c.unreadable, named, seen.asked[rel]
            )
        return out

    def facts(
        self, changed: list[str], entities: dict, metrics: dict, fresh: dict[str, Source | None]
    ) -> tuple[dict[str, Fact], dict[str, Fact]]:
        """Re-read the changed facts files, the files naming a changed seed and the files that
        share a fact id with them; the facts they held and hold now, by id."""
        sources: Any = self.corpus.sources if self.corpus is not None else _Sources(
            self.store, fresh
        )  # fmt: skip
        files = set(changed)
        if fresh and not self.cold:
            named = self.store.select_in("SELECT path FROM files WHERE source IN ({})", fresh)
            files.update(f for (f,) in named)
        order = sorted(files)
        read = self._read_facts(order, entities, metrics, sources, set(order))
        old: dict[str, Fact] = {}
        old_ignores: dict[str, list[Ignore]] = {}
        if not self.cold and order:
            # a file sharing a fact id with one of these may now keep or lose its fact (the
            # earlier file keeps it), or name another first place: read it again too
            keys = {k for (k,) in self.store.select_in(
                "SELECT key FROM fact_keys WHERE file IN ({})", order)}  # fmt: skip
            keys.update(k for got in read.values() if got for k in got.keys)
            others = {f for (f,) in self.store.select_in(
                "SELECT file FROM fact_keys WHERE key IN ({})", keys)} - files  # fmt: skip
            if others:
                order = sorted(files | others)
                read = self._read_facts(order, entities, metrics, sources, set(order))
            for (blob,) in self.store.select_in("SELECT blob FROM facts WHERE file IN ({})", order):
                f = unpack(blob)
                old[f.id] = f
            for file, blob in self.store.select_in(
                "SELECT file, blob FROM ignores WHERE file IN ({}) ORDER BY file, pos", order
            ):
                old_ignores.setdefault(file, []).append(unpack(blob))
            for table in ("facts", "qvals", "fact_keys", "ignores"):
                self.store.select_in(f"DELETE FROM {table} WHERE file IN ({{}})", order)
            self.drop([f"convert:{fid}" for fid in old])
        canonical, conversion = fact_table.canonicalize(
            [f for rel in order if (got := read[rel]) for f in got.facts], metrics
        )
        problems_of = defaultdict(list)
        for p in conversion:
            problems_of[p.fact_ids[0]].append(p)
        new = {f.id: f for f in canonical}
        fact_rows, key_rows, ignore_rows = [], [], []
        # the qualifier values of each fact: a ranking's entries are the facts naming it
        qval_rows = [(v, f.file, f.id) for f in canonical for v in {v for _, v in f.qualifiers}]
        for f in canonical:
            fact_rows.append((
                f.id, f.file, fact_order(f), f.source, pair_key(f.entity, f.metric), f.metric,
                is_numeric(f, metrics[f.metric].dimension), rank_of(f), pack(f),
            ))  # fmt: skip
            if problems_of[f.id]:
                self.put(f"convert:{f.id}", "9" + fact_order(f), problems_of[f.id])
        for rel in order:
            got = read[rel]
            if got is None:  # the file is gone
                self.drop([f"file:{rel}"])
                self.sources_of_files[rel] = None
                gone = old_ignores.get(rel, [])
                self.dirty.update(in_source_key(ig.source) for ig in gone)
                continue
            key_rows += [(k, rel, loc) for k, loc in got.keys.items()]
            ignore_rows += [(rel, i, ig.source, pack(ig)) for i, ig in enumerate(got.ignores)]
            self.put(f"file:{rel}", "3" + rel, got.problems)
            self.unreadable[rel] = got.unreadable
            self.sources_of_files[rel] = got.source
            if old_ignores.get(rel, []) != got.ignores:
                self.dirty.update(in_source_key(ig.source) for ig in old_ignores.get(rel, []))
                self.dirty.update(in_source_key(ig.source) for ig in got.ignores)
            if self.corpus is not None:
                self.corpus.ignores += got.ignores
        self.db.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", fact_rows)
        self.db.executemany("INSERT INTO fact_keys VALUES (?, ?, ?)", key_rows)
        self.db.executemany("INSERT INTO qvals VALUES (?, ?, ?)", qval_rows)
        self.db.executemany("INSERT INTO ignores VALUES (?, ?, ?, ?)", ignore_rows)
        for fid in set(old) | set(new):
            a, b = old.get(fid), new.get(fid)
            if a is not None and b is not None and _same(a, b):
                continue
            for f in (a, b):
                if f is not None:
                    self.dirty.update(fact_inputs(f))
        if self.corpus is not None:
            self.corpus.facts = canonical
            self.all_ids = set(new)
        count = 0 if self.cold else (self.store.meta("fact_count") or 0)
        self.store.set_meta("fact_count", count - len(old) + len(new))
        # the facts table's rows per metric (a claim in words has none): the table checks'
        # summaries count them without reading every fact
        rows: dict[str, int] = {} if self.cold else dict(self.store.meta("table_rows") or {})
        for sign, got in ((-1, old), (1, new)):
            for f in got.values():
                if fact_table.has_row(f):
                    rows[f.metric] = rows.get(f.metric, 0) + sign
        self.store.set_meta("table_rows", {m: n for m, n in sorted(rows.items()) if n})
        return old, new

    def relation_qualifiers(
        self, old: dict[str, Fact], new: dict[str, Fact], metrics: dict[str, Metric]
    ) -> None:
        """The registry's ``parts`` qualifiers against the qualifier keys facts use (the
        loader's ``check_relation_qualifiers``). The cache keeps how many facts of each metric
        with parts use each key, so an edit never reads the other facts; the problems are made
        again when the keys in use changed."""
        with_parts = {k for k, m in metrics.items() if m.parts}
        if not with_parts:
            return
        before: dict[str, dict[str, int]] = {}
        if not self.cold:
            before = self.store.meta("qualifier_keys") or {}
        counts = {m: dict(keys) for m, keys in before.items()}
        for sign, got in ((-1, old), (1, new)):
            for f in got.values():
                if f.metric in with_parts:
                    keys = counts.setdefault(f.metric, {})
                    for k, _ in f.qualifiers:
                        keys[k] = keys.get(k, 0) + sign
        counts = {m: {k: n for k, n in sorted(keys.items()) if n} for m, keys in counts.items()}
        counts = {m: keys for m, keys in sorted(counts.items()) if keys}
        self.store.set_meta("qualifier_keys", counts)
        if (
            not self.cold
            and counts.keys() == before.keys()
            and all(counts[m].keys() == before[m].keys() for m in counts)
        ):
            return  # the same keys in use: the same problems
        problems: list[Result] = []
        used = {m: set(keys) for m, keys in counts.items()}
        relation_qualifier_problems(metrics, used, problems)
        # after every facts file's problems, before the rule files' (load_corpus's order)
        self.put("relation-qualifiers", "3\uffff", problems)

    def fact_exists(self, fact_id: str) -> bool:
        if self.cold:
            return fact_id in self.all_ids
        row = self.db.execute("SELECT 1 FROM facts WHERE id = ?", (fact_id,)).fetchone()
        return row is not None

    # rules: the rule files, then the derived facts' implicit rules

    def rule_files(
        self, changed: list[str], appeared: set[str], entities: dict, metrics: dict
    ) -> list[Rule]:
        """Re-read the changed rule files and those naming a fact id that appeared or
        disappeared; then which rule keeps a repeated id (the first file's). The kept rules of
        the files read, in order."""
        files = set(changed)
        if not self.cold and appeared:
            files.update(o[5:] for (o,) in self.store.select_in(
                "SELECT owner FROM refs WHERE ref IN ({}) AND owner LIKE 'file:%'", appeared
            ))  # fmt: skip
        if not files:
            return []
        order = sorted(files)
        keys: set[str] = set()
        before: dict[str, tuple[str, Rule]] = {}
        if not self.cold:
            keys = {k for (k,) in self.store.select_in(
                "SELECT idkey FROM rules WHERE file IN ({}) AND derived = 0", order)}  # fmt: skip
            before = self._kept(keys)
            self.store.select_in("DELETE FROM rules WHERE file IN ({}) AND derived = 0", order)
            owners = [f"file:{f}" for f in order]
            self.store.select_in("DELETE FROM refs WHERE owner IN ({})", owners)
        rows, refs, read = [], [], []
        for rel in order:
            if rel not in self.inputs.sigs:
                self.drop([f"file:{rel}"])
                continue
            asked = _RecordingIds(self.fact_exists)
            unreadable: set[str] = set()
            rules, problems = load_rules(
                [self.root / rel], entities=set(entities), metrics=set(metrics), fact_ids=asked,
                root=self.root, limit=self.settings.max_yaml_bytes, unreadable=unreadable,
            )  # fmt: skip
            self.put(f"file:{rel}", "4" + rel, problems)
            self.unreadable[rel] = rel in unreadable
            refs += [(f"file:{rel}", a) for a in sorted(asked.asked)]
            for pos, rule in enumerate(rules):
                rows.append((rule.id, id_key(rule.id), rel, rule.line, pos, rule_order(rule),
                             0, 1, pack(rule)))  # fmt: skip
                keys.add(id_key(rule.id))
                read.append(rule)
        self.db.executemany("INSERT INTO rules VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self.db.executemany("INSERT INTO refs VALUES (?, ?)", refs)
        dropped = self._duplicates()
        if not self.cold:
            after = self._kept(keys)
            for k in keys:
                a, b = before.get(k), after.get(k)
                if a is None or b is None or a[0] != b[0] or not _same(a[1], b[1]):
                    self.dirty.update(rule_key(x[0]) for x in (a, b) if x is not None)
        return [r for r in read if (r.file, r.line, r.id) not in dropped]

    def _kept(self, keys: set[str]) -> dict[str, tuple[str, Rule]]:
        rows = self.store.select_in(
            "SELECT idkey, rid, blob FROM rules WHERE idkey IN ({}) AND kept = 1 AND derived = 0",
            keys,
        )
        return {k: (rid, unpack(blob)) for k, rid, blob in rows}

    def _duplicates(self) -> set[tuple[str, int, str]]:
        """Across rule files the first rule with an id keeps it; the others are problems (as
        ``load_rules`` reports them) and are left out."""
        first: dict[str, tuple[str, int]] = {}
        problems, dropped, flags = [], set(), []
        rows = self.db.execute(
            "SELECT rowid, rid, idkey, file, line, kept FROM rules WHERE derived = 0 "
            "ORDER BY file, pos"
        ).fetchall()
        for rowid, rid, key, file, line, was in rows:
            if key in first:
                where = f"{first[key][0]}:{first[key][1]}"
                problems.append(input_problem(
                    file, line, "id", f"duplicate rule id {rid!r} (also {where})", key=rid
                ))  # fmt: skip
                dropped.add((file, line, rid))
                keep = 0
            else:
                first[key] = (file, line)
                keep = 1
            if keep != was:
                flags.append((keep, rowid))
        self.db.executemany("UPDATE rules SET kept = ? WHERE rowid = ?", flags)
        self.store.put_units(LOAD, [Unit("rules-dup", problems, order="5")], fresh=self.cold)
        return dropped

    def derived(
        self, old: dict[str, Fact], new: dict[str, Fact], appeared: set[str], entities: dict,
        metrics: dict,
    ) -> list[Rule]:  # fmt: skip
        """The implicit rules of derived facts that changed, or whose formula names a fact id
        that appeared or disappeared."""
        if self.corpus is not None:
            targets = [f.id for f in self.corpus.facts]
        else:
            targets = [k[5:] for k in sorted(self.dirty) if k.startswith("fact:")]
            targets += [o[8:] for (o,) in self.store.select_in(
                "SELECT owner FROM refs WHERE ref IN ({}) AND owner LIKE 'derived:%'", appeared
            )]  # fmt: skip
        out: list[Rule] = []
        for fid in dict.fromkeys(targets):
            rid = f"derived:{fid}"
            before = None
            if not self.cold:
                row = self.db.execute(
                    "SELECT blob FROM rules WHERE rid = ? AND derived = 1", (rid,)
                ).fetchone()
                before = unpack(row[0]) if row else None
                self.db.execute("DELETE FROM rules WHERE rid = ? AND derived = 1", (rid,))
                self.db.execute("DELETE FROM refs WHERE owner = ?", (rid,))
                self.drop([rid])
            fact = new.get(fid)
            if fact is None and fid not in old and not self.cold:
                row = self.db.execute("SELECT blob FROM facts WHERE id = ?", (fid,)).fetchone()
                fact = unpack(row[0]) if row else None
            after = None
            if fact is not None and fact.kind == "derived" and fact.formula:
                asked = _RecordingIds(self.fact_exists)
                got, problems = derived_rules(
                    [fact], entities=set(entities), metrics=set(metrics), ids=asked
                )
                self.db.executemany(
                    "INSERT INTO refs VALUES (?, ?)", [(rid, a) for a in sorted(asked.asked)]
                )
                if problems:
                    self.put(rid, "6" + fact_order(fact), problems)
                for rule in got:
                    after = rule
                    out.append(rule)
                    self.db.execute(
                        "INSERT INTO rules VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?)",
                        (rule.id, id_key(rule.id), rule.file, rule.line, 0, rule_order(rule),
                         pack(rule)),
                    )  # fmt: skip
            if not _same(before, after):
                self.dirty.add(rule_key(rid))
        return out

    # acknowledgements, unread files

    def acks(self) -> list[Acknowledgement]:
        c = _scratch(self.root, self.settings)
        load_acks(c)
        rel = ACKS
        self.put(f"file:{rel}", "7", c.problems)
        self.unreadable[rel] = rel in c.unreadable
        self.store.set_meta("acks", c.acks)
        return c.acks

    def unread(self) -> None:
        c = _scratch(self.root, self.settings)
        warn_unread(c)
        self.put("unread", "8", c.problems)

    # the files table

    def remember_files(self, digests: dict[str, str], removed: set[str]) -> None:
        scanned = self.inputs.scanned_ns
        rows = [
            (rel, remembered(self.inputs.sigs[rel], scanned), d, self.unreadable.get(rel),
             self.sources_of_files.get(rel))
            for rel, d in digests.items()
        ]  # fmt: skip
        self.db.executemany(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
            "sig = excluded.sig, digest = excluded.digest",
            rows,
        )
        self.db.executemany(
            "UPDATE files SET unreadable = ? WHERE path = ?",
            [(v, rel) for rel, v in self.unreadable.items()],
        )
        self.db.executemany(
            "UPDATE files SET source = ? WHERE path = ?",
            [(v, rel) for rel, v in self.sources_of_files.items()],
        )
        self.store.select_in("DELETE FROM files WHERE path IN ({})", removed)


def load(
    store: Store, root: Path, settings: Settings, setting_problems: list[Result], inputs: Inputs
) -> Loaded:
    """Bring the cache's inputs up to date with the files; what changed."""
    db = store.conn
    stored = {p: (sig, d) for p, sig, d in db.execute("SELECT path, sig, digest FROM files")}
    digests: dict[str, str] = {}
    for rel in inputs.paths:
        sig = inputs.sigs[rel]
        known = stored.get(rel)
        if known is not None and sig and known[0] == sig:
            continue
        digests[rel] = digest(root, rel, settings)
    changed = {rel for rel, d in digests.items() if rel not in stored or stored[rel][1] != d}
    cold = (
        store.meta("loaded") is None
        or store.meta("settings") != repr(settings)
        or any(rel in changed for rel in inputs.registries)
    )
    if cold:
        store.clear()
        store.set_meta("settings", repr(settings))
        digests = {rel: digests.get(rel) or digest(root, rel, settings) for rel in inputs.paths}
        changed, stored = set(inputs.paths), {}
    removed = set(stored) - set(inputs.paths)
    touched = changed | removed
    stage = LoadStage(store, root, settings, inputs, cold)
    stage.put("settings", "0", setting_problems)
    fresh = stage.seeds(sorted(p for p in touched if p.startswith("seeds/")))
    if cold:
        entities, metrics = stage.registries()
    else:
        entities, metrics = store.meta("registries")
    registries = set(inputs.registries)
    facts_files = sorted(p for p in touched if p.startswith("facts/") and p not in registries)
    old, new = stage.facts(facts_files, entities, metrics, fresh)
    stage.relation_qualifiers(old, new, metrics)
    appeared = set(old) ^ set(new)
    rules_files = sorted(p for p in touched if p.startswith("checks/rules/"))
    rules = stage.rule_files(rules_files, appeared, entities, metrics)
    derived = stage.derived(old, new, appeared, entities, metrics)
    acks = stage.acks() if ACKS in touched else (store.meta("acks") or [])
    if cold or store.meta("unread") != inputs.others:  # a file appeared or went beside them
        stage.unread()
        store.set_meta("unread", inputs.others)
    stage.remember_files(digests, removed)
    if cold or rules_files or any(k.startswith("rule:") for k in stage.dirty):
        per = "SELECT derived, count(*) FROM rules WHERE kept = 1 GROUP BY derived"
        counts = dict(db.execute(per).fetchall())
        store.set_meta("rule_counts", (counts.get(0, 0), counts.get(1, 0)))
    store.set_meta("loaded", True)
    if stage.corpus is not None:
        stage.corpus.rules = [*rules, *derived]
        stage.corpus.acks = acks
    unreadable = {p for (p,) in db.execute("SELECT path FROM files WHERE unreadable = 1")}
    return Loaded(
        stage.dirty, entities, metrics, acks, sorted(touched), stage.corpus, cold, unreadable
    )
