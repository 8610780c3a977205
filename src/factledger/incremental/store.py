"""The incremental cache on disk: one SQLite database in the corpus's git-ignored cache folder.

SQLite (the standard library's) gives what a cache shared by a pre-commit hook and a ``watch``
needs: a transaction per run, so an interrupted run leaves the previous state whole; one writer
at a time; indexed look-ups, so a run reads only the facts and results an edit touched.

Objects are stored as pickles, each with a BLAKE2 checksum over it, and read back by an
unpickler that builds only factledger's own data classes (and dates and fractions): a file that
was altered, corrupted or written by something else never runs code, and a checksum that does
not match is a :class:`CacheError`. A database that is not ours (another application id), of
another format, written by another version of factledger or its libraries, or for another corpus
folder is discarded with a notice and rebuilt — never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import io
import json
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import factledger
from factledger.checks import Unit
from factledger.model import fingerprint

FORMAT = 3
APPLICATION_ID = 0x464C4331  # "FLC1"
DB_NAME = "cache.sqlite3"
# SQLite's files beside the database: removed with it when the cache is discarded
DB_FILES = (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", DB_NAME + "-journal")
# a run waits this long for another run (a watch, a hook) to finish writing
BUSY_SECONDS = 120
# the libraries whose code decides results (their files' dates stand for their versions)
LIBRARIES = ("yaml", "pandas", "pandera", "great_expectations", "currency_converter", "opencc",
             "cn2an")  # fmt: skip

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE files(path TEXT PRIMARY KEY, sig TEXT, digest TEXT, unreadable INTEGER,
                   source TEXT);
CREATE INDEX files_source ON files(source);
CREATE TABLE facts(id TEXT PRIMARY KEY, file TEXT, ord TEXT, source TEXT, pair TEXT,
                   metric TEXT, numeric INTEGER, ranking TEXT, blob BLOB);
CREATE INDEX facts_metric ON facts(metric);
CREATE INDEX facts_ranking ON facts(ranking) WHERE ranking IS NOT NULL;
CREATE INDEX facts_file ON facts(file);
CREATE INDEX facts_source ON facts(source);
CREATE INDEX facts_pair ON facts(pair);
CREATE INDEX facts_ord ON facts(ord);
CREATE TABLE qvals(value TEXT, file TEXT, id TEXT);
CREATE INDEX qvals_value ON qvals(value);
CREATE INDEX qvals_file ON qvals(file);
CREATE TABLE fact_keys(key TEXT, file TEXT, loc TEXT);
CREATE INDEX fact_keys_key ON fact_keys(key);
CREATE INDEX fact_keys_file ON fact_keys(file);
CREATE TABLE ignores(file TEXT, pos INTEGER, source TEXT, blob BLOB);
CREATE INDEX ignores_file ON ignores(file);
CREATE INDEX ignores_source ON ignores(source);
CREATE TABLE sources(id TEXT PRIMARY KEY, file TEXT, blob BLOB);
CREATE INDEX sources_file ON sources(file);
CREATE TABLE rules(rid TEXT, idkey TEXT, file TEXT, line INTEGER, pos INTEGER, ord TEXT,
                   derived INTEGER, kept INTEGER, blob BLOB);
CREATE INDEX rules_rid ON rules(rid);
CREATE INDEX rules_file ON rules(file);
CREATE INDEX rules_idkey ON rules(idkey);
CREATE TABLE refs(owner TEXT, ref TEXT);
CREATE INDEX refs_ref ON refs(ref);
CREATE INDEX refs_owner ON refs(owner);
CREATE TABLE units(chk TEXT, key TEXT, ord TEXT, measured INTEGER, touched BLOB, info BLOB,
                   PRIMARY KEY(chk, key));
CREATE TABLE deps(chk TEXT, key TEXT, dep TEXT);
CREATE INDEX deps_dep ON deps(dep, chk);
CREATE INDEX deps_unit ON deps(chk, key);
CREATE TABLE results(chk TEXT, key TEXT, pos INTEGER, ord TEXT, rid TEXT, kind TEXT,
                     finding INTEGER, blob BLOB);
CREATE INDEX results_unit ON results(chk, key);
CREATE INDEX results_rid ON results(rid, chk);
CREATE INDEX results_finding ON results(chk) WHERE finding = 1;
CREATE INDEX units_order ON units(chk, ord);
CREATE TABLE checks(chk TEXT PRIMARY KEY, pending BLOB);
CREATE TABLE rids(rid TEXT PRIMARY KEY, n INTEGER);
CREATE INDEX rids_repeated ON rids(n) WHERE n > 1;
CREATE TABLE kinds(chk TEXT, kind TEXT, n INTEGER, PRIMARY KEY(chk, kind));
CREATE TRIGGER results_in AFTER INSERT ON results BEGIN
  INSERT INTO rids VALUES (new.rid, 1) ON CONFLICT(rid) DO UPDATE SET n = n + 1;
  INSERT INTO kinds VALUES (new.chk, new.kind, 1) ON CONFLICT(chk, kind) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER results_out AFTER DELETE ON results BEGIN
  UPDATE rids SET n = n - 1 WHERE rid = old.rid;
  DELETE FROM rids WHERE rid = old.rid AND n <= 0;
  UPDATE kinds SET n = n - 1 WHERE chk = old.chk AND kind = old.kind;
END;
CREATE TABLE rates(key BLOB PRIMARY KEY, value BLOB);
CREATE TABLE gathered(chk TEXT PRIMARY KEY, blob BLOB);
"""
DATA_TABLES = ("files", "facts", "qvals", "fact_keys", "ignores", "sources", "rules", "refs",
               "units", "deps", "results", "checks", "rids", "kinds", "gathered")  # fmt: skip


