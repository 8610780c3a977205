"""How well `factledger suggest` guesses the curated facts: leave-one-source-out.

For each source of a corpus (the bundled one by default), in memory and never on disk:

1. its facts are removed (its `ignore` list stays), and every registry name (entity or metric)
   that occurs in its text and in no other source's is removed — the names a curator would not
   have registered before reading it;
2. `suggest` stubs its uncovered mentions;
3. each curated fact whose value holds exactly one numeric mention is compared with the stub of
   that mention, field by field:

   value   the stub's value text equals the fact's (both folded: NFKC, no spaces)
   hedge   the hedge the stub's value reads with equals the fact's (the parsed interval's hedge
           word, in the fact's metric's dimension: 超過1.5億元 and 1.5億元 + hedge 超過 agree)
   unit    the unit the stub's value reads in equals the fact's (same dimension: 1.1 is not
           1.1個百分點, 1.4億 not 1.4億美元)
   period  the same date range (2025Q1 = 2025-01..2025-03)
   entity, metric, kind   the same key

A fact with no stub at its mention counts as wrong in every field. Fields left REVIEW count as
wrong and are counted.

    python scripts/suggest_eval.py [--root DIR] [-v] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from factledger import suggest
from factledger.load import Corpus, load_corpus
from factledger.mentions import mentions_of, whole_mention_spans
from factledger.model import Fact
from factledger.quantity import QuantityError, parse_readings
from factledger.text import fold

FIELDS = ("value", "hedge", "unit", "period", "entity", "metric", "kind")
TARGETS = {"value": 0.95, "hedge": 0.95, "unit": 0.95, "period": 0.80, "entity": 0.85,
           "metric": 0.70}  # fmt: skip
ROOT = Path(__file__).resolve().parents[1]


def held_out(corpus: Corpus, source_id: str) -> Corpus:
    """``corpus`` as it was before ``source_id`` was curated: none of its facts, and no registry
    name that only its text uses."""
    texts = {sid: fold(src.text) for sid, src in corpus.sources.items()}

    def known(name: str) -> bool:
        word = fold(name)
        here = word in texts[source_id]
        elsewhere = any(word in t for sid, t in texts.items() if sid != source_id)
        return elsewhere or not here

    entities = {
        k: dataclasses.replace(e, names=tuple(n for n in e.names if known(n)))
        for k, e in corpus.entities.items()
    }
    metrics = {
        k: dataclasses.replace(m, names=tuple(n for n in m.names if known(n)))
        for k, m in corpus.metrics.items()
    }
    return dataclasses.replace(
        corpus,
        entities=entities,
        metrics=metrics,
        facts=[f for f in corpus.facts if f.source != source_id],
    )


def fact_mention(fact: Fact, folded_source: str) -> list[int]:
    """Where in the folded source the fact's one mention is, at each place of its quote."""
    quote, value = fold(fact.quote), fold(fact.value)
    spans = whole_mention_spans(quote, value)
    if not spans:
        return []
    vs, ve = spans[(fact.occurrence or 1) - 1]
    inside = [m for m in mentions_of(quote) if vs <= m.start and m.end <= ve]
    out, i = [], folded_source.find(quote)
    while i >= 0:
        out += [i + m.start for m in inside]
        i = folded_source.find(quote, i + 1)
    return out


def reading(value: str, dim: str, hedge: str | None, unit: str | None, year: int):
    try:
        return parse_readings(value, dimension=dim, hedge=hedge, unit=unit, year=year)[0]
    except QuantityError:
        return None


