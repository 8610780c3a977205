"""The pandera schema and the great-expectations suite read one row at a time: validated over a
few rows at a time — as an incremental run validates the rows an edit changed — they give the
same results, unit for unit, as over the whole table, failing rows included; and the summaries
built from the units equal a full run's."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from factledger import table
from factledger.checks import (
    CheckContext,
    CheckOutput,
    Incremental,
    MemoryUnits,
    Unit,
    expectations,
    fact_key,
    schema,
)
from factledger.load import load_corpus
from factledger.model import Fact, Interval

from .conftest import PROJECT


def _broken(facts: list[Fact], metrics: dict) -> tuple[list[Fact], set[str]]:
    """The corpus's facts with some made to fail a schema check or an expectation."""
    rng = random.Random(3)
    by_dimension: dict[str, list[int]] = {}
    for i, f in enumerate(facts):
        by_dimension.setdefault(metrics[f.metric].dimension, []).append(i)
    out = list(facts)
    broken = set()

    def spoil(i: int, **changes) -> None:
        out[i] = dataclasses.replace(out[i], **changes)
        broken.add(out[i].id)

    unit = {i: metrics[f.metric].unit for i, f in enumerate(facts)}
    share, growth = by_dimension["share"], by_dimension["growth"]
    money, dates = by_dimension["money"], by_dimension["date"]
    spoil(share[0], canonical=Interval(40.0, 150.0, unit="%"))  # share above 100 %
    spoil(growth[0], canonical=Interval(-150.0, -120.0, unit="%"))  # growth below -100 %
    spoil(money[0], canonical=Interval(-5.0, 3.0, unit=unit[money[0]]))  # negative money
    spoil(money[1], canonical=Interval(9.0, 2.0, unit=unit[money[1]]))  # lo above hi
    spoil(money[2], canonical=None)  # no value: NaN in the table
    spoil(rng.choice(money[3:]), line=0)  # no line 1 or later
    d = dates[0]
    spoil(d, canonical=Interval(1.0, 2.0, unit="date"))  # a date far outside its period
    return out, broken


@pytest.fixture(scope="module")
def ctx() -> CheckContext:
    corpus = load_corpus(PROJECT)
    facts, _ = table.canonicalize(corpus.facts, corpus.metrics)
    corpus.facts, broken = _broken(facts, corpus.metrics)
    context = CheckContext(corpus, corpus.settings)
    context.broken = broken  # type: ignore[attr-defined]
    return context


def _chunks(ctx: CheckContext) -> list[list[str]]:
    """Each broken fact alone, the others in three random groups (as edits change them)."""
    broken = ctx.broken  # type: ignore[attr-defined]
    rest = [f.id for f in ctx.facts if f.id not in broken]
    random.Random(5).shuffle(rest)
    return [[b] for b in sorted(broken)] + [rest[i::3] for i in range(3)]


def _by_key(units: list[Unit]) -> dict[str, list]:
    return {u.key: [(r.id, r.verdict, r.fingerprint, r.message, r.line) for r in u.results]
            for u in units}  # fmt: skip


@pytest.mark.parametrize("inc", [schema.INCREMENTAL, expectations.INCREMENTAL],
                         ids=["schema", "expectations"])  # fmt: skip
def test_rows_validated_in_parts_give_the_whole_tables_results(
    ctx: CheckContext, inc: Incremental
) -> None:
    whole = inc.run_units(ctx, None)
    parts = [u for ids in _chunks(ctx) for u in inc.run_units(ctx, [fact_key(i) for i in ids])]
    assert _by_key(parts) == _by_key(whole)
    failing = {u.key for u in whole}
    assert len(failing) >= 3, failing  # the spoiled rows fail, so the comparison means something
    assert failing <= {fact_key(b) for b in ctx.broken}  # type: ignore[attr-defined]
    summary = inc.summarize(ctx, MemoryUnits(parts)) if inc.summarize else CheckOutput([])
    full = inc.summarize(ctx, MemoryUnits(whole)) if inc.summarize else CheckOutput([])
    assert summary.results == full.results


def test_the_old_whole_table_functions_agree(ctx: CheckContext) -> None:
    """schema.check and expectations.check (the whole table at once) give the same results as
    the units and the summary together."""
    for check, inc in ((schema.check, schema.INCREMENTAL),
                       (expectations.check, expectations.INCREMENTAL)):  # fmt: skip
        if inc is schema.INCREMENTAL:
            at_once = check(ctx.table, list(schema.DIMENSIONS))  # type: ignore[call-arg]
        else:
            at_once = check(ctx.table)  # type: ignore[call-arg]
        units = inc.run_units(ctx, None)
        summary = inc.summarize(ctx, MemoryUnits(units)) if inc.summarize else CheckOutput([])
        mine = [r for u in units for r in u.results] + summary.results
        assert sorted((r.id, r.fingerprint) for r in at_once) == sorted(
            (r.id, r.fingerprint) for r in mine
        )


def test_a_fact_without_row_problems_has_no_unit(tmp_path: Path) -> None:
    corpus = load_corpus(PROJECT)
    corpus.facts, _ = table.canonicalize(corpus.facts, corpus.metrics)
    c = CheckContext(corpus, corpus.settings)
    assert schema.run_units(c, [fact_key(corpus.facts[0].id)]) == []
