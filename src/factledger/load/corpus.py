"""Read a corpus from disk: seeds, registries, facts, acknowledgements.

The loader owns files and line numbers; parsers (period, quantity) take strings. Every problem
becomes an ``input`` :class:`Result` located ``file:line: field``; nothing is raised for bad data
and one broken file never hides another. The fact schema is declared once, in ``FACT_FIELDS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from factledger.load import factfiles
from factledger.load import yamlnodes as yn
from factledger.load.factfields import (
    _check_fields,
    _claim,
    _count,
    _dates_in_order,
    _period_text,
    _str_list,
    _str_map,
    _text,
    _value_placed,
)
from factledger.load.factfiles import FactFile, FactId
from factledger.load.ids import id_problem
from factledger.load.relations import (
    check_entity_relations,
    check_relation_qualifiers,
    check_relations,
    entity_relation_fields,
    relation_fields,
)
from factledger.load.rules import (
    RULE_SUFFIXES,
    Rule,
    RuleFile,
    check_rule_files,
    derived_rules,
    read_rule_files,
    rule_files,
)
from factledger.load.settings import Settings, load_settings
from factledger.model import (
    ACK_VERDICTS,
    DIMENSIONS,
    KINDS,
    Acknowledgement,
    Entity,
    Fact,
    Metric,
    Period,
    Problems,
    Result,
    Source,
    did_you_mean,
    input_problem,
)
from factledger.period import PeriodError
from factledger.period import parse_period as _parse_period
from factledger.quantity import QuantityError
from factledger.quantity import parse_readings as _parse_readings

# Pure functions of their text, and the same figure comes from ~3 sources: parse each once.
# (Results are immutable; errors are not cached and are raised again.)
parse_readings = lru_cache(maxsize=1 << 16)(_parse_readings)
parse_period = lru_cache(maxsize=1 << 12)(_parse_period)


@dataclass(frozen=True)
class FieldSpec:
    required: bool
    type: str  # text | scalar | period | count | str-map | str-list | text-or-list
    help: str


# The one declaration of the fact format. Later features add fields here, never loosen the check.
FACT_FIELDS: dict[str, FieldSpec] = {
    "id": FieldSpec(True, "text", "unique id across the corpus"),
    "entity": FieldSpec(True, "text", "key of facts/entities.yaml"),
    "metric": FieldSpec(True, "text", "key of facts/metrics.yaml"),
    "qualifiers": FieldSpec(False, "str-map", "mapping distinguishing otherwise-identical keys"),
    "period": FieldSpec(True, "period", "2025Q3, 2025H1, FY2025, 2025-09, 2025-11-27 or A..B"),
    "value": FieldSpec(True, "scalar", "a whole number of the quote, e.g. 超過1.5億元"),
    "occurrence": FieldSpec(False, "count", "which match of the value in the quote (1-based)"),
    "claim": FieldSpec(False, "str-map", "a claim that is not one number (see Claim facts)"),
    "hedge": FieldSpec(False, "text", "hedge next to the value or shared by its enumeration"),
    "unit": FieldSpec(False, "text", "unit shared by an enumeration; must occur in the quote"),
    "kind": FieldSpec(True, "text", " | ".join(KINDS)),
    "stated": FieldSpec(False, "period", "when the claim was made; defaults to published"),
    "quote": FieldSpec(True, "text", "whole clauses of the source, verbatim"),
    "rounded_to": FieldSpec(False, "scalar", "visible rounding, e.g. 100億"),
    "period_text": FieldSpec(False, "text-or-list", "text(s) of the quote the period came from"),
    "derived_from": FieldSpec(False, "str-list", "ids of the facts a derived value uses"),
    "formula": FieldSpec(False, "text", "rule-language formula over derived_from ids"),
    "stated_by": FieldSpec(False, "text", "who made a projection (entity key or outlet)"),
    "note": FieldSpec(False, "text", "why: inferred periods, ambiguous readings"),
}
FACT_FILE_FIELDS = {"source", "facts", "ignore"}
IGNORE_FIELDS = {"mention": True, "reason": True, "context": False}
SOURCE_FIELDS = {
    "id": True,
    "title": True,
    "outlet": True,
    "language": True,
    "published": True,
    "published_basis": True,
    "curation": True,
    "origin": False,
    "url": False,
}
ENTITY_FIELDS = {"key": True, "names": True, "kind": True, "part_of": False, "member_of": False}
METRIC_FIELDS = {
    "key": True,
    "dimension": True,
    "unit": True,
    "series": True,
    "description": True,
    "names": False,
    # relations (docs/fact-format.md, "Relations"), instantiated as invariants
    "aggregation": False,
    "growth_of": False,
    "change_of": False,
    "basis": False,
    "subset_of": False,
    "part_of": False,
    "parts": False,
    "complete": False,
    "ratio_of": False,
    "per_period": False,
}
_BASE_FIELDS = ("key", "dimension", "unit", "series", "description", "names")
RELATION_FIELDS = tuple(k for k in METRIC_FIELDS if k not in _BASE_FIELDS)
ACK_FIELDS = {
    "id": True,
    "fingerprint": True,
    "verdict": True,
    "reason": True,
    "reviewer": True,
    "date": True,
}
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_\-.]*$")


@dataclass(frozen=True)
class Ignore:
    source: str
    mention: str
    reason: str
    context: str | None
    file: str
    line: int


@dataclass
class Corpus:
    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    ignores: list[Ignore] = field(default_factory=list)
    acks: list[Acknowledgement] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)  # checks/rules/*.yaml and derived facts'
    problems: list[Result] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every input file read, relative
    unreadable: set[str] = field(default_factory=set)  # files that could not be parsed at all
    settings: Settings = field(default_factory=Settings)  # the size caps ([limits])


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _read_yaml(corpus: Corpus, path: Path, probs: Problems) -> yn.Node | None:
    corpus.files.append(probs.file)
    node, unreadable = _parse_file(corpus, path, probs)
    if unreadable:
        corpus.unreadable.add(probs.file)
    return node


def _parse_file(corpus: Corpus, path: Path, probs: Problems) -> tuple[yn.Node | None, bool]:
    """The file's node tree (None when there is none), and whether it is unreadable. (Reads
    the corpus' settings and root only: a worker process calls it too.)"""
    try:
        text = yn.read(path, limit=corpus.settings.max_yaml_bytes, root=corpus.root)
        node, local = yn.parse(text)
    except yn.YamlProblem as exc:
        probs.add(exc.line, None, exc.message)
        return None, True
    for p in local:
        probs.add(p.line, None, p.message)
    if node is None:
        probs.add(1, None, "empty file")
        return None, True
    return node, False