def compare(fact: Fact, stub: suggest.Stub | None, corpus: Corpus) -> dict[str, bool]:
    if stub is None:
        return dict.fromkeys(FIELDS, False)
    dim = corpus.metrics[fact.metric].dimension
    year = fact.period.start.year
    mine = reading(stub.value, dim, stub.hedge, stub.unit, year)
    theirs = fact.interval
    return {
        "value": fold(stub.value) == fold(fact.value),
        "hedge": mine is not None and theirs is not None and mine.hedge == theirs.hedge,
        "unit": mine is not None and theirs is not None and mine.unit == theirs.unit,
        "period": stub.period is not None
        and (stub.period.start, stub.period.end) == (fact.period.start, fact.period.end),
        "entity": stub.entity == fact.entity,
        "metric": stub.metric == fact.metric,
        "kind": stub.kind == fact.kind,
    }


def evaluate(corpus: Corpus) -> dict:
    rows = []
    review: Counter[str] = Counter()
    stub_count = 0
    for sid in sorted(corpus.sources):
        facts = [
            f for f in corpus.facts
            if f.source == sid and len(mentions_of(fold(f.value))) == 1
        ]  # fmt: skip
        if not facts:
            continue
        before = held_out(corpus, sid)
        stubs = suggest.suggestions(before, sid)
        stub_count += len(stubs)
        for s in stubs:
            review.update(s.review)
        at = {m.start: s for s in stubs for m in s.mentions}
        folded = fold(corpus.sources[sid].text)
        for f in facts:
            stub = next((at[p] for p in fact_mention(f, folded) if p in at), None)
            rows.append((sid, f, stub, compare(f, stub, corpus)))
    total = len(rows)
    per_field = {k: sum(r[3][k] for r in rows) for k in FIELDS}
    per_source: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(("facts", *FIELDS), 0)
    )
    for sid, _, _, ok in rows:
        per_source[sid]["facts"] += 1
        for k in FIELDS:
            per_source[sid][k] += ok[k]
    return {
        "facts": total,
        "stubs": stub_count,
        "missed": sum(1 for r in rows if r[2] is None),
        "accuracy": {k: per_field[k] / total if total else 1.0 for k in FIELDS},
        "correct": per_field,
        "review": {k: review[k] for k in ("entity", "metric", "period")},
        "per_source": dict(per_source),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="corpus folder (default: bundled)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrong field")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    corpus = load_corpus(args.root)
    result = evaluate(corpus)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=2))
        return 0
    if args.verbose:
        for _, f, stub, ok in result["rows"]:
            wrong = [k for k in FIELDS if not ok[k]]
            if not wrong:
                continue
            if stub is None:
                print(f"{f.id}: no stub at its mention ({f.value!r})")
                continue
            got = {
                "value": stub.value, "hedge": stub.hedge, "unit": stub.unit,
                "period": stub.period.text if stub.period else None, "entity": stub.entity,
                "metric": stub.metric, "kind": stub.kind,
            }  # fmt: skip
            want = {
                "value": f.value, "hedge": f.hedge, "unit": f.unit, "period": f.period.text,
                "entity": f.entity, "metric": f.metric, "kind": f.kind,
            }  # fmt: skip
            print(f"{f.id}: " + "; ".join(f"{k} {got[k]!r} ≠ {want[k]!r}" for k in wrong))
        print()
    n = result["facts"]
    print(
        f"leave-one-source-out over {len(result['per_source'])} sources: {n} curated facts whose "
        f"value holds one mention; {result['stubs']} stubs; {result['missed']} facts without a "
        "stub at their mention"
    )
    print(f"{'field':<8} {'correct':>8} {'accuracy':>9} {'target':>7}")
    for k in FIELDS:
        target = TARGETS.get(k)
        mark = "" if target is None else (" ok" if result["accuracy"][k] >= target else " below")
        shown = f"{target:.0%}" if target is not None else "-"
        correct, accuracy = result["correct"][k], result["accuracy"][k]
        print(f"{k:<8} {correct:>4}/{n:<3} {accuracy:>9.1%} {shown:>7}{mark}")
    rev = result["review"]
    print(
        f"left REVIEW: entity {rev['entity']}, metric {rev['metric']}, period {rev['period']} "
        f"(of {result['stubs']} stubs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
