"""The law rendered as SQL: DuckDB and Apache Spark (local mode) give the same results as the Polars backend,
which test_batch.py holds equal to the single-case interpreter, missing facts included."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from servicepath.batch.columns import Selection, assess_frame
from servicepath.batch.population import population
from servicepath.batch.sql import DIALECTS, query, render
from servicepath.cli import app
from servicepath.engine.plan import plan_on
from servicepath.packs.lawset import LawSet, shipped_law


def _laws(example_law: LawSet) -> list[LawSet]:
    return [example_law, shipped_law()]


@pytest.mark.parametrize("on", [dt.date(2015, 6, 1), dt.date(2023, 6, 1)])
def test_duckdb_equals_polars(example_law: LawSet, on: dt.date) -> None:
    for law in _laws(example_law):
        plan = plan_on(law, on)
        people = population(600, seed=11, forces=list(law.forces), missing=0.25)
        connection = duckdb.connect()
        connection.register("persons", people.to_arrow())
        got = connection.sql(query(plan, Selection()).sql(dialect="duckdb")).pl()
        assert got.equals(assess_frame(people, plan))


def test_every_dialect_renders(example_law: LawSet) -> None:
    plan = plan_on(example_law, dt.date(2023, 6, 1))
    for dialect in DIALECTS:
        assert render(plan, Selection(), dialect).startswith("SELECT")
    result = CliRunner().invoke(app, ["sql", "--dialect", "trino", "--packs", "tests/packs/example"])
    assert result.exit_code == 0 and '"aq-example-guard.verdict"' in result.output
    result = CliRunner().invoke(app, ["sql", "--dialect", "oracle"])
    assert result.exit_code == 2


def test_batch_engine_duckdb_equals_polars(tmp_path: Path, example_law: LawSet) -> None:
    from servicepath.batch.runner import run_batch

    population(500, seed=2).write_parquet(tmp_path / "p.parquet")
    on = dt.date(2023, 6, 1)
    run_batch(tmp_path / "p.parquet", tmp_path / "a.parquet", example_law, on, engine="duckdb")
    run_batch(tmp_path / "p.parquet", tmp_path / "b.parquet", example_law, on, engine="polars")
    assert pl.read_parquet(tmp_path / "a.parquet").equals(pl.read_parquet(tmp_path / "b.parquet"))


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java")
def test_spark_equals_polars(tmp_path: Path, example_law: LawSet) -> None:
    pyspark_sql = pytest.importorskip("pyspark.sql")
    spark = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("servicepath-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        for law, on in ((example_law, dt.date(2015, 6, 1)), (shipped_law(), dt.date(2023, 6, 1))):
            plan = plan_on(law, on)
            people = population(300, seed=5, forces=list(law.forces), missing=0.25)
            path = tmp_path / f"people-{len(law.forces)}-{on}.parquet"
            people.with_row_index("row").write_parquet(path)
            spark.read.parquet(str(path)).createOrReplaceTempView("persons")
            rows = spark.sql(render(plan, Selection(), "spark")).collect()
            got = pl.DataFrame([row.asDict() for row in rows], infer_schema_length=None)
            expected = assess_frame(people.with_row_index("row"), plan, keep=["row"])
            got = got.sort("row").cast(expected.schema)  # type: ignore[arg-type]
            assert got.equals(expected), on
    finally:
        spark.stop()
