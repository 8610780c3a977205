"""Relations declared in the registries.

Between metrics in the metric registry (``facts/metrics.yaml``): each relation field of a metric
entry read and checked for its type (:func:`relation_fields`, called by the registry's
``metric()`` builder in :mod:`factledger.load.corpus`), then the relations checked together —
targets that exist and fit, no cycle (:func:`check_relations`) — and against the facts: a ``parts``
qualifier that is a typo (:func:`check_relation_qualifiers`). Every problem is a located input
problem; a relation with a problem is dropped, the metric kept. ``checks/invariants`` instantiates
what remains. Fields and meanings: docs/fact-format.md, "The metric registry and its relations".

Between entities in the entity registry (``facts/entities.yaml``): ``part_of`` (a product, unit
or segment of a company) and ``member_of`` (a model or version of a series), read by
:func:`entity_relation_fields` and checked together by :func:`check_entity_relations` — a target
that is a registered entity, not the entity itself, no chain that leads back to its start.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re
from collections.abc import Iterable
from graphlib import CycleError, TopologicalSorter

from factledger.load import yamlnodes as yn
from factledger.model import (
    AGGREGATIONS,
    GROWTH_BASES,
    PER_PERIODS,
    Entity,
    Fact,
    Metric,
    Problems,
    Result,
    did_you_mean,
)


def _words(node: yn.Node) -> list[str] | None:
    """A scalar text or a list of them."""
    if isinstance(node, yn.Scalar) and node.kind == "str":
        return [node.text]
    if isinstance(node, yn.Seq) and all(
        isinstance(n, yn.Scalar) and n.kind == "str" for n in node.items
    ):
        return [n.text for n in node.items]
    return None


_QUALIFIER_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def relation_fields(m: yn.Map, key: str, probs: Problems) -> dict[str, object]:
    """The relation fields of one metric entry, each checked for its type; a field with a problem
    is left out (and said), the others kept."""
    out: dict[str, object] = {}

    def add(name: str, message: str) -> None:
        probs.add(m.key_lines[name], name, message, key=key)

    def word(name: str, allowed: tuple[str, ...] | None = None) -> str | None:
        node = m.items.get(name)
        if node is None:
            return None
        if not (isinstance(node, yn.Scalar) and node.kind == "str" and node.text.strip()):
            add(name, "expected " + ("one of " + ", ".join(allowed) if allowed else "a metric key"))
            return None
        if allowed is not None and node.text not in allowed:
            add(name, f"{node.text!r} is not one of {', '.join(allowed)}")
            return None
        return node.text

    for name, allowed in (
        ("aggregation", AGGREGATIONS),
        ("basis", tuple(GROWTH_BASES)),
        ("per_period", tuple(PER_PERIODS)),
        ("growth_of", None),
        ("change_of", None),
        ("subset_of", None),
        ("part_of", None),
    ):
        value = word(name, allowed)
        if value is not None:
            out[name] = value
    if "parts" in m.items:
        parts = _words(m.items["parts"])
        if parts is None:
            add("parts", "expected a qualifier key or a list of them")
        bad = [p for p in parts or [] if not _QUALIFIER_KEY.match(p)]
        if bad:
            add("parts", f"{bad[0]!r} is not a qualifier key")
        elif parts:
            out["parts"] = tuple(parts)
    if "complete" in m.items:
        node = m.items["complete"]
        if isinstance(node, yn.Scalar) and node.kind == "bool":
            out["complete"] = node.text.lower() == "true"
        else:
            add("complete", "must be true or false")
    if "ratio_of" in m.items:
        node = m.items["ratio_of"]
        spec = {"numerator", "denominator"}
        if not isinstance(node, yn.Map) or set(node.items) != spec:
            add("ratio_of", "expected a mapping {numerator: <metric>, denominator: <metric>}")
        else:
            sides = [node.items[k] for k in ("numerator", "denominator")]
            if all(isinstance(n, yn.Scalar) and n.kind == "str" for n in sides):
                out["ratio_of"] = (sides[0].text, sides[1].text)
            else:
                add("ratio_of", "numerator and denominator are metric keys")
    # fields that only mean something together
    for name, needs in (
        ("basis", ("growth_of", "change_of")),
        ("parts", ("part_of",)),
        ("complete", ("part_of",)),
        ("per_period", ("ratio_of",)),
    ):
        if name in m.items and not any(n in m.items for n in needs):
            add(name, f"only meaningful with {' or '.join(needs)}")
            out.pop(name, None)
    for name, needs in (("growth_of", "basis"), ("change_of", "basis"), ("part_of", "parts")):
        if name in out and needs not in m.items:
            add(name, f"needs {needs!r} too")
            out.pop(name)
    return out


# What each relation needs of the metrics it names: (this metric's dimensions, the target's).
_RELATION_DIMENSIONS: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...] | None]] = {
    "growth_of": (("growth",), None),
    "change_of": (("share-change",), ("share",)),
}


def check_relations(metrics: dict[str, Metric], probs: Problems) -> None:
    """Targets exist and fit (dimensions), and no chain of relations leads back to its start. A
    relation with a problem is dropped, so no invariant is built from it."""
    drop: dict[str, set[str]] = {}

    def bad(metric: Metric, name: str, message: str) -> None:
        probs.add(metric.field_lines.get(name, metric.line), name, message, key=metric.key)
        drop.setdefault(metric.key, set()).add(name)

    edges: dict[str, set[str]] = {}
    for metric in metrics.values():
        targets = [
            (n, getattr(metric, n)) for n in ("growth_of", "change_of", "subset_of", "part_of")
        ]
        if metric.ratio_of:
            targets += [("ratio_of", t) for t in metric.ratio_of]
        for name, target in targets:
            if target is None:
                continue
            other = metrics.get(target)
            if other is None:
                bad(metric, name, f"unknown metric {target!r}{did_you_mean(target, metrics)}")
                continue
            mine, theirs = _RELATION_DIMENSIONS.get(name, (None, None))
            if name in ("subset_of", "part_of") and other.dimension != metric.dimension:
                bad(
                    metric,
                    name,
                    f"{target!r} is {other.dimension}, {metric.key!r} is {metric.dimension}: "
                    "a part or subset has its whole's dimension",
                )
            elif mine is not None and metric.dimension not in mine:
                bad(metric, name, f"{metric.key!r} is {metric.dimension}, not {mine[0]}")
            elif theirs is not None and other.dimension not in theirs:
                bad(metric, name, f"{target!r} is {other.dimension}, not {theirs[0]}")
            elif name == "growth_of" and other.dimension in ("growth", "share-change"):
                bad(metric, name, f"{target!r} is itself a change ({other.dimension})")
            elif target != metric.key:  # a metric's segments are parts of itself
                edges.setdefault(metric.key, set()).add(target)
            elif name != "part_of":
                bad(metric, name, f"{metric.key!r} cannot relate to itself this way")
        if metric.per_period and metric.ratio_of is None:
            bad(metric, "per_period", "only meaningful with ratio_of")
    try:
        TopologicalSorter(edges).prepare()
    except CycleError as exc:
        cycle = list(exc.args[1])
        first = metrics[cycle[0]]
        relation_names = ("subset_of", "part_of", "growth_of", "change_of", "ratio_of")
        field_name = next((n for n in relation_names if n in first.field_lines), None)
        bad(first, field_name or "key", "relations form a cycle: " + " → ".join(cycle))
    for key, names in drop.items():
        m = metrics[key]
        cleared: dict[str, object] = {n: None for n in names if n not in ("parts", "complete")}
        if "ratio_of" in names:
            cleared["per_period"] = None
        if "part_of" in names:
            cleared.update(parts=(), complete=False)
        metrics[key] = dataclasses.replace(m, **cleared)  # type: ignore[arg-type]


def check_relation_qualifiers(
    metrics: dict[str, Metric], facts: Iterable[Fact], problems: list[Result]
) -> None:
    """A ``parts`` qualifier that no fact of its metric carries, while a close one does, is a
    typo (``segmnet`` for ``segment``): said at the line of ``parts``. One that is merely unused
    yet (a registry written before its facts) instantiates nothing and is not a problem."""
    relation_qualifier_problems(metrics, used_qualifiers(facts), problems)


def used_qualifiers(facts: Iterable[Fact]) -> dict[str, set[str]]:
    """Each metric's qualifier keys, as its facts use them."""
    used: dict[str, set[str]] = {}
    for f in facts:
        used.setdefault(f.metric, set()).update(k for k, _ in f.qualifiers)
    return used


