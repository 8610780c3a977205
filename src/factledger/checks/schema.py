"""The facts table's schema (pandera), validated lazily: every failure case, one Result each.

Types and value sets only; domain expectations (shares within 0..100 %, ...) live in
:mod:`factledger.expectations`.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from factledger.checks import Check, CheckContext, CheckOutput
from factledger.model import DIMENSIONS, KINDS, Result, fingerprint

_TEXT = pa.Column(str, pa.Check.str_length(min_value=1))


def facts_schema(dimensions: list[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "id": _TEXT,
            "source": _TEXT,
            "entity": _TEXT,
            "metric": _TEXT,
            "dimension": pa.Column(str, pa.Check.isin(dimensions)),
            "qualifiers": pa.Column(str),
            "period_start": pa.Column("datetime64[ns]"),
            "period_end": pa.Column("datetime64[ns]"),
            "kind": pa.Column(str, pa.Check.isin(list(KINDS))),
            "stated_start": pa.Column("datetime64[ns]"),
            "stated_end": pa.Column("datetime64[ns]"),
            "value": _TEXT,
            "unit": _TEXT,
            # NaN would mean a value nobody could read: never silently accepted
            "lo": pa.Column(float, nullable=False),
            "hi": pa.Column(float, nullable=False),
            "lo_open": pa.Column(bool),
            "hi_open": pa.Column(bool),
            "quote": _TEXT,
            "file": _TEXT,
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
    schema = facts_schema(dimensions)
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        return _failures(exc.failure_cases, df)
    return [
        Result(
            id="schema:facts",
            kind="schema",
            severity="error",
            verdict="pass",
            message=f"{len(df)} facts match the table schema ({len(schema.columns)} columns)",
            fingerprint=fingerprint(len(df)),
        )
    ]


def _failures(cases: pd.DataFrame, df: pd.DataFrame) -> list[Result]:
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
    return results


def run(ctx: CheckContext) -> CheckOutput:
    return CheckOutput(check(ctx.table, list(DIMENSIONS)))


CHECK = Check("schema", run, ("schema",), separable=True)