# --- seeds -------------------------------------------------------------------------------------


# ``---`` lines open and close the front matter; a line may end in CRLF, and a UTF-8 byte-order
# mark may precede the first (editors on Windows write both).
_OPEN = re.compile(r"\ufeff?---\r?\n")
_CLOSE = re.compile(r"\n---\r?\n")


def split_front_matter(text: str) -> tuple[str, str] | None:
    """``---\\n<yaml>---\\n<body>`` → (yaml, body); the body is kept character for character
    (CRLF line ends included: quotes match it because comparisons fold whitespace). The YAML has
    its line ends as written too (YAML reads CRLF itself), so line numbers are unchanged."""
    start = _OPEN.match(text)
    if start is None:
        return None
    close = _CLOSE.search(text, start.end() - 1)  # an empty front matter closes right away
    if close is None:
        return None
    return text[start.end() : close.start() + 1], text[close.end() :]


def load_sources(corpus: Corpus) -> None:
    for path in sorted((corpus.root / "seeds").glob("*.md")):
        load_source(corpus, path)


def load_source(corpus: Corpus, path: Path) -> None:
    """One seed: its source (or its problems) into ``corpus``."""
    rel = _rel(corpus.root, path)
    probs = Problems(rel, corpus.problems)
    corpus.files.append(rel)
    try:
        text = yn.read(
            path,
            limit=corpus.settings.max_seed_bytes,
            root=corpus.root,
            setting="limits.max_seed_bytes",
        )
    except yn.YamlProblem as exc:
        probs.add(None, None, exc.message)
        corpus.unreadable.add(rel)
        return
    parts = split_front_matter(text)
    if parts is None:
        probs.add(1, None, "missing front matter (--- ... ---) before the body")
        corpus.unreadable.add(rel)
        return
    front, body = parts
    try:
        node, local = yn.parse(front)
    except yn.YamlProblem as exc:
        probs.add((exc.line or 0) + 1, None, exc.message)
        corpus.unreadable.add(rel)
        return
    for p in local:
        probs.add((p.line or 0) + 1, None, p.message)
    if not isinstance(node, yn.Map):
        probs.add(2, None, "front matter must be a mapping")
        corpus.unreadable.add(rel)
        return
    _shift_lines(node, 1)
    if not _check_fields(node, SOURCE_FIELDS, probs, "a source"):
        return
    vals = {
        k: _text(node.items[k], probs, k, any_scalar=True)
        for k in SOURCE_FIELDS
        if k in node.items and k != "origin"
    }
    if any(v is None for v in vals.values()):
        return
    if vals["id"] != path.stem:
        differs = f"{vals['id']!r} differs from file name {path.stem!r}"
        probs.add(node.key_lines["id"], "id", differs)
        return
    if vals["curation"] not in ("complete", "partial"):
        probs.add(node.key_lines["curation"], "curation", "must be complete or partial")
        return
    url = vals.get("url")
    if url is not None and not re.match(r"https?://[^\s]+$", url):
        probs.add(node.key_lines["url"], "url", f"{url!r} is not an http(s) address")
        return
    try:
        published = parse_period(vals["published"])
    except PeriodError as exc:
        probs.add(node.key_lines["published"], "published", str(exc))
        return
    corpus.sources[vals["id"]] = Source(
        id=vals["id"],
        title=vals["title"],
        body=body,
        outlet=vals["outlet"],
        language=vals["language"],
        published=published,
        published_basis=vals["published_basis"],
        curation=vals["curation"],
        file=rel,
        url=url,
        meta=yn.plain(node.items.get("origin")) or {},
    )