def relation_qualifier_problems(
    metrics: dict[str, Metric], used: dict[str, set[str]], problems: list[Result]
) -> None:
    """:func:`check_relation_qualifiers` from the qualifier keys facts use (the incremental
    cache keeps them without reading every fact)."""
    probs = Problems("facts/metrics.yaml", problems)
    for metric in metrics.values():
        for q in metric.parts:
            known = sorted(used.get(metric.key, ()))
            hint = difflib.get_close_matches(q, known, n=1)
            if q not in known and hint:
                probs.add(
                    metric.field_lines.get("parts", metric.line),
                    "parts",
                    f"unknown qualifier {q!r}: no fact of {metric.key!r} has it "
                    f"(did you mean {hint[0]!r}?)",
                    key=metric.key,
                )


# --- entity relations ---------------------------------------------------------------------------

ENTITY_RELATIONS = ("part_of", "member_of")


def entity_relation_fields(m: yn.Map, key: str, probs: Problems) -> dict[str, str]:
    """``part_of`` / ``member_of`` of one entity entry: each an entity key (checked against the
    registry once it is whole, by :func:`check_entity_relations`)."""
    out: dict[str, str] = {}
    for name in ENTITY_RELATIONS:
        node = m.items.get(name)
        if node is None:
            continue
        if isinstance(node, yn.Scalar) and node.kind == "str" and node.text.strip():
            out[name] = node.text.strip()
        else:
            probs.add(m.key_lines[name], name, "expected an entity key", key=key)
    return out


