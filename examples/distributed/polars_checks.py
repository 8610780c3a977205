"""The facts-table checks on polars: the same pandera schema, validated on a LazyFrame.

    pip install polars            # not a factledger dependency; this example only
    python examples/distributed/polars_checks.py [CORPUS_ROOT] [--shards N]

What stays on one machine and what distributes (see docs/scale.md):

1. **Load** (single machine): YAML with line numbers, seeds, registries —
   ``factledger.load.load_corpus``.
   Provenance (quotes against seed text) and rule evaluation stay here too: they need the
   whole corpus's text and fact index.
2. **Table** (single machine, cheap): ``factledger.table.canonicalize`` then ``frame`` give
   the one facts table.
3. **Hand-off**: the table is written as parquet shards (one per group of sources), the form a
   cluster job reads. Here the shards go to a temporary folder; on a cluster they would go to
   object storage and the scan below would be ``pl.scan_parquet("s3://…/facts-*.parquet")``.
4. **Table checks** (distributable): ``pl.scan_parquet`` builds a LazyFrame over every shard;
   pandera's polars backend validates factledger's own facts-table schema on it (types, value
   sets, ``lo <= hi``, …) plus the domain expectations as polars expressions. Nothing is
   collected into pandas; polars plans the scan and evaluates it in parallel, streaming.

Every failure is located back to ``file:line`` of the fact, like the engine's own results.
Exit code: 0 when the table passes, 1 when a check fails, 2 when polars is missing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

try:
    import pandera.polars as pa
    import polars as pl
except ImportError:  # pragma: no cover - exercised by hand
    print("this example needs polars: pip install polars", file=sys.stderr)
    raise SystemExit(2) from None

import pandas as pd
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaError, SchemaErrors

from factledger import table as fl_table
from factledger.checks import schema as fl_schema
from factledger.checks.expectations import NON_NEGATIVE
from factledger.load import load_corpus
from factledger.model import DIMENSIONS


def _day(column: str) -> pl.Expr:
    """date.toordinal() of a datetime column (day 1 is 0001-01-01)."""
    return pl.col(column).dt.epoch("d") + 719163


# factledger.schema's frame-wide checks (pandas lambdas), as polars expressions, by check name.
FRAME_CHECKS = {
    "lo <= hi": pl.col("lo") <= pl.col("hi"),
    "period_start <= period_end": pl.col("period_start") <= pl.col("period_end"),
}
# factledger.expectations' catalogue (great-expectations on pandas), as polars expressions.
EXPECTATIONS = {
    "ids-unique": ~pl.col("id").is_duplicated(),
    "share-lo": (pl.col("dimension") != "share") | (pl.col("lo") >= 0),
    "share-hi": (pl.col("dimension") != "share") | (pl.col("hi") <= 100),
    "growth-lo": (pl.col("dimension") != "growth") | (pl.col("lo") >= -100),
    "non-negative": ~pl.col("dimension").is_in(list(NON_NEGATIVE)) | (pl.col("lo") >= 0),
    # date values are day numbers (date.toordinal); the period's days in the same unit
    "date-in-period": (pl.col("dimension") != "date") | (pl.col("lo") >= _day("period_start")),
    "date-in-period-end": (pl.col("dimension") != "date") | (pl.col("hi") <= _day("period_end")),
}


def _polars_dtype(pandas_dtype) -> pl.DataType:
    text = str(pandas_dtype)
    if text.startswith("datetime64"):
        return pl.Datetime("ns")
    return {"float64": pl.Float64, "int64": pl.Int64, "bool": pl.Boolean}.get(text, pl.String)


def polars_schema(dimensions: list[str]) -> pa.DataFrameSchema:
    """factledger's pandas facts-table schema, translated column by column to pandera.polars.

    Column checks (``str_length``, ``isin``, ``ge``) are pandera built-ins that run on either
    backend, so they are reused as they are; the frame-wide lambdas are re-expressed above.
    A new frame check in factledger.schema without a translation here is an error, not a skip.
    """
    source = fl_schema.facts_schema(dimensions)
    columns = {
        name: pa.Column(_polars_dtype(col.dtype), checks=col.checks, nullable=col.nullable)
        for name, col in source.columns.items()
    }
    missing = [c.name for c in source.checks if c.name not in FRAME_CHECKS]
    if missing:
        raise NotImplementedError(f"no polars translation of frame checks {missing}")
    checks = [
        pa.Check(lambda data, e=expr: data.lazyframe.select(e), name=name)
        for name, expr in FRAME_CHECKS.items()
    ]
    checks += [
        pa.Check(lambda data, e=expr: data.lazyframe.select(e), name=f"expectation:{name}")
        for name, expr in EXPECTATIONS.items()
    ]
    return pa.DataFrameSchema(columns, checks=checks, coerce=True, strict=False)


def to_polars(df: pd.DataFrame) -> pl.DataFrame:
    """pandas → polars without pyarrow: numpy-backed columns directly, text as Python str."""
    cols = []
    for name in df.columns:
        s = df[name]
        if s.dtype.kind == "M":  # pandas may hold seconds; polars takes ns
            cols.append(pl.Series(name, s.to_numpy().astype("datetime64[ns]")))
        elif s.dtype.kind in "fbi":
            cols.append(pl.Series(name, s.to_numpy()))
        else:
            values = [None if pd.isna(v) else str(v) for v in s.astype(object)]
            cols.append(pl.Series(name, values, dtype=pl.String))
    return pl.DataFrame(cols).with_row_index("row")


def write_shards(frame: pl.DataFrame, folder: Path, shards: int) -> list[Path]:
    """One parquet file per group of sources: the hand-off a cluster job would read."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = frame.get_column("source").unique().sort().to_list()
    paths = []
    for i in range(max(1, min(shards, len(sources) or 1))):
        part = sources[i::shards]
        path = folder / f"facts-{i:04d}.parquet"
        frame.filter(pl.col("source").is_in(part)).write_parquet(path)
        paths.append(path)
    return paths