class CacheError(Exception):
    """The cache cannot be trusted (corrupt, foreign, another version) or used (locked, a
    folder that cannot be written); the message says why, for the notice."""


# --- objects as checksummed pickles -----------------------------------------------------------

# Modules whose data classes the cache stores (facts, results and their payloads, rules and
# their expression trees, sources, ignore entries, settings).
_MODULES = frozenset({
    "factledger.model", "factledger.payloads", "factledger.expression", "factledger.load.rules",
    "factledger.load.corpus", "factledger.load.settings",
})  # fmt: skip
_OTHERS = {("datetime", "date"): date, ("fractions", "Fraction"): Fraction,
           ("builtins", "set"): set, ("builtins", "frozenset"): frozenset}  # fmt: skip


class _Unpickler(pickle.Unpickler):
    """Builds only factledger's data classes, dates, fractions and sets: nothing that runs
    code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _OTHERS:
            return _OTHERS[module, name]
        if module in _MODULES:
            cls = getattr(sys.modules.get(module), name, None)
            if isinstance(cls, type) and dataclasses.is_dataclass(cls):
                return cls
        raise CacheError(f"the cache holds an object it may not build ({module}.{name})")


def pack(obj: Any) -> bytes:
    """``obj`` as stored: an 8-byte BLAKE2 checksum, then its pickle."""
    blob = pickle.dumps(obj, protocol=5)
    return hashlib.blake2b(blob, digest_size=8).digest() + blob


def unpack(value: Any) -> Any:
    """What :func:`pack` stored, or :class:`CacheError`."""
    if not isinstance(value, bytes) or len(value) < 9:
        raise CacheError("a stored object is missing or not bytes")
    blob = value[8:]
    if hashlib.blake2b(blob, digest_size=8).digest() != value[:8]:
        raise CacheError("a stored object does not match its checksum")
    try:
        return _Unpickler(io.BytesIO(blob)).load()
    except CacheError:
        raise
    except Exception as exc:  # a checksum that matches corrupt data: still never trusted
        raise CacheError(f"a stored object cannot be read: {exc}") from None


def pack_info(info: Any) -> bytes:
    """A unit's ``info``: as JSON when it is plain data (read back several times faster than a
    pickle: a summary reads every unit's), else as :func:`pack` does; a checksum either way."""
    try:
        text = json.dumps(info, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        if json.loads(text) == info:
            blob = text.encode()
            return b"J" + hashlib.blake2b(blob, digest_size=8).digest() + blob
    except (TypeError, ValueError):
        pass
    return b"P" + pack(info)


def unpack_info(value: Any) -> Any:
    if not isinstance(value, bytes) or not value:
        raise CacheError("a stored summary is missing or not bytes")
    if value[:1] == b"P":
        return unpack(value[1:])
    blob = value[9:]
    if value[:1] != b"J" or hashlib.blake2b(blob, digest_size=8).digest() != value[1:9]:
        raise CacheError("a stored summary does not match its checksum")
    try:
        return json.loads(blob)
    except ValueError as exc:
        raise CacheError(f"a stored summary cannot be read: {exc}") from None


# --- what made the cache --------------------------------------------------------------------------


def _code_digest() -> str:
    """factledger's own code (each module's size and date) and the libraries that decide
    results (their package files' dates, as their versions), found without importing them."""
    h = hashlib.sha256()
    package = Path(factledger.__file__).parent
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        h.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec else None
        st_text = ""
        if origin and os.path.exists(origin):
            st = os.stat(origin)
            st_text = f"{st.st_size}:{st.st_mtime_ns}"
            if name == "currency_converter":  # the bundled rates themselves
                for data in sorted(Path(origin).parent.glob("*.zip")):
                    ds = data.stat()
                    st_text += f"|{data.name}:{ds.st_size}:{ds.st_mtime_ns}"
        h.update(f"{name}:{origin}:{st_text}\n".encode())
    return h.hexdigest()


def stamp(root: Path) -> dict[str, str]:
    """What a cache must have been made by, and for, to be used."""
    return {
        "factledger": factledger.__version__,
        "python": sys.version,
        "code": _code_digest(),
        "root": str(root.resolve()),
    }


def _stamp_mismatch(stored: dict[str, str], current: dict[str, str]) -> str | None:
    if stored.get("root") != current["root"]:
        return f"it was made for another corpus folder ({stored.get('root')})"
    if stored.get("factledger") != current["factledger"]:
        return f"it was made by factledger {stored.get('factledger')}"
    if stored != current:
        return "it was made by other code (factledger, Python or a library changed)"
    return None


# --- the database ---------------------------------------------------------------------------------


def cache_folder(root: Path, cache_dir: str) -> Path:
    """The cache folder of the corpus at ``root``: inside it, and outside the folders the loader
    reads (a cache there would be warned about as a file the checks do not read)."""
    base = root.resolve()
    folder = (base / cache_dir).resolve()
    if folder == base or not folder.is_relative_to(base):
        raise CacheError(f"cache.cache_dir {cache_dir!r} is not a folder inside the corpus")
    for inputs in ("seeds", "facts", "checks"):
        if folder.is_relative_to(base / inputs):
            raise CacheError(f"cache.cache_dir {cache_dir!r} is inside {inputs}/, which is read")
    return folder


class Store:
    """The open cache of one corpus. Every run writes in one transaction (:meth:`writing`);
    afterwards the store stays in a read snapshot of what it wrote (:meth:`snapshot`), from
    which an outcome's long lists (facts, results) are read when a face asks for them."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder = folder
        self.root = root
        self.path = folder / DB_NAME
        self.db: sqlite3.Connection | None = None
        self.generation = 0  # one more every run: lazy lists of an older run refuse to read
        # each check's units' infos, gathered in one value (a summary reads them all: one
        # value beats 18,000 rows); read on first use in a run, written back before it commits
        self._gathered: dict[str, dict[str, list]] = {}
        self._regather: set[str] = set()

    # opening, validating, discarding

    @classmethod
    def open(cls, root: Path, cache_dir: str) -> tuple[Store, str | None]:
        """The store of the corpus at ``root``, and a notice when an existing cache had to be
        discarded (why). :class:`CacheError` when no cache can be used at all."""
        store = cls(cache_folder(root, cache_dir), root)
        notice = store._open()
        return store, notice

    def _open(self) -> str | None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create {self.folder}: {exc.strerror or exc}") from None
        if not self.folder.is_dir():
            raise CacheError(f"{self.folder} is not a folder")
        self._mark_folder()
        if self.path.exists() and not self.path.is_file():
            raise CacheError(f"{self.path} is not a file")
        why = None
        try:
            why = self._connect()
        except sqlite3.DatabaseError as exc:
            why = f"it cannot be read ({exc})"
        except CacheError as exc:
            why = str(exc)
        if why is None:
            return None
        self.discard()
        try:
            again = self._connect()
        except (sqlite3.DatabaseError, CacheError) as exc:
            raise CacheError(f"cannot create {self.path}: {exc}") from None
        assert again is None
        return why

    def _connect(self) -> str | None:
        """Connect and check the database; the reason it cannot be trusted, or None."""
        self.db = sqlite3.connect(
            self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        db = self.db
        app = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app == 0 and version == 0 and tables == 0:
            self._create()
            return None
        if app != APPLICATION_ID:
            return "it is not a factledger cache"
        if version != FORMAT:
            return f"it is in another format ({version}, this factledger writes {FORMAT})"
        self._pragmas()
        stored = self.meta("stamp")
        if not isinstance(stored, dict):
            return "it does not say what made it"
        return _stamp_mismatch(stored, stamp(self.root))

    def _pragmas(self) -> None:
        assert self.db is not None
        # WAL: readers keep their snapshot while another run writes; NORMAL: no fsync per commit
        # (a power cut may lose the last run's cache, never corrupt it)
        with contextlib.suppress(sqlite3.DatabaseError):
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-65536")
        self.db.execute("PRAGMA temp_store=MEMORY")

    def _create(self) -> None:
        assert self.db is not None
        self._pragmas()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            statement = ""  # (executescript would commit first)
            for line in SCHEMA.splitlines(keepends=True):
                statement += line
                if sqlite3.complete_statement(statement):
                    self.db.execute(statement)
                    statement = ""
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.db.execute(f"PRAGMA user_version = {FORMAT}")
            self.set_meta("stamp", stamp(self.root))
            self.db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise

    def _mark_folder(self) -> None:
        """A .gitignore that ignores the folder whatever the corpus's own says, and the cache
        directory tag (backup tools skip the folder)."""
        marks = {
            ".gitignore": "# written by factledger: the incremental cache, never committed\n*\n",
            "CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This file is a cache directory tag created by factledger.\n",
        }
        for name, text in marks.items():
            path = self.folder / name
            if not path.exists():
                with contextlib.suppress(OSError):
                    path.write_text(text, encoding="utf-8")

    def discard(self) -> None:
        """Remove the database (only the files SQLite makes for it)."""
        self.close()
        for name in DB_FILES:
            with contextlib.suppress(FileNotFoundError):
                (self.folder / name).unlink()

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    # transactions

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One run's changes, all or none."""
        db = self.conn
        if db.in_transaction:  # the previous run's read snapshot
            db.execute("ROLLBACK")
        self.generation += 1
        self._gathered, self._regather = {}, set()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
            for chk in sorted(self._regather):
                db.execute(
                    "INSERT OR REPLACE INTO gathered VALUES (?, ?)",
                    (chk, pack_info(self._gathered[chk])),
                )
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            self._gathered, self._regather = {}, set()
            raise
        db.execute("COMMIT")

    def snapshot(self) -> None:
        """Hold a read snapshot of the state just written, for lazy lists read later."""
        db = self.conn
        db.execute("BEGIN")
        db.execute("SELECT 1 FROM meta LIMIT 1").fetchall()

    @property
    def conn(self) -> sqlite3.Connection:
        if self.db is None:
            raise CacheError("the cache is closed")
        return self.db

    def clear(self) -> None:
        """Forget every input and result (the stamp and fx rates stay)."""
        for table in DATA_TABLES:
            self.conn.execute(f"DELETE FROM {table}")
        self.conn.execute("DELETE FROM meta WHERE key != 'stamp'")

    # small values

    def meta(self, key: str) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else unpack(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, pack(value))
        )

    def rates(self) -> dict:
        """The exchange rates earlier runs looked up (:func:`factledger.fx.remember`)."""
        rows = self.conn.execute("SELECT key, value FROM rates")
        return {unpack(k): unpack(v) for k, v in rows}

    def add_rates(self, rates: dict) -> None:
        rows = [(pack(k), pack(v)) for k, v in rates.items()]
        self.conn.executemany("INSERT OR IGNORE INTO rates(key, value) VALUES (?, ?)", rows)

    # queries with many parameters

    def select_in(self, sql: str, values: Iterable[Any], extra: Sequence[Any] = ()) -> list[tuple]:
        """``sql`` with ``{}`` standing for a list of ``?`` placeholders, run over ``values`` in
        chunks (SQLite caps the number of parameters); the rows of every chunk."""
        values = list(dict.fromkeys(values))
        rows: list[tuple] = []
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows += self.conn.execute(sql.format(marks), (*chunk, *extra)).fetchall()
        return rows

    # units: a check's output in parts (factledger.checks.Unit), and the load stage's problems

    def _infos(self, chk: str) -> dict[str, list]:
        if chk not in self._gathered:
            row = self.conn.execute("SELECT blob FROM gathered WHERE chk = ?", (chk,)).fetchone()
            self._gathered[chk] = unpack_info(row[0]) if row is not None else {}
        return self._gathered[chk]

    def put_units(
        self, chk: str, units: Iterable[Unit], *, by_id: bool = False,
        replace: Iterable[str] = (), fresh: bool = False, gather: bool = False,
    ) -> None:  # fmt: skip
        """Store ``units`` of check ``chk`` in place of those with their keys or a key in
        ``replace`` (``fresh``: there are none to delete). ``gather``: their infos go into the
        check's gathered infos (:meth:`unit_infos`), not their own rows."""
        units = list(units)
        db = self.conn
        keys = {*replace, *(u.key for u in units)}
        if not fresh:
            pairs = [(chk, k) for k in keys]
            for table in ("units", "deps", "results"):
                db.executemany(f"DELETE FROM {table} WHERE chk = ? AND key = ?", pairs)
        gathered = self._infos(chk) if gather else None
        if gathered is not None:
            if fresh:
                gathered.clear()
            for k in keys:
                gathered.pop(k, None)
            self._regather.add(chk)
        unit_rows, dep_rows, result_rows = [], [], []
        for u in units:
            touched = pack(sorted(u.touched)) if u.touched is not None else None
            info = None
            if gathered is not None:
                if u.info is not None:
                    gathered[u.key] = [u.order, u.info]
            elif u.info is not None:
                info = pack_info(u.info)
            unit_rows.append((chk, u.key, u.order, u.touched is not None, touched, info))
            dep_rows += [(chk, u.key, d) for d in u.depends]
            for pos, r in enumerate(u.results):
                if not r.fingerprint:  # as engine.normalized gives it
                    r = dataclasses.replace(
                        r, fingerprint=fingerprint(r.kind, r.verdict, r.message, r.fact_ids)
                    )
                order = r.id if by_id else u.result_order(pos)
                result_rows.append((chk, u.key, pos, order, r.id, r.kind, r.is_finding, pack(r)))
        db.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?)", unit_rows)
        db.executemany("INSERT INTO deps VALUES (?, ?, ?)", dep_rows)
        db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)", result_rows)

    def drop_check(self, chk: str) -> None:
        for table in ("units", "deps", "results", "checks", "gathered"):
            self.conn.execute(f"DELETE FROM {table} WHERE chk = ?", (chk,))
        self._gathered.pop(chk, None)
        self._regather.discard(chk)

    def unit_infos(self, chk: str) -> Iterator[Any]:
        """The gathered infos of ``chk``'s units, in unit order."""
        return (info for _, info in sorted(self._infos(chk).values(), key=lambda v: v[0]))

    def unit_info(self, chk: str, key: str) -> Any:
        row = self.conn.execute(
            "SELECT info FROM units WHERE chk = ? AND key = ?", (chk, key)
        ).fetchone()
        return unpack_info(row[0]) if row is not None and row[0] is not None else None

    def result_count(self, chk: str, exclude: str = "") -> int:
        return self.conn.execute(
            "SELECT count(*) FROM results WHERE chk = ? AND key != ?", (chk, exclude)
        ).fetchone()[0]

    def dependents(self, chk: str, keys: Iterable[str]) -> set[str]:
        """The units of ``chk`` that depend on one of ``keys`` (or on anything: "*")."""
        keys = list(keys)
        if not keys:
            return set()
        rows = self.select_in(
            "SELECT key FROM deps WHERE dep IN ({}) AND chk = ?", [*keys, "*"], (chk,)
        )
        return {k for (k,) in rows}

    def unmeasured(self, chk: str, exclude: str = "") -> set[str]:
        """Units stored without their touched facts (a run that did not measure them)."""
        rows = self.conn.execute(
            "SELECT key FROM units WHERE chk = ? AND measured = 0 AND key != ?", (chk, exclude)
        )
        return {k for (k,) in rows}

    def touched(self, chks: Sequence[str]) -> set[str]:
        out: set[str] = set()
        rows = self.select_in(
            "SELECT touched FROM units WHERE chk IN ({}) AND touched IS NOT NULL", chks
        )
        for (blob,) in rows:
            out.update(unpack(blob))
        return out

    # checks: which ones the cache holds, and the changes a skipped one has not seen

    def check_state(self, chk: str) -> set[str] | None:
        """The input keys changed since ``chk`` last ran, or None when it never ran."""
        row = self.conn.execute("SELECT pending FROM checks WHERE chk = ?", (chk,)).fetchone()
        return None if row is None else set(unpack(row[0]))

    def set_check_state(self, chk: str, pending: Iterable[str]) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO checks(chk, pending) VALUES (?, ?)",
            (chk, pack(sorted(pending))),
        )

    def checks(self) -> list[str]:
        return [c for (c,) in self.conn.execute("SELECT chk FROM checks")]