def check_entity_relations(entities: dict[str, Entity], probs: Problems) -> None:
    """Each relation names another registered entity, and no chain of them (parts and members
    together) leads back to its start. A relation with a problem is dropped, the entity kept."""
    drop: dict[str, set[str]] = {}

    def bad(entity: Entity, name: str, message: str) -> None:
        probs.add(entity.field_lines.get(name, entity.line), name, message, key=entity.key)
        drop.setdefault(entity.key, set()).add(name)

    edges: dict[str, set[str]] = {}
    for entity in entities.values():
        for name in ENTITY_RELATIONS:
            target = getattr(entity, name)
            if target is None:
                continue
            if target == entity.key:
                bad(entity, name, f"{entity.key!r} cannot be {name.replace('_', ' ')} itself")
            elif target not in entities:
                bad(entity, name, f"unknown entity {target!r}{did_you_mean(target, entities)}")
            else:
                edges.setdefault(entity.key, set()).add(target)
    while True:  # every cycle said once, by an entry on it
        try:
            TopologicalSorter(edges).prepare()
            break
        except CycleError as exc:
            cycle = list(exc.args[1])
            pairs = list(itertools.pairwise(cycle)) + [(b, a) for a, b in itertools.pairwise(cycle)]
            here, target = next((a, b) for a, b in pairs if b in edges.get(a, ()))
            entity = entities[here]
            name = next(n for n in ENTITY_RELATIONS if getattr(entity, n) == target)
            path = " → ".join(_cycle_from(here, edges))
            bad(entity, name, f"entity relations form a cycle: {path}")
            edges[here].discard(target)
    for key, names in drop.items():
        entities[key] = dataclasses.replace(entities[key], **{n: None for n in names})


def ancestors(
    entities: dict[str, Entity], key: str, relation: str | tuple[str, ...] = ENTITY_RELATIONS
) -> list[str]:
    """The entities ``key`` is, through ``relation`` (by default either), a part or member of,
    nearest first: a model of Kling is within Kling, and so within Kuaishou."""
    names = (relation,) if isinstance(relation, str) else relation
    out: list[str] = []
    todo = [key]
    while todo:
        entity = entities.get(todo.pop(0))
        for name in names:
            target = getattr(entity, name) if entity is not None else None
            if target is not None and target != key and target not in out:
                out.append(target)
                todo.append(target)
    return out


def _cycle_from(start: str, edges: dict[str, set[str]]) -> list[str]:
    """The cycle through ``start`` along the relations, written from ``start`` back to it."""
    path, seen, node = [start], {start}, start
    while True:
        nxt = sorted(edges.get(node, ()))
        step = next((n for n in nxt if n == start), None) or next(
            (n for n in nxt if n not in seen), None
        )
        if step is None:
            return path
        path.append(step)
        if step == start:
            return path
        seen.add(step)
        node = step


def member_view(
    entity: str, qualifiers: tuple[tuple[str, str], ...], entities: dict[str, Entity]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Who a fact is about, for the entity relations: its entity, or — as curators often record a
    model as a qualifier of its product (``entity: kling``, ``model: kling-2.0-master``) — the
    registered member its ``model`` qualifier names, with the remaining qualifiers."""
    model = dict(qualifiers).get("model")
    if model is not None and model in entities and entity in ancestors(entities, model):
        return model, tuple(kv for kv in qualifiers if kv[0] != "model")
    return entity, qualifiers