def validate(lf: pl.LazyFrame, dimensions: list[str]) -> list[str]:
    """Validate a LazyFrame (types AND data); one located line per failure case."""
    schema = polars_schema(dimensions)
    with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            schema.validate(lf, lazy=True)
        except SchemaErrors as exc:
            return locate(exc.failure_cases, lf)
        except SchemaError as exc:  # pragma: no cover - lazy=True collects them all
            return [str(exc)]
    return []


def locate(cases: pl.DataFrame, lf: pl.LazyFrame) -> list[str]:
    """Failure cases → ``file:line: id: check (value)`` via the row index, like the engine."""
    rows = (
        lf.select("row", "id", "file", "line").collect().to_dicts()
        if "index" in cases.columns
        else []
    )
    by_row = {r["row"]: r for r in rows}
    out = []
    for case in cases.to_dicts():
        idx = case.get("index")
        r = by_row.get(idx) if idx is not None else None
        where = f"{r['file']}:{r['line']}: {r['id']}: " if r else ""
        column = case.get("column")
        value = "" if column is None else f" (value {case.get('failure_case')!r})"  # not the row
        out.append(f"{where}{column or 'table'}: fails {case.get('check')}{value}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", type=Path, default=Path("."), help="corpus (default .)")
    ap.add_argument("--shards", type=int, default=8, help="parquet shards to write and scan")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    corpus = load_corpus(args.root.resolve())  # single machine: YAML with line numbers
    facts, _problems = fl_table.canonicalize(corpus.facts, corpus.metrics)
    df = fl_table.frame(facts, corpus.metrics, corpus.sources)
    t_table = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="factledger-polars-") as tmp:
        t0 = time.perf_counter()
        shards = write_shards(to_polars(df), Path(tmp), args.shards)
        t_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        lf = pl.scan_parquet(Path(tmp) / "facts-*.parquet")  # on a cluster: object storage
        failures = validate(lf, list(DIMENSIONS))
        t_check = time.perf_counter() - t0
    print(
        f"{len(df):,} facts from {len(corpus.sources):,} sources: table {t_table:.2f} s "
        f"(single machine), {len(shards)} parquet shards {t_write:.2f} s, "
        f"pandera.polars on the LazyFrame {t_check:.2f} s"
    )
    for line in failures:
        print("  " + line)
    print(f"table checks: {'FAIL' if failures else 'PASS'} ({len(failures)} failure cases)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
