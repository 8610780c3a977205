"""``factledger suggest <source>``: YAML stubs for a source's uncovered mentions.

Quote and value are prefilled from the source's own characters; entity and metric are guessed
from the registries' names nearest before the mention; every stub is marked for review. Prints
only — never writes into ``facts/``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from factledger.checks import coverage
from factledger.load import Corpus, load_corpus
from factledger.model import Source
from factledger.quantity import HEDGES_BEFORE

_SENTENCE_END = "。？！?!；;"
_AFTER = re.compile(
    r"^(?:[萬億兆千百]*(?:元|美元|港元|人|名|家|個|部|條|張|次|倍|%|分|靈感值)?(?:/月)?)"
)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold like :func:`mentions.fold`, remembering each folded char's index in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                out.append(c)
                where.append(i)
    return "".join(out), where


def sentence_around(text: str, start: int, end: int) -> str:
    lo = max((text.rfind(c, 0, start) for c in _SENTENCE_END + "\n"), default=-1) + 1
    his = [i for i in (text.find(c, end) for c in _SENTENCE_END + "\n") if i >= 0]
    hi = min(his) + 1 if his else len(text)
    return text[lo:hi].strip()


def _guess(names: dict[str, tuple[str, ...]], before: str) -> tuple[str | None, str | None]:
    best: tuple[int, str, str] | None = None
    for key, aliases in names.items():
        for alias in aliases:
            pos = before.rfind(alias)
            if pos >= 0 and (best is None or pos + len(alias) > best[0]):
                best = (pos + len(alias), key, alias)
    return (best[1], best[2]) if best else (None, None)


def stubs(root: Path, source_id: str, corpus: Corpus | None = None) -> str:
    """``corpus``: the corpus at ``root`` when the caller has loaded it already."""
    corpus = corpus if corpus is not None else load_corpus(root)
    source: Source | None = corpus.sources.get(source_id)
    if source is None:
        raise KeyError(f"unknown source {source_id!r}; known: {', '.join(sorted(corpus.sources))}")
    cov = coverage.measure_corpus(corpus)[source_id]
    raw = source.text
    folded, where = fold_with_map(raw)
    entities = {k: e.names for k, e in corpus.entities.items()}
    metrics = {k: m.names for k, m in corpus.metrics.items()}
    prefix = source_id.split("-")[0]
    items = []
    for n, m in enumerate(cov.uncovered, 1):
        start, end = where[m.start], where[m.end - 1] + 1
        quote = sentence_around(raw, start, end)
        tail = _AFTER.match(folded[m.end :])
        value = m.text + (tail.group(0) if tail else "")
        head = next((h for h in HEDGES_BEFORE if folded[: m.start].endswith(h)), "")
        before = raw[max(0, start - 40) : start]
        entity, ealias = _guess(entities, before)
        metric, malias = _guess(metrics, before)
        items.append({
            "id": f"{prefix}-todo-{n}",
            "entity": entity or "TODO",
            "metric": metric or "TODO",
            "period": "TODO",
            "value": head + value,
            "kind": "actual",
            "quote": quote,
            "note": "REVIEW: stub from `factledger suggest` — "
            + (f"entity guessed from {ealias!r}; " if ealias else "entity unknown; ")
            + (f"metric guessed from {malias!r}; " if malias else "metric unknown; ")
            + "check period, kind and value span",
        })  # fmt: skip
    header = (
        f"# {len(items)} stub(s) for {source_id}: uncovered mentions, each to REVIEW.\n"
        f"# Paste the ones that are claims under `facts:` in facts/{source_id}.yaml;\n"
        "# put the others under `ignore:` with a reason. Nothing was written.\n"
    )
    if not items:
        return header
    return header + yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=100)
