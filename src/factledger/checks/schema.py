"""The facts table's schema (pandera), validated lazily: every failure case, one Result each.

Types and value sets only; domain expectations (shares within 0..100 %, ...) live in
:mod:`factledger.expectations`. Every check of the schema reads one row at a time, so an
incremental run validates only the rows of the facts an edit changed (one unit per fact), and
the pass result — which counts every fact — is the summary. pandas and pandera are imported
only when rows are validated (about half a second).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from factledger import table
from factledger.checks import (
    Check,
    CheckContext,
    CheckOutput,
    Incremental,
    Lookup,
    NeedsFullRun,
    Unit,
    UnitsView,
    fact_key,
    fact_order,
    keyed,
    run_all,
)
from factledger.model import DIMENSIONS, KINDS, Result, fingerprint

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

# the columns of facts_schema; the pass result names how many
COLUMNS = 20


def facts_schema(dimensions: list[str]) -> pa.DataFrameSchema:
    import pandera.pandas as pa

    text = pa.Column(str, pa.Check.str_length(min_value=1))
    return pa.DataFrameSchema(
        {
            "id": text,
            "source": text,
            "entity": text,
            "metric": text,
            "dimension": pa.Column(str, pa.Check.isin(dimensions)),
            "qualifiers": pa.Column(str),
            "period_start": pa.Column("datetime64[ns]"),
            "period_end": pa.Column("datetime64[ns]"),
            "kind": pa.Column(str, pa.Check.isin(list(KINDS))),
            "stated_start": pa.Column("datetime64[ns]"),
            "stated_end": pa.Column("datetime64[ns]"),
            "value": text,
            "unit": text,
            # NaN would mean a value nobody could read: never silently accepted
            "lo": pa.Column(float, nullable=False),
            "hi": pa.Column(float, nullable=False),
            "lo_open": pa.Column(bool),
            "hi_open": pa.Column(bool),
            "quote": text,
            "file": text,
            "line": pa.Column(int, pa.Check.ge(1)),
        },
        checks=[
            pa.Check(lambda d: d["lo"] <= d["hi"], name="lo <= hi", error="interval is empty"),
            pa.Check(
                lambda d: d["period_start"] <= d["period_end"],
                name="period_start <= period_end",
            ),
        ],
        coerce=True,
        strict=False,
    )


def check(df: pd.DataFrame, dimensions: list[str]) -> list[Result]:
    """Every failure case of the table, or one pass result counting its rows."""
    failures = validate(df, dimensions)
    return failures or [passed(len(df))]


def validate(df: pd.DataFrame, dimensions: list[str]) -> list[Result]:
    from pandera.errors import SchemaErrors

    try:
        facts_schema(dimensions).validate(df, lazy=True)
    except SchemaErrors as exc:
        return _failures(exc.failure_cases, df)
    return []


def passed(rows: int) -> Result:
    return Result(
        id="schema:facts",
        kind="schema",
        severity="error",
        verdict="pass",
        message=f"{rows} facts match the table schema ({COLUMNS} columns)",
        fingerprint=fingerprint(rows),
    )


def _failures(cases: pd.DataFrame, df: pd.DataFrame) -> list[Result]:
    """One result per failure case, ordered by fact, check, column and value: pandera orders
    a whole-table check's cases by the table, and repeated ids are numbered in this order, so
    a row checked alone must give its failures in the same order as in the whole table."""
    results = []
    for case in cases.itertuples(index=False):
        idx = case.index
        row = df.loc[idx] if idx is not None and idx in df.index else None
        fid = str(row["id"]) if row is not None else ""
        column = case.column if isinstance(case.column, str) else ""
        where = (str(row["file"]), int(row["line"])) if row is not None else (None, None)
        message = f"{column or 'table'}: fails {case.check} (value {case.failure_case!r})"
        results.append(
            Result(
                id=f"schema:{fid or column}:{case.check}",
                kind="schema",
                severity="error",
                verdict="fail",
                message=message,
                fact_ids=(fid,) if fid else (),
                file=where[0],
                line=where[1],
                fingerprint=fingerprint(fid, column, str(case.check), str(case.failure_case)),
            )
        )
    return sorted(results, key=lambda r: (r.fact_ids, r.id, r.message))


def run_units(ctx: CheckContext, keys: Sequence[str] | None) -> list[Unit]:
    """One unit per fact with a failing row; a failure that names no row (none of the schema's
    checks gives one on a table ``table.frame`` built) is one unit of the whole table."""
    if keys is None:
        facts = ctx.facts
        df = ctx.table
    else:
        if "table" in keys:
            raise NeedsFullRun("a schema failure of the whole table")
        facts = ctx.lookup.facts(keyed(keys, "fact:"))
        if not facts:
            return []
        sources = ctx.lookup.sources({f.source for f in facts})
        df = table.frame(facts, ctx.corpus.metrics, sources)
    by_fact: dict[str, list[Result]] = {}
    whole: list[Result] = []
    for r in validate(df, list(DIMENSIONS)):
        if r.fact_ids:
            by_fact.setdefault(r.fact_ids[0], []).append(r)
        elif keys is not None:
            raise NeedsFullRun("a schema failure of the whole table")
        else:
            whole.append(r)
    units = [
        Unit(fact_key(f.id), by_fact[f.id], order=fact_order(f)) for f in facts if f.id in by_fact
    ]
    if whole:  # it may come from any row: re-run whole on any change ("*")
        units.append(Unit("table", whole, depends=frozenset({"*"}), order="\uffff"))
    return units


def affected(keys: Collection[str], lookup: Lookup) -> set[str]:
    # a row holds the fact and its metric's dimension (a registry change re-checks everything)
    return {k for k in keys if k.startswith("fact:")}


def summarize(ctx: CheckContext, units: UnitsView) -> CheckOutput:
    """The pass result, counting every fact, when no row fails."""
    if units.result_count():
        return CheckOutput([])
    return CheckOutput([passed(ctx.lookup.row_count())])


def warm() -> None:
    import pandera.pandas  # noqa: F401 - loaded ahead of the first edit (watch)


INCREMENTAL = Incremental(affected, run_units, summarize, warm=warm)


def run(ctx: CheckContext) -> CheckOutput:
    return run_all(ctx, INCREMENTAL)


CHECK = Check("schema", run, ("schema",), separable=True, incremental=INCREMENTAL)