def _shift_lines(node: yn.Node, by: int) -> None:
    node.line += by
    if isinstance(node, yn.Map):
        node.key_lines = {k: v + by for k, v in node.key_lines.items()}
        for v in node.items.values():
            _shift_lines(v, by)
    elif isinstance(node, yn.Seq):
        for v in node.items:
            _shift_lines(v, by)


# --- registries --------------------------------------------------------------------------------


def _load_list(
    corpus: Corpus,
    rel: str,
    section: str,
    spec: dict[str, bool],
    build: Callable[[yn.Map, Problems], None],
) -> None:
    path = corpus.root / rel
    probs = Problems(rel, corpus.problems)
    if not path.exists() and not path.is_symlink():  # a dangling link is read, and said so
        probs.add(None, None, "missing registry file")
        corpus.unreadable.add(rel)
        return
    node = _read_yaml(corpus, path, probs)
    if node is None:
        return
    if not isinstance(node, yn.Map) or section not in node.items:
        probs.add(node.line, section, f"expected a mapping with a {section!r} list")
        return
    _check_fields(node, {section: True}, probs, "the registry")
    seq = node.items[section]
    if not isinstance(seq, yn.Seq):
        probs.add(seq.line, section, "expected a list")
        return
    for item in seq.items:
        if not isinstance(item, yn.Map):
            probs.add(item.line, section, "each entry must be a mapping")
            continue
        if _check_fields(item, spec, probs, _ENTRY_WORDS.get(section, "an entry")):
            build(item, probs)


_ENTRY_WORDS = {"entities": "an entity", "metrics": "a metric"}


