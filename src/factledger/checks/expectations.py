"""Domain expectations on the facts table, run by great-expectations 1.x.

An ephemeral context with a pandas data source, progress bars off, one suite per slice of the
table (shares, growth, non-negative magnitudes, dates, all rows). great-expectations is imported
here only, inside :func:`check`: it costs seconds at import.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from factledger.checks import Check, CheckContext, CheckOutput
from factledger.model import Result, fingerprint
from factledger.payloads import ExpectationData

NON_NEGATIVE = ("money", "count", "ratio", "rank", "score", "credits", "duration",
                "price-per-period", "money-per-day")  # fmt: skip


@dataclass(frozen=True)
class Expectation:
    key: str
    description: str
    rows: str  # which slice of the table: all | share | growth | non-negative | date
    make: Any  # gx module → expectation instance


def _catalogue() -> list[Expectation]:
    return [
        Expectation("ids-unique", "fact ids are unique across the corpus", "all",
                    lambda gx: gx.expectations.ExpectColumnValuesToBeUnique(column="id")),
        Expectation("share-lo", "shares are at least 0%", "share",
                    lambda gx: gx.expectations.ExpectColumnValuesToBeBetween(
                        column="lo", min_value=0)),
        Expectation("share-hi", "shares are at most 100%", "share",
                    lambda gx: gx.expectations.ExpectColumnValuesToBeBetween(
                        column="hi", max_value=100)),
        Expectation("growth-lo", "growth is at least −100% (it may exceed +100%)", "growth",
                    lambda gx: gx.expectations.ExpectColumnValuesToBeBetween(
                        column="lo", min_value=-100)),
        Expectation("non-negative", "counts, money and other magnitudes are not negative",
                    "non-negative",
                    lambda gx: gx.expectations.ExpectColumnValuesToBeBetween(
                        column="lo", min_value=0)),
        Expectation("date-in-period", "a date value lies within its fact's period (from)",
                    "date",
                    lambda gx: gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="lo", column_B="period_start_day", or_equal=True)),
        Expectation("date-in-period-end", "a date value lies within its fact's period (to)",
                    "date",
                    lambda gx: gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="period_end_day", column_B="hi", or_equal=True)),
        # An actual whose period starts after publication is refused by the loader (an input
        # error, load.corpus._dates_in_order), so it never reaches this table.
    ]  # fmt: skip


def _slice(df: pd.DataFrame, rows: str) -> pd.DataFrame:
    if rows == "all":
        return df
    if rows == "non-negative":
        return df[df["dimension"].isin(NON_NEGATIVE)]
    return df[df["dimension"] == rows]


def check(df: pd.DataFrame) -> list[Result]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = ctx.data_sources.add_pandas("factledger").add_dataframe_asset("facts")
    batch_def = asset.add_batch_definition_whole_dataframe("slice")
    # great-expectations hashes every batch's whole frame: leave out the text it never reads
    keep = ["id", "kind", "dimension", "value", "unit", "lo", "hi", "lo_open", "hi_open",
            "period_start", "period_end", "published_end", "file", "line"]  # fmt: skip
    df = df[keep]
    table = df.assign(
        row=range(len(df)),
        # day numbers, the unit of date values (date.toordinal), so the two can be compared
        period_start_day=_ordinal(df["period_start"]),
        period_end_day=_ordinal(df["period_end"]),
    ).reset_index(drop=True)
    results: list[Result] = []
    for exp in _catalogue():
        part = _slice(table, exp.rows).reset_index(drop=True)
        suite = gx.ExpectationSuite(name=exp.key, expectations=[exp.make(gx)])
        batch = batch_def.get_batch(batch_parameters={"dataframe": part})
        outcome = batch.validate(
            suite,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row"]},
        ).results[0]
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            results.append(Result(
                id=f"expectation:{exp.key}", kind="expectation", severity="error",
                verdict="error", message=f"{exp.description}: the check itself failed: "
                f"{outcome.exception_info.get('exception_message')}",
                fingerprint=fingerprint(exp.key, "error"),
            ))  # fmt: skip
            continue
        bad_rows = sorted(
            {int(u["row"]) for u in outcome.result.get("unexpected_index_list") or []}
        )
        results.append(Result(
            # the failing rows are the findings; this summary only counts them
            id=f"expectation:{exp.key}", kind="expectation",
            severity="error" if outcome.success else "info",
            verdict="pass" if outcome.success else "fail",
            message=f"{exp.description}: {len(part)} rows checked"
            + ("" if outcome.success else f", {len(bad_rows)} fail"),
            fingerprint=fingerprint(exp.key, len(part)),
            data=ExpectationData(rows_checked=len(part), failing=len(bad_rows)),
        ))  # fmt: skip
        for r in bad_rows:
            row = table.iloc[r]
            shown = {c: str(row[c]) for c in ("value", "lo", "hi", "period_start", "published_end")}
            results.append(Result(
                id=f"expectation:{exp.key}:{row['id']}:{row['line']}", kind="expectation",
                severity="error", verdict="fail",
                message=f"{exp.description} — fails for {row['id']} "
                f"(value {row['value']!r}, interval {_iv(row)}, period from "
                f"{row['period_start']:%Y-%m-%d}, published by {row['published_end']:%Y-%m-%d})",
                fact_ids=(str(row["id"]),), file=str(row["file"]), line=int(row["line"]),
                fingerprint=fingerprint(exp.key, shown),
            ))  # fmt: skip
    return results


def _ordinal(col: pd.Series) -> pd.Series:
    """date.toordinal() of a datetime column, vectorised (day 1 is 0001-01-01)."""
    epoch = pd.Timestamp("1970-01-01")
    return ((col - epoch).dt.days + 719163).astype("float64")


def _iv(row: pd.Series) -> str:
    left = "(" if row["lo_open"] else "["
    right = ")" if row["hi_open"] else "]"
    return f"{left}{row['lo']:g}, {row['hi']:g}{right} {row['unit']}"


def run(ctx: CheckContext) -> CheckOutput:
    return CheckOutput(check(ctx.table))


# great-expectations takes seconds to import: `check --fast` (the pre-commit hook) skips it.
CHECK = Check("expectations", run, ("expectation",), thorough=True, separable=True)
