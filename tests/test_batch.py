"""Batch assessment: the compiled columns equal the single-case answer row for row (missing facts included), and
bad files or rows give a clear error or a rejects file, never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from servicepath.batch.columns import assess_frame
from servicepath.batch.io import BatchInputError, profile_of
from servicepath.batch.population import population
from servicepath.batch.runner import run_batch
from servicepath.batch.tables import TableEngine
from servicepath.cli import app
from servicepath.engine.assess import assess
from servicepath.engine.plan import plan_on
from servicepath.logic.kleene import any_of, truth_name
from servicepath.packs.lawset import LawSet, shipped_law

runner = CliRunner()


def expected_row(law: LawSet, row: dict[str, object], on: dt.date, columns: list[str]) -> dict[str, object]:
    """What batch must write for one row, computed by the single-case interpreter."""
    person = profile_of(row)
    answer = assess(person, on, law)
    expected: dict[str, object] = {}
    for force_id, force in answer.forces.items():
        dates = [p.earliest for p in force.citizenship_paths if p.requires is True and p.earliest is not None]
        expected[f"{force_id}.verdict"] = force.verdict
        expected[f"{force_id}.first_failing"] = next((r.id for r in force.requirements if r.result is False), None)
        expected[f"{force_id}.missing_facts"] = ";".join(force.missing_facts)
        expected[f"{force_id}.citizenship_date"] = min(dates) if dates else None
    for column in columns:
        if column.startswith("home."):
            _, country, kind = column.split(".")
            if person.citizenships is None:
                expected[column] = "unknown"
            elif country not in person.citizenships:
                expected[column] = None
            else:
                expected[column] = truth_name(any_of(r.result for r in answer.home[country] if r.kind == kind))
    return expected


@pytest.mark.parametrize("on", [dt.date(2015, 6, 1), dt.date(2023, 6, 1)])
@pytest.mark.parametrize("which", ["example", "shipped"])
@pytest.mark.parametrize("engine", ["polars", "tables"])
def test_batch_equals_interpreter(example_law: LawSet, which: str, on: dt.date, engine: str) -> None:
    law = example_law if which == "example" else shipped_law()
    plan = plan_on(law, on)
    people = population(250, seed=7, forces=list(law.forces), missing=0.25)
    results = (
        assess_frame(people, plan)
        if engine == "polars"
        else pl.DataFrame(pl.from_arrow(TableEngine(plan).assess(people)))
    )
    assert any(value == "unknown" for column in results.columns for value in results.get_column(column).to_list())
    for row, got in zip(people.to_dicts(), results.to_dicts(), strict=True):
        assert got == expected_row(law, row, on, results.columns)


BAD_CSV = """id,birth_date,citizenships,residence.country,residence.status,languages.ru,criminal_record,sex
p1,1990-03-15,TJ,AQ,permanent_resident,B2,false,male
p2,1990-13-45,TJ;RU,AQ,visa,B1,no,male
p3,,[],XX,visa,B1,maybe,female
p4,2001-02-28,UZ;KZ,,,,,
p5,1985-07-01,tj,AQ,citizen,native,0,male
"""


def test_bad_rows_go_to_rejects(tmp_path: Path, example_law: LawSet) -> None:
    source = tmp_path / "people.csv"
    source.write_text(BAD_CSV, encoding="utf-8")
    summary = run_batch(source, tmp_path / "out.parquet", example_law, dt.date(2023, 6, 1), chunk_size=2)
    assert (summary.rows, summary.assessed, summary.rejected) == (5, 3, 2)
    rejects = pl.read_csv(tmp_path / "out.rejects.csv", infer_schema=False)
    assert rejects.get_column("row").to_list() == ["2", "3"]
    reasons = rejects.get_column("reason").to_list()
    assert reasons[0] == "birth_date: must be a date written YYYY-MM-DD"
    assert "residence.country" in reasons[1] and "criminal_record" in reasons[1]
    out = pl.read_parquet(tmp_path / "out.parquet")
    assert out.get_column("row").to_list() == [1, 4, 5]
    assert out.get_column("id").to_list() == ["p1", "p4", "p5"]
    assert out.get_column("aq-example-guard.verdict").to_list() == ["eligible", "unknown", "ineligible"]
    assert out.get_column("home.TJ.criminal").to_list()[1] is None  # p4 is not a Tajik citizen


def test_parquet_lists_and_csv_round_trip(tmp_path: Path, example_law: LawSet) -> None:
    people = population(300, seed=3)
    people.write_parquet(tmp_path / "people.parquet")
    on = dt.date(2020, 1, 1)
    run_batch(tmp_path / "people.parquet", tmp_path / "a.csv", example_law, on, chunk_size=100)
    csv_in = people.with_columns(pl.col("citizenships").list.join(";"))
    csv_in = csv_in.with_columns(
        pl.when(pl.col("citizenships") == "").then(pl.lit("[]")).otherwise(pl.col("citizenships")).alias("citizenships")
    )
    csv_in.write_csv(tmp_path / "people.csv")
    run_batch(tmp_path / "people.csv", tmp_path / "b.csv", example_law, on)
    a, b = (tmp_path / "a.csv").read_text(), (tmp_path / "b.csv").read_text()
    assert a == b and a.count("\n") == 301


def test_cli_batch_errors_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    result = runner.invoke(app, ["batch", str(tmp_path / "empty.csv"), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "the file is empty" in result.output and "Traceback" not in result.output
    population(50).write_parquet(tmp_path / "p.parquet")
    (tmp_path / "t.parquet").write_bytes((tmp_path / "p.parquet").read_bytes()[:200])
    result = runner.invoke(app, ["batch", str(tmp_path / "t.parquet"), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "not a readable Parquet file" in result.output
    result = runner.invoke(app, ["batch", str(tmp_path / "p.parquet"), "--out", str(tmp_path / "o.txt")])
    assert result.exit_code == 2 and ".csv or .parquet" in result.output


@pytest.mark.parametrize("name", ["out.parquet", "out.csv"])
def test_a_file_that_cannot_be_written_is_one_line_whatever_the_chunk(
    tmp_path: Path, example_law: LawSet, name: str
) -> None:
    """Chunks are written on a thread of their own while the next is assessed: a write that fails still ends the
    run with one sentence, not a traceback."""
    population(50, seed=2).write_parquet(tmp_path / "p.parquet")
    out = tmp_path / "gone" / name
    example = str(Path(__file__).parent / "packs" / "example")
    result = runner.invoke(app, ["batch", str(tmp_path / "p.parquet"), "--out", str(out), "--packs", example])
    assert result.exit_code == 2 and "cannot write the results" in result.output, result.output
    assert "Traceback" not in result.output
    with pytest.raises(BatchInputError, match="cannot write the results"):
        run_batch(tmp_path / "p.parquet", out, example_law, dt.date(2023, 6, 1), chunk_size=7)


def test_cli_batch_summary_and_compare(tmp_path: Path) -> None:
    population(200, seed=5).write_parquet(tmp_path / "p.parquet")
    args = ["batch", str(tmp_path / "p.parquet"), "--out", str(tmp_path / "o.parquet")]
    args += ["--packs", str(Path(__file__).parent / "packs" / "example"), "--compare-dates", "2015-06-01", "2020-01-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Verdicts per force" in result.output and "aq-example-guard" in result.output
    out = pl.read_parquet(tmp_path / "o.parquet")
    assert {"aq-example-guard.verdict@2015-06-01", "aq-example-guard.verdict@2020-01-01"} <= set(out.columns)


def test_standards_columns_from_results_and_unreadable_results_rejected(tmp_path: Path) -> None:
    """law/fr/entry-standards.yaml: Legion pull-ups reported as 3, 4, 5 or 7; shuttle run level 5 (defense-zone)."""
    source = tmp_path / "people.csv"
    source.write_text(
        "birth_date,sex,results.pull_ups,results.shuttle_run_level\n"
        "1995-01-01,male,8,7.1\n1995-01-01,male,4,4.5\n1995-01-01,male,lots,\n",
        encoding="utf-8",
    )
    output = tmp_path / "out.csv"
    summary = run_batch(source, output, shipped_law(), dt.date(2026, 11, 25), forces=["fr-foreign-legion"])
    assert (summary.assessed, summary.rejected) == (2, 1)
    written = pl.read_csv(output)
    assert written["fr-foreign-legion.standard.pull-ups"].to_list() == ["meets", "unknown"]
    assert written["fr-foreign-legion.standard.shuttle-run"].to_list() == ["meets", "does_not_meet"]
    rejects = pl.read_csv(tmp_path / "out.rejects.csv")
    assert rejects["row"].to_list() == [3]
    assert rejects["reason"].to_list() == ["results.pull_ups: 'lots' is not a number"]
