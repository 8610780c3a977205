"""Domain expectations on the facts table, run by great-expectations 1.x.

An ephemeral context with a pandas data source, progress bars off, one suite per slice of the
table (shares, growth, non-negative magnitudes, dates, all rows). great-expectations is imported
here only, inside :func:`check`: it costs seconds at import.

Every expectation but ``ids-unique`` reads one row at a time, so an incremental run validates
only the rows of the facts an edit changed (one unit per fact with a failing row); the per-slice
summaries count rows from the fact index. ``ids-unique`` is a property of the whole table: the
loader already refuses a repeated id (also after NFKC and case folding), and the incremental
engine's cache keys facts by id, so the changed rows are checked for it and cannot collide with
the others.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from factledger import table as fact_table
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
from factledger.model import Result, fingerprint
from factledger.payloads import ExpectationData

if TYPE_CHECKING:
    import pandas as pd

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


@dataclass
class Checked:
    """One expectation over a table: the rows it checked and a result per failing row, or the
    error that kept it from running."""

    rows: int = 0
    failures: list[Result] = field(default_factory=list)
    error: Result | None = None


def summary(exp: Expectation, rows: int, failing: int) -> Result:
    return Result(
        # the failing rows are the findings; this summary only counts them
        id=f"expectation:{exp.key}", kind="expectation",
        severity="info" if failing else "error",
        verdict="fail" if failing else "pass",
        message=f"{exp.description}: {rows} rows checked"
        + (f", {failing} fail" if failing else ""),
        fingerprint=fingerprint(exp.key, rows),
        data=ExpectationData(rows_checked=rows, failing=failing),
    )  # fmt: skip


def check(df: pd.DataFrame) -> list[Result]:
    """Each expectation's summary, then its failing rows."""
    results: list[Result] = []
    checked = validate(df)
    for exp in _catalogue():
        got = checked[exp.key]
        if got.error is not None:
            results.append(got.error)
            continue
        results.append(summary(exp, got.rows, len(got.failures)))
        results += got.failures
    return results


def validate(df: pd.DataFrame) -> dict[str, Checked]:
    """Every expectation of the catalogue over ``df``, by key."""
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
    out: dict[str, Checked] = {}
    for exp in _catalogue():
        part = _slice(table, exp.rows).reset_index(drop=True)
        suite = gx.ExpectationSuite(name=exp.key, expectations=[exp.make(gx)])
        batch = batch_def.get_batch(batch_parameters={"dataframe": part})
        outcome = batch.validate(
            suite,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row"]},
        ).results[0]
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            out[exp.key] = Checked(error=Result(
                id=f"expectation:{exp.key}", kind="expectation", severity="error",
                verdict="error", message=f"{exp.description}: the check itself failed: "
                f"{outcome.exception_info.get('exception_message')}",
                fingerprint=fingerprint(exp.key, "error"),
            ))  # fmt: skip
            continue
        bad_rows = sorted(
            {int(u["row"]) for u in outcome.result.get("unexpected_index_list") or []}
        )
        got = out[exp.key] = Checked(rows=len(part))
        for r in bad_rows:
            row = table.iloc[r]
            shown = {c: str(row[c]) for c in ("value", "lo", "hi", "period_start", "published_end")}
            got.failures.append(Result(
                id=f"expectation:{exp.key}:{row['id']}:{row['line']}", kind="expectation",
                severity="error", verdict="fail",
                message=f"{exp.description} — fails for {row['id']} "
                f"(value {row['value']!r}, interval {_iv(row)}, period from "
                f"{row['period_start']:%Y-%m-%d}, published by {row['published_end']:%Y-%m-%d})",
                fact_ids=(str(row["id"]),), file=str(row["file"]), line=int(row["line"]),
                fingerprint=fingerprint(exp.key, shown),
            ))  # fmt: skip
    return out


def _ordinal(col: pd.Series) -> pd.Series:
    """date.toordinal() of a datetime column, vectorised (day 1 is 0001-01-01)."""
    import pandas as pd

    epoch = pd.Timestamp("1970-01-01")
    return ((col - epoch).dt.days + 719163).astype("float64")


def _iv(row: pd.Series) -> str:
    left = "(" if row["lo_open"] else "["
    right = ")" if row["hi_open"] else "]"
    return f"{left}{row['lo']:g}, {row['hi']:g}{right} {row['unit']}"


# --- incremental: one unit per fact with a failing row ----------------------------------------


def run_units(ctx: CheckContext, keys: Sequence[str] | None) -> list[Unit]:
    """One unit per fact with a failing row (``info``: the expectations it fails). An
    expectation that could not run at all is one unit of the whole table."""
    if keys is None:
        facts, df = ctx.facts, ctx.table
    else:
        if "errors" in keys:
            raise NeedsFullRun("an expectation could not run on the whole table")
        facts = ctx.lookup.facts(keyed(keys, "fact:"))
        if not facts:
            return []
        sources = ctx.lookup.sources({f.source for f in facts})
        df = fact_table.frame(facts, ctx.corpus.metrics, sources)
    by_fact: dict[str, list[Result]] = {}
    errors: list[Result] = []
    for got in validate(df).values():
        if got.error is not None:
            if keys is not None:
                raise NeedsFullRun(got.error.message)
            errors.append(got.error)
        for r in got.failures:
            by_fact.setdefault(r.fact_ids[0], []).append(r)
    units = [
        Unit(fact_key(f.id), mine, order=fact_order(f), info=[r.id.split(":")[1] for r in mine])
        for f in facts
        if (mine := by_fact.get(f.id))
    ]
    if errors:  # re-run whole on any change ("*")
        units.append(Unit("errors", errors, depends=frozenset({"*"}), order="\uffff",
                          info={"errors": [r.id.split(":")[1] for r in errors]}))  # fmt: skip
    return units


def affected(keys: Collection[str], lookup: Lookup) -> set[str]:
    """The changed facts, and every fact of a changed source (its publication date is in the
    row)."""
    out = {k for k in keys if k.startswith("fact:")}
    out.update(fact_key(f.id) for f in lookup.facts_of_sources(keyed(keys, "source:")))
    return out


def summarize(ctx: CheckContext, units: UnitsView) -> CheckOutput:
    """Each expectation's summary: the rows of its slice, and how many fail."""
    failing: Counter[str] = Counter()
    errors: set[str] = set()
    for info in units.infos():
        if isinstance(info, dict):
            errors.update(info["errors"])
        else:
            failing.update(info)
    dims = ctx.lookup.dimension_counts()
    rows = {
        "all": ctx.lookup.row_count(),
        "non-negative": sum(dims.get(d, 0) for d in NON_NEGATIVE),
    }
    return CheckOutput([
        summary(exp, rows.get(exp.rows, dims.get(exp.rows, 0)), failing[exp.key])
        for exp in _catalogue()
        if exp.key not in errors
    ])  # fmt: skip


def warm() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401 - loaded ahead of the first edit (watch)
    import pandas  # noqa: F401


INCREMENTAL = Incremental(affected, run_units, summarize, warm=warm)


def run(ctx: CheckContext) -> CheckOutput:
    return run_all(ctx, INCREMENTAL)


# great-expectations takes seconds to import: `check --fast` (the pre-commit hook) skips it.
CHECK = Check(
    "expectations", run, ("expectation",), thorough=True, separable=True,
    incremental=INCREMENTAL,
)  # fmt: skip
