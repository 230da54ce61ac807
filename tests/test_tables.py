"""Decision tables (batch/tables.py) give, person for person, what the per-person Polars columns give, which
test_batch.py holds equal to the single-case interpreter: across chunks that show new values, at the birthdays
where an age limit turns, and when a unit is too large to table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from servicepath.batch import tables
from servicepath.batch.codes import FactCoder, domain_dtype
from servicepath.batch.columns import Selection, assess_frame
from servicepath.batch.io import check_chunk
from servicepath.batch.kernels import (
    BLOCK,
    BlockColumn,
    DateTree,
    EarliestDate,
    UnitTable,
    compile_pass,
    date_keys,
)
from servicepath.batch.population import population
from servicepath.batch.runner import facts_needed, run_batch
from servicepath.batch.tables import TableEngine
from servicepath.engine.plan import plan_on
from servicepath.packs.lawset import shipped_law

ON = dt.date(2023, 6, 1)


def _same(a: pl.DataFrame | pa.Table, b: pl.DataFrame | pa.Table) -> None:
    """Equal column for column, read as text (tables give Arrow tables, the per-person columns Polars frames)."""
    a, b = (found if isinstance(found, pl.DataFrame) else pl.DataFrame(pl.from_arrow(found)) for found in (a, b))
    assert a.columns == b.columns
    for name in a.columns:
        assert a.get_column(name).cast(pl.Utf8).to_list() == b.get_column(name).cast(pl.Utf8).to_list(), name


def _birthdays(people: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """People born exactly N years before the date, a day before and a day after, for N from 10 to 70."""
    dates = []
    for years in range(10, 71):
        birthday = on.replace(year=on.year - years)
        dates += [birthday - dt.timedelta(days=1), birthday, birthday + dt.timedelta(days=1)]
    return people.head(len(dates)).with_columns(pl.Series("birth_date", dates, dtype=pl.Date))


@pytest.mark.parametrize("on", [dt.date(2015, 6, 1), ON, dt.date(2025, 11, 1)])
def test_tables_equal_per_person_at_every_age_limit(on: dt.date) -> None:
    law = shipped_law()
    plan = plan_on(law, on)
    people = _birthdays(population(400, seed=21, forces=list(law.forces), missing=0.2), on)
    _same(TableEngine(plan).assess(people), assess_frame(people, plan))


def test_tables_kept_across_chunks_that_show_new_values(tmp_path: Path) -> None:
    """Chunks sorted by nationality and birth date: each shows combinations the tables have not seen yet."""
    law = shipped_law()
    people = population(3000, seed=4, forces=list(law.forces), missing=0.15)
    people = people.sort(pl.col("citizenships").list.first(), "birth_date", nulls_last=True)
    people.write_parquet(tmp_path / "people.parquet")
    for engine in ("tables", "polars"):
        run_batch(tmp_path / "people.parquet", tmp_path / f"{engine}.parquet", law, ON, engine=engine, chunk_size=450)
    _same(pl.read_parquet(tmp_path / "tables.parquet"), pl.read_parquet(tmp_path / "polars.parquet"))


def test_tables_equal_per_person_over_several_blocks_and_threads() -> None:
    """More people than one block of the compiled pass, split between threads, and a last block that does not end
    on a byte of the validity bitmaps: every column, missing values included, as the per-person columns give."""
    law = shipped_law()
    plan = plan_on(law, ON)
    people = population(2 * BLOCK + 4099, seed=5, forces=list(law.forces), missing=0.2)
    found = TableEngine(plan).assess(people)
    assert found.column("fr-foreign-legion.first_failing").null_count > 0
    _same(found, assess_frame(people, plan))


def test_citizenship_dates_of_the_compiled_pass_equal_polars(monkeypatch: pytest.MonkeyPatch) -> None:
    """The earliest date of the paths whose conditions hold, computed block by block in the compiled pass, equals
    the Polars expressions' (used when a force's units are not all tabled): a path's date as `max` of two dates
    (law/us), missing dates, paths whose conditions fail or are unknown, forces with no path."""
    law = shipped_law()
    plan = plan_on(law, ON)
    people = population(BLOCK + 999, seed=17, forces=list(law.forces), missing=0.2)
    compiled = TableEngine(plan).assess(people)
    names = [name for name in compiled.column_names if name.endswith(".citizenship_date")]
    for force_id in ("us-armed-forces", "fr-foreign-legion", "gb-british-army"):
        dates = compiled.column(f"{force_id}.citizenship_date")
        assert 0 < dates.null_count < len(people), force_id
    monkeypatch.setattr(tables, "_citizenship", lambda force, name: None)
    _same(compiled.select(names), TableEngine(plan).assess(people).select(names))


def test_compiled_dates_follow_kleene_min_max_and_skip_paths_not_met() -> None:
    """The compiled pass's dates on every combination of its inputs: `max` and `min` are missing when an argument
    is (as the interpreter's), and the earliest date leaves out the paths not met and the missing dates."""
    day = [None, -100, 0, 200]
    rows = [(met0, met1, a, b) for met0 in (0, 1) for met1 in (0, 1) for a in day for b in day]
    # One fact whose code is the row: the unit's row is the code.
    codes = np.arange(len(rows), dtype=np.uint32)

    def dates(at: int) -> BlockColumn:
        days = np.array([row[at] or 0 for row in rows], dtype=np.int32)
        return BlockColumn(date_keys(days, np.array([row[at] is None for row in rows])))

    columns = [*(BlockColumn(np.array([row[at] for row in rows], dtype=np.uint32)) for at in range(2)), dates(2)]
    unit = UnitTable([(0, codes)], [*columns, dates(3)])
    paths: list[tuple[int, DateTree]] = [(0, ("max", [2, 3])), (1, ("min", [2, 3])), (0, 3)]
    [(values, bits)] = compile_pass([[(0, 1)]], [unit], [EarliestDate(paths)]).run([codes], len(rows), 1)
    found = pa.Array.from_buffers(pa.int32(), len(rows), [pa.py_buffer(bits), pa.py_buffer(values)]).to_pylist()
    for (met0, met1, a, b), date in zip(rows, found, strict=True):
        known = a is not None and b is not None
        candidates = [
            max(a, b) if met0 and known else None,
            min(a, b) if met1 and known else None,
            b if met0 else None,
        ]
        assert date == min((c for c in candidates if c is not None), default=None), (met0, met1, a, b)


def test_results_held_stay_the_same_while_let_go_ones_are_reused() -> None:
    """The engine writes a chunk's results into the arrays of an earlier chunk's only once nothing holds those:
    results kept (as Arrow, or read into Polars) do not change when the next chunk is assessed."""
    law = shipped_law()
    plan = plan_on(law, ON)
    engine = TableEngine(plan)
    first, second = (population(3000, seed=seed, forces=list(law.forces), missing=0.2) for seed in (31, 32))
    held = engine.assess(first)
    read = pl.DataFrame(pl.from_arrow(held))
    text = read.select(pl.all().cast(pl.Utf8))
    addresses = {chunk.buffers()[1].address for column in held.columns for chunk in column.chunks}
    engine.assess(second)
    _same(held, assess_frame(first, plan))
    assert read.select(pl.all().cast(pl.Utf8)).equals(text, null_equal=True)
    del held, read
    again = engine.assess(second)
    _same(again, assess_frame(second, plan))
    reused = {chunk.buffers()[1].address for column in again.columns for chunk in column.chunks}
    assert reused & addresses


def test_output_file_keeps_the_enums(tmp_path: Path) -> None:
    """Parquet written from the gathered Arrow columns reads back with the same types as the per-person engine's:
    verdicts and first failing requirements as enums, missing facts as text categories, dates as dates."""
    law = shipped_law()
    people = population(300, seed=8, forces=list(law.forces), missing=0.2)
    people.write_parquet(tmp_path / "people.parquet")
    for engine in ("tables", "polars"):
        run_batch(tmp_path / "people.parquet", tmp_path / f"{engine}.parquet", law, ON, engine=engine)
    tabled, per_person = (pl.read_parquet(tmp_path / f"{engine}.parquet") for engine in ("tables", "polars"))
    assert isinstance(tabled.schema["fr-foreign-legion.verdict"], pl.Enum)
    assert tabled.schema["fr-foreign-legion.first_failing"] == per_person.schema["fr-foreign-legion.first_failing"]
    assert tabled.schema["fr-foreign-legion.citizenship_date"] == pl.Date
    assert tabled.schema["fr-foreign-legion.missing_facts"] in (pl.Categorical, pl.Utf8)


def test_units_too_large_to_table_are_computed_per_person(monkeypatch: pytest.MonkeyPatch) -> None:
    law = shipped_law()
    plan = plan_on(law, ON)
    people = population(500, seed=9, forces=list(law.forces), missing=0.25)
    monkeypatch.setattr(tables, "MAX_TABLE", 200)
    engine = TableEngine(plan)
    _same(engine.assess(people), assess_frame(people, plan))
    assert any(not unit.tabled for unit in engine.units()) and any(unit.tabled for unit in engine.units())


def test_people_held_as_enums_give_the_same_answers() -> None:
    law = shipped_law()
    plan = plan_on(law, ON)
    people = population(800, seed=13, forces=list(law.forces), missing=0.25)
    coded = people.with_columns(
        pl.col(name).cast(dtype) for name in people.columns if (dtype := domain_dtype(name)) is not None
    )
    _same(TableEngine(plan).assess(coded), TableEngine(plan).assess(people))


def test_no_citizenship_date_when_nobody_meets_a_path() -> None:
    """Two people who have not served: no path to French nationality through the Legion opens (law/fr), and
    each row says so (Polars once gave a single row when every path failed for the whole chunk)."""
    law = shipped_law()
    plan = plan_on(law, ON)
    given = pl.DataFrame({"birth_date": ["1995-01-01"] * 2, "sex": ["male"] * 2})
    people, _ = check_chunk(given, 1, facts_needed(plan, Selection()))
    tabled = TableEngine(plan).assess(people).column("fr-foreign-legion.citizenship_date").to_pylist()
    assert tabled == assess_frame(people, plan).get_column("fr-foreign-legion.citizenship_date").to_list()
    assert tabled == [None, None]


def test_codes_are_exact() -> None:
    """Two people share a code only when they hold the same value, unknown and the stateless [] included."""
    column = pl.Series(
        "citizenships",
        [["FR", "RU"], ["RU", "FR"], [], None, ["FR", "RU"], ["TJ"], ["AD"], [None], ["AD", None]],
        dtype=pl.List(pl.Utf8),
    )
    coded = FactCoder("citizenships").code(column)
    codes = coded.codes.tolist()
    assert codes[0] == codes[4] and len(set(codes)) == 8
    assert coded.values.gather(coded.codes).to_list() == column.to_list()
    dates = pl.Series("birth_date", [dt.date(1990, 1, 1), None, dt.date(1990, 1, 3)], dtype=pl.Date)
    coded_dates = FactCoder("birth_date").code(dates)
    assert coded_dates.values.gather(coded_dates.codes).to_list() == dates.to_list()


def test_text_codes_are_exact_for_many_long_and_short_texts() -> None:
    """Free text (a force id): 5,000 distinct texts, long ones sharing their first bytes and short ones, in a
    column sliced from a longer one; a second chunk keeps the codes of the texts seen in the first."""
    texts = [f"armed-forces-of-{i}" for i in range(2500)] + [f"f{i}" for i in range(2500)]
    values = [texts[(i * 7919) % len(texts)] if i % 5 else None for i in range(40_000)]
    coder = FactCoder("service.force")
    column = pl.Series("service.force", values).slice(3, 39_990)
    first = coder.code(column)
    assert first.values.gather(first.codes).to_list() == column.to_list()
    seen = [text for text in dict.fromkeys(column.to_list()) if text is not None]
    again = seen[:5] + seen[-5:]
    second = coder.code(pl.Series("service.force", ["new", *again]))
    assert second.values.gather(second.codes).to_list() == ["new", *again]
    assert second.codes[1:].tolist() == [first.codes[column.to_list().index(text)] for text in again]


def test_enum_codes_follow_the_enum_each_chunk_comes_in() -> None:
    """Chunk after chunk, a fact comes as its own enum, as text, as an enum of other categories, then as the first
    enum again: each chunk's codes give back its values, and the values of a chunk in an enum already seen stay
    the same object (the tables built on them are kept)."""
    forces = ["ru-armed-forces", "fr-foreign-legion", None, "ru-armed-forces"]
    first_enum, other_enum = pl.Enum(["ru-armed-forces", "fr-foreign-legion"]), pl.Enum(["fr-foreign-legion", "x"])
    statuses = ["refugee", None, "citizen"]
    cases = {
        "residence.status": [
            pl.Series(statuses, dtype=domain_dtype("residence.status")),
            pl.Series(statuses),
            pl.Series(statuses, dtype=pl.Enum(["citizen", "refugee"])),
            pl.Series(statuses, dtype=domain_dtype("residence.status")),
        ],
        "service.force": [
            pl.Series(forces, dtype=first_enum),
            pl.Series(forces),
            pl.Series(["x", None, "fr-foreign-legion"], dtype=other_enum),
            pl.Series(forces, dtype=first_enum),
        ],
    }
    for name, chunks in cases.items():
        coder = FactCoder(name)
        found = [coder.code(chunk.alias(name)) for chunk in chunks]
        for chunk, coded in zip(chunks, found, strict=True):
            assert coded.values.gather(coded.codes).cast(pl.Utf8).to_list() == chunk.cast(pl.Utf8).to_list(), name
        assert coder.code(chunks[-1].alias(name)).values is found[-1].values, name


def test_codes_are_kept_across_chunks() -> None:
    """Each chunk's codes give back its values, and text and nationality lists keep their codes from chunk to
    chunk, also once a list too long for direct addressing comes. Dates are coded from the first day of the span
    seen so far, so a chunk inside that span leaves the values as they were."""
    chunks = {
        "service.force": [["ru-armed-forces", None, "fr-foreign-legion"], ["x", "ru-armed-forces"]],
        "citizenships": [[["TJ"], ["RU", "FR"], None, []], [["FR", "RU"], ["TJ", "UZ", "KG"], ["TJ"], None]],
        "birth_date": [[dt.date(1990, 1, 1), None], [dt.date(1950, 5, 5), dt.date(1990, 1, 1), dt.date(2030, 1, 1)]],
    }
    for name, values in chunks.items():
        coder = FactCoder(name)
        first, second = (coder.code(pl.Series(name, chunk)) for chunk in values)
        for chunk, coded in ((values[0], first), (values[1], second)):
            assert coded.values.gather(coded.codes).to_list() == chunk, name
        if name != "birth_date":
            for value in (value for value in values[0] if value in values[1]):
                at_first, at_second = values[0].index(value), values[1].index(value)
                assert first.codes[at_first] == second.codes[at_second], (name, value)
    inside = coder.code(pl.Series("birth_date", [dt.date(1970, 3, 3), None]))
    assert inside.values is second.values
    assert inside.values.gather(inside.codes).to_list() == [dt.date(1970, 3, 3), None]


def test_tables_are_not_rebuilt_for_a_chunk_with_no_new_value() -> None:
    law = shipped_law()
    people = population(2000, seed=5, forces=list(law.forces), missing=0.2)
    engine = TableEngine(plan_on(law, ON))
    engine.assess(people)
    built, assembly = [unit.lookup for unit in engine.units()], engine.assembly
    shuffled = people.sample(fraction=1.0, seed=3)
    _same(engine.assess(shuffled), assess_frame(shuffled, plan_on(law, ON)))
    assert [unit.lookup for unit in engine.units()] == built
    assert engine.assembly is assembly
    # A value not seen before: the tables it reads, and how the columns are put together, are made again.
    older = people.with_columns(pl.lit(dt.date(1901, 2, 3)).alias("birth_date"))
    _same(engine.assess(older), assess_frame(older, plan_on(law, ON)))
    assert engine.assembly is not assembly