def load_registries(corpus: Corpus) -> None:
    def entity(m: yn.Map, probs: Problems) -> None:
        key = _text(m.items["key"], probs, "key")
        names = _str_list(m.items["names"], probs, "names")
        kind = _text(m.items["kind"], probs, "kind")
        if key is None or names is None or kind is None:
            return
        if not KEY_RE.match(key):
            msg = f"{key!r}: use lower-case letters, digits, - _"
            probs.add(m.key_lines["key"], "key", msg, key=key)
        elif key in corpus.entities:
            probs.add(m.key_lines["key"], "key", f"duplicate entity {key!r}", key=key)
        else:
            corpus.entities[key] = Entity(
                key,
                tuple(names),
                kind,
                probs.file,
                m.line,
                field_lines=dict(m.key_lines),
                **entity_relation_fields(m, key, probs),
            )

    def metric(m: yn.Map, probs: Problems) -> None:
        vals = {
            k: _text(m.items[k], probs, k, any_scalar=True)
            for k in ("key", "dimension", "unit", "description")
        }
        series = m.items["series"]
        if not (isinstance(series, yn.Scalar) and series.kind == "bool"):
            probs.add(series.line, "series", "must be true or false")
            return
        vals["series"] = series.text.lower()
        names = _str_list(m.items.get("names"), probs, "names") or []
        if any(v is None for v in vals.values()):
            return
        key = vals["key"]
        if vals["dimension"] not in DIMENSIONS:
            probs.add(
                m.key_lines["dimension"],
                "dimension",
                f"{vals['dimension']!r} is not one of {', '.join(DIMENSIONS)}",
            )
        elif vals["series"] not in ("true", "false"):
            probs.add(m.key_lines["series"], "series", "must be true or false")
        elif not KEY_RE.match(key):
            msg = f"{key!r}: use lower-case letters, digits, - _"
            probs.add(m.key_lines["key"], "key", msg, key=key)
        elif key in corpus.metrics:
            probs.add(m.key_lines["key"], "key", f"duplicate metric {key!r}", key=key)
        else:
            corpus.metrics[key] = Metric(
                key,
                vals["dimension"],
                vals["unit"],
                vals["series"] == "true",
                vals["description"],
                tuple(names),
                probs.file,
                m.line,
                field_lines=dict(m.key_lines),
                **relation_fields(m, key, probs),
            )

    _load_list(corpus, "facts/entities.yaml", "entities", ENTITY_FIELDS, entity)
    check_entity_relations(corpus.entities, Problems("facts/entities.yaml", corpus.problems))
    _load_list(corpus, "facts/metrics.yaml", "metrics", METRIC_FIELDS, metric)
    check_relations(corpus.metrics, Problems("facts/metrics.yaml", corpus.problems))


# --- facts -------------------------------------------------------------------------------------


def load_facts(corpus: Corpus, *, workers: int = 1) -> list[RuleFile] | None:
    """Every facts file. With ``workers`` > 1 (where a worker process can run) a worker reads
    the rule files and the later facts files meanwhile — as many as make the two halves take
    about as long — and the rule files come back read, their references not yet checked
    (None otherwise). Either way the corpus is the same (:mod:`.factfiles`)."""
    paths = fact_files(corpus.root)
    rules_dir = corpus.root / "checks" / "rules"
    limit = corpus.settings.max_yaml_bytes
    read, read_rules = factfiles.read_split(
        paths,
        rule_files(rules_dir) if rules_dir.is_dir() else [],
        lambda path: read_fact_file(corpus, path),
        lambda: read_rule_files(rules_dir, corpus.root, limit),
        split=workers > 1,
    )
    factfiles.join(corpus, read)
    return read_rules


REGISTRIES = ("entities.yaml", "metrics.yaml")


def fact_files(root: Path) -> list[Path]:
    """The facts files of the corpus at ``root``, in the order they are read."""
    return [p for p in sorted((root / "facts").glob("*.yaml")) if p.name not in REGISTRIES]


def load_fact_file(corpus: Corpus, path: Path, seen: dict[str, str]) -> str | None:
    """One facts file read and joined into ``corpus`` (facts, ignore entries, problems); the
    source it names. ``seen``: the id key of every fact read before it (any file) → where it
    is; a repeated id is a problem and the later fact is left out (:func:`factfiles.join_file`)."""
    ff = read_fact_file(corpus, path)
    factfiles.join_file(corpus, ff, seen)
    return ff.source


