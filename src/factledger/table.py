"""Facts → their canonical values, and the one normalized pandas table the table checks read.

This is the one place a written value is converted to its metric's canonical unit (money to the
metric's currency with the dated reference rates of :mod:`factledger.fx`, at the fact's value
date). :func:`canonicalize` stores the result on each fact (``Fact.canonical``); every check reads
it and none converts again. :func:`frame` lays the facts out as one DataFrame row each
(``lo``/``hi`` canonical, ``written_*`` as written); pandas is imported only there.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import TYPE_CHECKING

from factledger.model import CURRENCIES, Fact, Interval, Metric, Result, Source, input_problem

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = [
    "id", "source", "entity", "metric", "dimension", "qualifiers", "period",
    "period_start", "period_end", "kind", "stated_start", "stated_end", "published_end",
    "value", "hedge", "unit", "lo", "hi", "lo_open", "hi_open", "written_unit",
    "written_lo", "written_hi", "quote", "file", "line",
]  # fmt: skip


def to_canonical(
    fact: Fact, metric: Metric, iv: Interval | None = None
) -> tuple[Interval | None, str | None]:
    """The fact's interval (or ``iv``, another reading of it) in the metric's canonical unit, or
    a reason it cannot be converted."""
    iv = fact.interval if iv is None else iv
    if iv is None:
        return None, "no parsed value"
    base, _, per = iv.unit.partition("/")
    target, _, target_per = metric.unit.partition("/")
    if base in CURRENCIES and target in CURRENCIES and base != target:
        if per != target_per:
            return None, f"unit {iv.unit} does not fit the metric's {metric.unit}"
        from factledger import fx  # the rate tables load on first use only

        try:
            conv = fx.convert(dataclasses.replace(iv, unit=base), base, target, fact.value_date)
        except fx.FxError as exc:
            return None, str(exc)
        return dataclasses.replace(conv, unit=metric.unit, hedge=iv.hedge), None
    return iv, None


def canonicalize(facts: list[Fact], metrics: dict[str, Metric]) -> tuple[list[Fact], list[Result]]:
    """Each fact with ``canonical`` set (None when it cannot be converted, with a problem)."""
    out: list[Fact] = []
    problems: list[Result] = []
    for f in facts:
        if f.interval is None and f.claim is not None:
            out.append(f)  # a claim in words: nothing to convert (checks/claims.py reads it)
            continue
        metric = metrics[f.metric]
        canon, why = to_canonical(f, metric)
        if canon is None:
            problems.append(
                input_problem(
                    f.file, f.line_of("value"), "value",
                    f"cannot convert to {metric.unit}: {why}", key=f.id, fact_ids=(f.id,),
                )
            )  # fmt: skip
        typical = None
        if canon is not None and f.typical is not None and f.typical != f.interval:
            typical, _ = to_canonical(f, metric, f.typical)
        out.append(_with_canonical(f, canon, typical))
    return out, problems


def _with_canonical(fact: Fact, canonical: Interval | None, typical: Interval | None) -> Fact:
    """``dataclasses.replace(fact, canonical=..., typical_canonical=...)`` without re-running
    ``__init__`` over every field (a frozen dataclass sets each through ``object.__setattr__``):
    100k facts."""
    new = object.__new__(Fact)
    new.__dict__.update(fact.__dict__)
    object.__setattr__(new, "canonical", canonical)
    object.__setattr__(new, "typical_canonical", typical)
    return new


def has_row(fact: Fact) -> bool:
    """Whether a fact is a row of :func:`frame`: a claim in words is no number, and has none."""
    return not (fact.interval is None and fact.claim is not None)


def frame(
    facts: list[Fact], metrics: dict[str, Metric], sources: dict[str, Source]
) -> pd.DataFrame:
    """One row per (canonicalized) fact with a number."""
    import pandas as pd

    rows = []
    for f in facts:
        if not has_row(f):
            continue  # a claim in words has no row: it is no number
        metric = metrics[f.metric]
        canon = f.canonical or Interval(math.nan, math.nan, unit=metric.unit)
        wr = f.interval
        src = sources.get(f.source)
        rows.append((
            f.id, f.source, f.entity, f.metric, metric.dimension,
            json.dumps(dict(f.qualifiers), ensure_ascii=False, sort_keys=True), f.period.text,
            f.period.start, f.period.end, f.kind, f.stated.start, f.stated.end,
            src.published.end if src else pd.NaT, f.value, f.hedge or (wr.hedge if wr else None),
            canon.unit, canon.lo, canon.hi, canon.lo_open, canon.hi_open,
            wr.unit if wr else "", wr.lo if wr else math.nan, wr.hi if wr else math.nan,
            f.quote, f.file, f.line,
        ))  # fmt: skip
    df = pd.DataFrame.from_records(rows, columns=COLUMNS)
    for col in ("period_start", "period_end", "stated_start", "stated_end", "published_end"):
        df[col] = pd.to_datetime(df[col])
    for col in ("lo", "hi", "written_lo", "written_hi"):
        df[col] = df[col].astype("float64")
    df["line"] = df["line"].astype("int64")
    for col in ("lo_open", "hi_open"):
        df[col] = df[col].astype(bool)
    return df
