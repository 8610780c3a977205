"""The polars example validates the same facts-table schema; skipped without polars.

pip install polars && pytest examples/distributed
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pl = pytest.importorskip("polars", reason="polars is not installed (pip install polars)")

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
spec = importlib.util.spec_from_file_location("polars_checks", HERE / "polars_checks.py")
polars_checks = importlib.util.module_from_spec(spec)
sys.modules["polars_checks"] = polars_checks
spec.loader.exec_module(polars_checks)

from factledger import table  # noqa: E402
from factledger.load import load_corpus  # noqa: E402
from factledger.model import DIMENSIONS  # noqa: E402


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    corpus = load_corpus(PROJECT)
    facts, _ = table.canonicalize(corpus.facts, corpus.metrics)
    df = table.frame(facts, corpus.metrics, corpus.sources)
    return polars_checks.to_polars(df)


def test_bundled_corpus_passes(capsys) -> None:
    assert polars_checks.main([str(PROJECT), "--shards", "3"]) == 0
    assert "table checks: PASS" in capsys.readouterr().out


def test_sharded_scan_sees_every_row(frame: pl.DataFrame, tmp_path: Path) -> None:
    polars_checks.write_shards(frame, tmp_path, 4)
    lf = pl.scan_parquet(tmp_path / "facts-*.parquet")
    assert lf.select(pl.len()).collect().item() == frame.height
    assert polars_checks.validate(lf, list(DIMENSIONS)) == []


def test_failures_are_located(frame: pl.DataFrame) -> None:
    first, second = frame.row(0, named=True), frame.row(1, named=True)
    bad = frame.with_columns(
        pl.when(pl.col("row") == 0).then(pl.col("hi") + 1e12).otherwise(pl.col("lo")).alias("lo"),
        pl.when(pl.col("row") == 1).then(pl.lit("bogus")).otherwise(pl.col("dimension"))
        .alias("dimension"),
        pl.when(pl.col("row") == 2).then(pl.lit(first["id"])).otherwise(pl.col("id")).alias("id"),
    )  # fmt: skip
    failures = polars_checks.validate(bad.lazy(), list(DIMENSIONS))
    text = "\n".join(failures)
    assert "lo <= hi" in text
    assert "isin" in text and "bogus" in text
    assert "ids-unique" in text
    assert f"{first['file']}:{first['line']}: {first['id']}" in text
    assert f"{second['file']}:{second['line']}: {second['id']}" in text


def test_schema_follows_factledger_schema() -> None:
    from factledger.checks import schema

    pandas_schema = schema.facts_schema(list(DIMENSIONS))
    polars_schema = polars_checks.polars_schema(list(DIMENSIONS))
    assert list(polars_schema.columns) == list(pandas_schema.columns)
    for name, col in pandas_schema.columns.items():
        assert [c.name for c in polars_schema.columns[name].checks] == [c.name for c in col.checks]


def test_expectations_follow_factledger_catalogue() -> None:
    from factledger.checks import expectations

    assert set(polars_checks.EXPECTATIONS) == {e.key for e in expectations._catalogue()}


def test_date_values_outside_their_period(frame: pl.DataFrame) -> None:
    day = polars_checks._day("period_end")
    bad = frame.with_columns(
        pl.lit("date").alias("dimension"),
        (day + 1).cast(pl.Float64).alias("hi"),
        (day + 1).cast(pl.Float64).alias("lo"),
    ).head(1)
    text = "\n".join(polars_checks.validate(bad.lazy(), list(DIMENSIONS)))
    assert "expectation:date-in-period-end" in text