def read_fact_file(corpus: Corpus, path: Path) -> FactFile:
    """One facts file against the corpus' sources and registries (which it does not change)."""
    found: list[Result | FactId] = []
    probs = Problems(_rel(corpus.root, path), found)  # type: ignore[arg-type]
    node, unreadable = _parse_file(corpus, path, probs)
    ff = FactFile(probs.file, found, [], unreadable)
    if node is None:
        return ff
    if not isinstance(node, yn.Map):
        probs.add(node.line, None, "expected a mapping {source: ..., facts: [...]}")
        return ff
    _check_fields(node, {"source": True, "facts": True, "ignore": False}, probs, "a facts file")
    source_id = _text(node.items.get("source"), probs, "source")
    ff.source = source_id
    source = corpus.sources.get(source_id) if source_id else None
    if source_id and source is None:
        probs.add(
            node.key_lines.get("source"),
            "source",
            f"unknown source {source_id!r} (no seeds/{source_id}.md)",
        )
    facts = node.items.get("facts")
    if facts is not None and not isinstance(facts, yn.Seq):
        probs.add(facts.line, "facts", "expected a list of facts")
    elif facts is not None:
        for item in facts.items:
            fact = _build_fact(corpus, item, source_id, source, probs)
            raw = item.items.get("id") if isinstance(item, yn.Map) else None
            if isinstance(raw, yn.Scalar) and raw.kind == "str":
                found.append(FactId(raw.text, raw.line, item.line, fact))
    ignore = node.items.get("ignore")
    if ignore is not None and source_id:
        _load_ignores(ff.ignores, ignore, source_id, probs)
    return ff


def _load_ignores(ignores: list[Ignore], node: yn.Node, source_id: str, probs: Problems) -> None:
    if not isinstance(node, yn.Seq):
        probs.add(node.line, "ignore", "expected a list")
        return
    for item in node.items:
        if not isinstance(item, yn.Map):
            probs.add(item.line, "ignore", "each entry must be a mapping")
            continue
        if not _check_fields(item, IGNORE_FIELDS, probs, "an ignore entry"):
            continue
        mention = _text(item.items["mention"], probs, "mention", any_scalar=True)
        reason = _text(item.items["reason"], probs, "reason")
        context = _text(item.items.get("context"), probs, "context", any_scalar=True)
        if mention and reason:
            ignores.append(Ignore(source_id, mention, reason, context, probs.file, item.line))


_FACT_REQUIRED = {k: s.required for k, s in FACT_FIELDS.items()}


