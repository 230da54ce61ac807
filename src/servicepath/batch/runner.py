"""A batch run: read people in chunks, check them, assess each chunk with the compiled law, write the results,
the rejected rows and a summary."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from servicepath.batch.columns import Selection, Stages, facts_needed, result_columns
from servicepath.batch.io import ROW, BatchInputError, Writer, check_chunk, count_rows, file_format, read_chunks
from servicepath.batch.standards import forces_with_standards, standards_frame
from servicepath.batch.tables import TableEngine, table_columns
from servicepath.engine.plan import Plan, plan_on
from servicepath.engine.polars_backend import BatchUnsupported
from servicepath.packs.lawset import LawSet
from servicepath.results import is_result_field

CHUNK = 1_000_000
ENGINES = ("tables", "polars", "duckdb")
"""tables: decision tables (batch/tables.py); polars: every expression per person; duckdb: the SQL query."""


@dataclass
class Summary:
    as_of: dt.date
    forces: list[str]
    rows: int = 0
    assessed: int = 0
    rejected: int = 0
    verdicts: dict[str, Counter[str]] = field(default_factory=dict)
    """Per force, the count of each verdict."""
    compare: tuple[dt.date, dt.date] | None = None
    changes: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)
    """Per force, with --compare-dates: (verdict at D1, verdict at D2) -> count, for the people whose verdict
    changed ('not in force' where the force did not admit foreigners on a date)."""
    skipped_forces: list[str] = field(default_factory=list)
    copied_columns: list[str] = field(default_factory=list)
    rejects_path: Path | None = None


def default_rejects(output: Path) -> Path:
    return output.with_name(f"{output.stem}.rejects.csv")


def _compare_columns(
    plan: Plan, selection: Selection, force_ids: Sequence[str], suffix: str, stages: Stages
) -> list[pl.Expr]:
    from servicepath.batch.columns import force_columns

    columns = []
    for force_id in force_ids:
        if force_id in plan.forces and (selection.forces is None or force_id in selection.forces):
            columns.append(
                force_columns(plan.forces[force_id], plan.as_of, stages)[0].alias(f"{force_id}.verdict@{suffix}")
            )
        else:
            columns.append(pl.lit(None, pl.Utf8).alias(f"{force_id}.verdict@{suffix}"))
    return columns


def _all_columns(
    plan: Plan, selection: Selection, stages: Stages, plans: Sequence[Plan], compared: Sequence[str]
) -> list[pl.Expr]:
    columns = result_columns(plan, selection, stages)
    for day_plan in plans:
        columns += _compare_columns(day_plan, selection, compared, day_plan.as_of.isoformat(), stages)
    return columns


def run_batch(
    source: Path,
    output: Path,
    law: LawSet,
    as_of: dt.date,
    forces: Sequence[str] | None = None,
    compare: tuple[dt.date, dt.date] | None = None,
    engine: str = "tables",
    rejects: Path | None = None,
    chunk_size: int = CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Assess every person of `source`; raise BatchInputError (one line) if a file cannot be read or written."""
    unknown = [force_id for force_id in forces or () if force_id not in law.forces]
    if unknown:
        raise BatchInputError(f"no force is called '{unknown[0]}' (known: {', '.join(sorted(law.forces))})")
    if engine not in ENGINES:
        raise BatchInputError(f"unknown engine '{engine}' (use {' or '.join(ENGINES)})")
    file_format(output)
    rejects = rejects or default_rejects(output)
    file_format(rejects)
    plan = plan_on(law, as_of)
    selection = Selection(tuple(forces) if forces else None)
    chosen = selection.chosen(plan)
    summary = Summary(as_of, chosen, compare=compare)
    summary.skipped_forces = [force_id for force_id in forces or () if force_id not in plan.forces]
    needed = facts_needed(plan, selection)
    plans = [plan_on(law, day) for day in compare] if compare else []
    compared = sorted(
        {force_id for day_plan in plans for force_id in day_plan.forces if forces is None or force_id in forces}
    )
    for day_plan in plans:
        needed |= facts_needed(day_plan, selection)
    total = count_rows(source)
    stages = Stages()
    try:
        columns = _all_columns(plan, selection, stages, plans, compared)
    except BatchUnsupported as error:
        raise BatchInputError(f"a rule cannot be compiled for batch: {error}") from None
    sql = None
    if engine == "duckdb":
        from servicepath.batch.sql import DuckRunner

        sql = DuckRunner(plan, selection, plans, compared)
    tables = TableEngine(plan, selection, plans, compared) if engine == "tables" else None
    standards_forces = forces_with_standards(law, chosen)
    writer, reject_writer = Writer(output), Writer(rejects)
    summary.rejects_path = rejects
    first_row, empty = 1, None
    try:
        for chunk in read_chunks(source, chunk_size):
            good, bad = check_chunk(chunk, first_row, needed, coded=tables is not None)
            first_row += chunk.height
            summary.copied_columns = [name for name in good.columns if name not in needed and name != ROW]
            copied = [pl.col(name) for name in (ROW, *summary.copied_columns)]
            if sql is not None:
                result = sql.run(good, [ROW, *summary.copied_columns]).to_arrow()
            elif tables is not None:
                result = table_columns(tables, good, [ROW, *summary.copied_columns])
            else:
                result = stages.apply(good.lazy()).select(*copied, *columns).collect().to_arrow()
            if standards_forces and any(is_result_field(name) for name in good.columns):
                standards = standards_frame(good, law, as_of, standards_forces)
                result = pl.DataFrame(pl.from_arrow(result)).join(standards, on=ROW, how="left").to_arrow()
            _count(summary, result, chosen, compared, compare)
            summary.rows += chunk.height
            summary.assessed += result.num_rows
            summary.rejected += bad.height
            if result.num_rows:
                writer.write(result)
            empty = result.schema.empty_table()
            if bad.height:
                reject_writer.write(bad)
            if progress is not None:
                progress(summary.rows, total)
        if empty is None:
            empty = pa.table({ROW: pa.array([], pa.int64())})
        writer.close(empty)
        if reject_writer.written:
            reject_writer.close(empty)
        else:
            rejects.unlink(missing_ok=True)
            summary.rejects_path = None
    except OSError as error:
        raise BatchInputError(f"cannot write the results: {error.strerror or error}") from None
    except BatchUnsupported as error:
        raise BatchInputError(f"a rule cannot be rendered as SQL: {error}") from None
    return summary


def _count(
    summary: Summary,
    result: pa.Table,
    chosen: list[str],
    compared: list[str],
    compare: tuple[dt.date, dt.date] | None,
) -> None:
    for force_id in chosen:
        counts = summary.verdicts.setdefault(force_id, Counter())
        for found in pc.value_counts(result.column(f"{force_id}.verdict")).to_pylist():
            counts[str(found["values"])] += int(found["counts"])
    if compare is None:
        return
    first, second = (day.isoformat() for day in compare)
    for force_id in compared:
        before = pl.col(f"{force_id}.verdict@{first}").fill_null("not in force")
        after = pl.col(f"{force_id}.verdict@{second}").fill_null("not in force")
        verdicts = pl.DataFrame(pl.from_arrow(result.select([f"{force_id}.verdict@{day}" for day in (first, second)])))
        changed = verdicts.lazy().filter(before != after).group_by(before.alias("a"), after.alias("b")).len().collect()
        changes = summary.changes.setdefault(force_id, Counter())
        for a, b, count in changed.iter_rows():
            changes[(str(a), str(b))] += int(count)


__all__ = ["BatchInputError", "Summary", "default_rejects", "run_batch"]
