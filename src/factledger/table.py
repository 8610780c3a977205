"""Facts → one normalized pandas DataFrame: the single shared view the table checks read.

One row per fact. ``lo``/``hi`` are in the metric's canonical unit (money converted to CNY with
the dated reference rates of :mod:`factledger.fx`, at the fact's value date); ``written_*`` keep
the interval as written.
"""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd

from factledger.model import Fact, Interval, Metric, Result, Source, fingerprint

COLUMNS = [
    "id", "source", "entity", "metric", "dimension", "qualifiers", "period",
    "period_start", "period_end", "kind", "stated_start", "stated_end", "published_end",
    "value", "hedge", "unit", "lo", "hi", "lo_open", "hi_open", "written_unit",
    "written_lo", "written_hi", "quote", "file", "line",
]  # fmt: skip

MONEY_UNITS = ("CNY", "USD", "HKD")


def value_date(fact: Fact) -> date:
    """The date a value is 'at': when it was stated for projections, its period end otherwise."""
    if fact.kind in ("guidance", "forecast"):
        return fact.stated.end
    return fact.period.end


def to_canonical(fact: Fact, metric: Metric) -> tuple[Interval | None, str | None]:
    """The fact's interval in the metric's canonical unit, or a reason it cannot be converted."""
    iv = fact.interval
    if iv is None:
        return None, "no parsed value"
    base, _, per = iv.unit.partition("/")
    target, _, target_per = metric.unit.partition("/")
    if base in MONEY_UNITS and target in MONEY_UNITS and base != target:
        if per != target_per:
            return None, f"unit {iv.unit} does not fit the metric's {metric.unit}"
        from factledger import fx

        try:
            conv = fx.convert(
                Interval(iv.lo, iv.hi, iv.lo_open, iv.hi_open, base), base, target, value_date(fact)
            )
        except fx.FxError as exc:
            return None, str(exc)
        return Interval(conv.lo, conv.hi, conv.lo_open, conv.hi_open, metric.unit, iv.hedge), None
    return iv, None


def build(
    facts: list[Fact], metrics: dict[str, Metric], sources: dict[str, Source]
) -> tuple[pd.DataFrame, list[Result]]:
    rows = []
    problems: list[Result] = []
    for f in facts:
        metric = metrics[f.metric]
        canon, why = to_canonical(f, metric)
        if canon is None:
            problems.append(
                Result(
                    id=f"input:{f.file}:{f.id}:value",
                    kind="input",
                    severity="error",
                    verdict="error",
                    message=f"value: cannot convert to {metric.unit}: {why}",
                    fact_ids=(f.id,),
                    file=f.file,
                    line=f.line_of("value"),
                    fingerprint=fingerprint(f.id, f.value, why),
                )
            )
            canon = Interval(math.nan, math.nan, unit=metric.unit)
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
    return df, problems