def _build_fact(
    corpus: Corpus, node: yn.Node, source_id: str | None, source: Source | None, probs: Problems
) -> Fact | None:
    if not isinstance(node, yn.Map):
        probs.add(node.line, "facts", "each fact must be a mapping")
        return None
    fid_node = node.items.get("id")
    fid = fid_node.text if isinstance(fid_node, yn.Scalar) else f"<fact at line {node.line}>"
    ok = _check_fields(node, _FACT_REQUIRED, probs, "a fact", fid)
    vals: dict[str, object] = {}
    for name, spec in FACT_FIELDS.items():
        child = node.items.get(name)
        if child is None:
            continue
        if spec.type == "text":
            v = _text(child, probs, name, fid)
        elif spec.type == "scalar":
            v = _text(child, probs, name, fid, any_scalar=True)
        elif spec.type == "period":
            v = _period_text(child, probs, name, fid)
        elif spec.type == "count":
            v = _count(child, probs, name, fid)
        elif spec.type == "str-map":
            v = _str_map(child, probs, name, fid)
        else:
            v = _str_list(child, probs, name, fid)
        if v is None:
            ok = False
        elif isinstance(v, str) and not v.strip():
            probs.add(node.key_lines[name], name, "must not be empty", fid)
            ok = False
        vals[name] = v
    line = node.line

    def at(name: str) -> int:
        return node.key_lines.get(name, line)

    if "id" in vals and (why := id_problem(fid)):
        probs.add(at("id"), "id", why, fid)
        ok = False

    if "entity" in vals and vals["entity"] not in corpus.entities:
        more = did_you_mean(str(vals["entity"]), corpus.entities)
        probs.add(at("entity"), "entity", f"unknown entity {vals['entity']!r}{more}", fid)
        ok = False
    metric = corpus.metrics.get(str(vals.get("metric")))
    if "metric" in vals and metric is None:
        more = did_you_mean(str(vals["metric"]), corpus.metrics)
        probs.add(at("metric"), "metric", f"unknown metric {vals['metric']!r}{more}", fid)
        ok = False
    if "kind" in vals and vals["kind"] not in KINDS:
        probs.add(at("kind"), "kind", f"{vals['kind']!r} is not one of {', '.join(KINDS)}", fid)
        ok = False
    periods: dict[str, Period] = {}
    for name in ("period", "stated"):
        if vals.get(name) is not None:
            try:
                periods[name] = parse_period(vals[name])
            except PeriodError as exc:
                probs.add(at(name), name, str(exc), fid)
                ok = False
    if source is not None and not _dates_in_order(vals, periods, source, at, probs, fid):
        ok = False
    placeable = vals.get("quote") and vals.get("value") and vals.get("occurrence", 1) is not None
    if placeable and not _value_placed(vals, at, probs, fid):
        ok = False
    claim = None
    if vals.get("claim") is not None:
        claim = _claim(vals["claim"], corpus.metrics, at("claim"), probs, fid)  # type: ignore[arg-type]
        ok = ok and claim is not None
    if not ok or source is None or metric is None:
        return None
    period = periods["period"]
    interval = typical = None
    # a claim in words (創歷史新高, 顯著高於) has no number of its own; a rank or a count does
    if claim is None or claim.kind in ("rank", "count"):
        try:
            interval, typical = parse_readings(
                str(vals["value"]),
                dimension=metric.dimension,
                hedge=vals.get("hedge"),  # type: ignore[arg-type]
                unit=vals.get("unit"),  # type: ignore[arg-type]
                rounded_to=vals.get("rounded_to"),  # type: ignore[arg-type]
                year=period.start.year,
            )
        except QuantityError as exc:
            probs.add(at("value"), "value", f"cannot read {vals['value']!r}: {exc}", fid)
            return None
    period_text = vals.get("period_text")
    return Fact(
        id=fid,
        source=str(source_id),
        entity=str(vals["entity"]),
        metric=metric.key,
        period=period,
        value=str(vals["value"]),
        kind=str(vals["kind"]),
        quote=str(vals["quote"]),
        stated=periods.get("stated", source.published),
        file=probs.file,
        line=line,
        qualifiers=tuple(sorted((vals.get("qualifiers") or {}).items())),  # type: ignore[union-attr]
        hedge=vals.get("hedge"),  # type: ignore[arg-type]
        unit=vals.get("unit"),  # type: ignore[arg-type]
        rounded_to=vals.get("rounded_to"),  # type: ignore[arg-type]
        note=vals.get("note"),  # type: ignore[arg-type]
        period_text=tuple(period_text) if period_text else (),  # type: ignore[arg-type]
        derived_from=tuple(vals.get("derived_from") or ()),  # type: ignore[arg-type]
        formula=vals.get("formula"),  # type: ignore[arg-type]
        stated_by=vals.get("stated_by"),  # type: ignore[arg-type]
        occurrence=vals.get("occurrence"),  # type: ignore[arg-type]
        claim=claim,
        interval=interval,
        typical=typical,
        field_lines=dict(node.key_lines),
    )


# --- acknowledgements --------------------------------------------------------------------------


def load_acks(corpus: Corpus) -> None:
    path = corpus.root / "checks" / "acknowledged.yaml"
    if not path.exists() and not path.is_symlink():
        return
    rel = _rel(corpus.root, path)
    probs = Problems(rel, corpus.problems)
    node = _read_yaml(corpus, path, probs)
    if node is None:
        return
    if not isinstance(node, yn.Map) or "acknowledged" not in node.items:
        probs.add(node.line, None, "expected a mapping with an 'acknowledged' list")
        return
    seq = node.items["acknowledged"]
    if isinstance(seq, yn.Scalar) and seq.kind == "null":
        return
    if not isinstance(seq, yn.Seq):
        probs.add(seq.line, "acknowledged", "expected a list")
        return
    seen: set[str] = set()
    for item in seq.items:
        if not isinstance(item, yn.Map):
            probs.add(item.line, "acknowledged", "each entry must be a mapping")
            continue
        if not _check_fields(item, ACK_FIELDS, probs, "an acknowledgement"):
            continue
        vals = {k: _text(item.items[k], probs, k, any_scalar=True) for k in ACK_FIELDS}
        if any(v is None for v in vals.values()):
            continue
        if vals["verdict"] not in ACK_VERDICTS:
            probs.add(
                item.key_lines["verdict"],
                "verdict",
                f"{vals['verdict']!r} is not one of {', '.join(ACK_VERDICTS)}",
            )
            continue
        if vals["id"] in seen:
            probs.add(
                item.key_lines["id"], "id", f"{vals['id']!r} acknowledged twice", key=vals["id"]
            )
            continue
        seen.add(vals["id"])
        corpus.acks.append(Acknowledgement(file=rel, line=item.line, **vals))  # type: ignore[arg-type]


def load_corpus(root: Path, settings: Settings | None = None, *, workers: int = 1) -> Corpus:
    """The corpus at ``root``; ``settings`` (default: ``root``'s factledger.toml) gives the size
    caps of seeds and YAML files. ``workers`` > 1 reads the rule files and half of the facts
    files in a worker process (:func:`load_facts`)."""
    if settings is None:
        settings = load_settings(root)[0]  # its problems are the engine's to report
    corpus = Corpus(root=root, settings=settings)
    load_sources(corpus)
    load_registries(corpus)
    rule_files = load_facts(corpus, workers=workers)
    check_relation_qualifiers(corpus.metrics, corpus.facts, corpus.problems)
    load_rule_files(corpus, rule_files)
    load_acks(corpus)
    warn_unread(corpus)
    return corpus


# What the loader reads in each input folder (not its subfolders); anything else is named.
READ_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "seeds": ("seeds/*.md", (".md",)),
    "facts": ("facts/*.yaml", (".yaml",)),
    "checks/rules": ("checks/rules/*.yaml and *.yml", RULE_SUFFIXES),
}


# git's own files, which keep a folder in the repository (factledger init writes
# checks/rules/.gitkeep); they hold no data.
GIT_FILES = frozenset({".gitkeep", ".gitignore"})


def warn_unread(corpus: Corpus) -> None:
    """A warning for every file or subfolder of seeds/, facts/ and checks/rules/ the loader does
    not read: a fact file saved as .yml or a seed as .txt would otherwise be silently left out."""
    for folder, (pattern, suffixes) in READ_FILES.items():
        path = corpus.root / folder
        if not path.is_dir():
            continue
        for entry in sorted(path.iterdir()):
            if entry.suffix in suffixes or (entry.name in GIT_FILES and not entry.is_dir()):
                continue  # read (a folder named like a file is the reader's error)
            what = "a subfolder" if entry.is_dir() else "a file"
            corpus.problems.append(
                input_problem(
                    _rel(corpus.root, entry),
                    None,
                    None,
                    f"{what} the checks do not read: only {pattern} are read",
                    severity="warning",
                )
            )


def load_rule_files(corpus: Corpus, read: list[RuleFile] | None = None) -> None:
    """Rule files (``read`` already, or read here), then one implicit rule per derived fact
    with a formula."""
    entities, metrics = set(corpus.entities), set(corpus.metrics)
    folder = corpus.root / "checks" / "rules"
    if read is None:
        read = read_rule_files(folder, corpus.root, corpus.settings.max_yaml_bytes)
    rules, problems = check_rule_files(
        read, entities, metrics, {f.id for f in corpus.facts}, corpus.unreadable
    )
    if folder.is_dir():
        corpus.files.extend(_rel(corpus.root, p) for p in rule_files(folder))
    implicit, derived_problems = derived_rules(corpus.facts, entities=entities, metrics=metrics)
    corpus.rules = [*rules, *implicit]
    corpus.problems += [*problems, *derived_problems]
