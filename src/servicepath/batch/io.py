"""Reading people from CSV or Parquet in chunks, checking every value, and writing results.

A column named after a profile field holds that fact (docs/batch.md); an empty cell (CSV) or null (Parquet) is an
unknown fact. A row with a value that is not of its field's type is rejected with its row number and the reason,
and the run goes on. Other columns (an id, say) are copied to the output as they are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from servicepath.batch.codes import domain_dtype
from servicepath.engine.polars_backend import fact_dtype
from servicepath.language import types as t
from servicepath.profile import COUNTRY, Profile, fact_type, profile_data, profile_from_data
from servicepath.results import is_result_field, result_problem

ROW = "row"
"""The output column holding each person's row number in the input (1 = the first row after the header)."""
REASON = "reason"
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
LIST_SEPARATOR = ";"
STATELESS = "[]"
TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0")


class BatchInputError(ValueError):
    """A file that cannot be read at all (not a row that is wrong): one line, said to the user as it is."""


def file_format(path: Path) -> str:
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise BatchInputError(f"{path}: use a .csv or .parquet file (the format is told by the file name)")
    return found


def _scan(path: Path) -> pl.LazyFrame:
    if file_format(path) == "csv":
        return pl.scan_csv(path, infer_schema=False, encoding="utf8")
    return pl.scan_parquet(path)


def count_rows(path: Path) -> int:
    """The number of people in the file; a file that cannot be read raises BatchInputError."""
    if not path.is_file():
        raise BatchInputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise BatchInputError(f"{path}: the file is empty (a CSV needs at least a header line)")
    try:
        return int(_scan(path).select(pl.len()).collect().item())
    except (pl.exceptions.PolarsError, OSError) as error:
        raise BatchInputError(_unreadable(path, error)) from None


def _unreadable(path: Path, error: Exception) -> str:
    kind = file_format(path)
    if isinstance(error, pl.exceptions.NoDataError):
        return f"{path}: the file is empty (a CSV needs at least a header line)"
    if kind == "parquet":
        return f"{path}: not a readable Parquet file (truncated or corrupt?)"
    first = str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
    return f"{path}: not a readable CSV file ({first[:160]})"


def read_chunks(path: Path, chunk_size: int) -> Iterator[pl.DataFrame]:
    """The file in chunks of about `chunk_size` rows, so a file larger than memory is never held at once."""
    try:
        yield from _scan(path).collect_batches(chunk_size=chunk_size)
    except (pl.exceptions.PolarsError, OSError) as error:
        raise BatchInputError(_unreadable(path, error)) from None


@dataclass(frozen=True)
class Columns:
    """How the input's columns are read: facts, copied columns, and facts the rules read that the file lacks."""

    facts: tuple[str, ...]
    copied: tuple[str, ...]


def classify(names: list[str]) -> Columns:
    facts = tuple(name for name in names if fact_type(name) is not None)
    return Columns(facts, tuple(name for name in names if name not in facts and name != ROW))


def _message(kind: t.Type) -> str:
    if kind.kind is t.Kind.DATE:
        return "must be a date written YYYY-MM-DD"
    if kind.kind is t.Kind.BOOL:
        return "must be true or false"
    if kind.kind is t.Kind.NUMBER:
        return "must be a number"
    if kind.domain is COUNTRY:
        return (
            "must be ISO 3166-1 alpha-2 country codes"
            if kind.kind is t.Kind.SET
            else ("must be an ISO 3166-1 alpha-2 country code")
        )
    if kind.domain is not None:
        return f"must be one of {', '.join(kind.domain.values)}"
    return "must be text"


def _as_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.List | pl.Array):
        return column.cast(pl.List(pl.Utf8), strict=False).list.join(LIST_SEPARATOR)
    if dtype == pl.Utf8:
        return column
    return column.cast(pl.Utf8, strict=False)


Flaw = Callable[[pl.Expr], pl.Expr]
"""Whether each row's value is bad, given the column as parsed (so the parse is not done twice)."""


def _unparsed(parsed: pl.Expr) -> pl.Expr:
    return pl.lit(False)


def _parse(name: str, kind: t.Type, dtype: pl.DataType, coded: bool) -> tuple[pl.Expr, Flaw]:
    """The fact column typed as rules read it (`coded`: a fact with a fixed list of values as a Polars enum), and
    whether each row's value is bad."""
    raw = pl.col(name)
    given = raw.is_not_null()

    def unread(parsed: pl.Expr) -> pl.Expr:
        return given & parsed.is_null()

    if kind.kind is t.Kind.SET:
        if isinstance(dtype, pl.List | pl.Array):
            items = raw.cast(pl.List(pl.Utf8), strict=False)
            broken = raw.is_not_null() & items.is_null()
        else:
            text = _as_text(raw, dtype).str.strip_chars()
            items = (
                pl.when(text == STATELESS).then(pl.lit([], pl.List(pl.Utf8))).otherwise(text.str.split(LIST_SEPARATOR))
            )
            broken = pl.lit(False)
        items = items.list.eval(pl.element().str.strip_chars().str.to_uppercase()).list.eval(
            pl.element().filter(pl.element() != "")
        )
        if kind.domain is not None:
            outside = items.list.eval(pl.element().is_in(list(kind.domain.values)).not_()).list.any()
            broken = broken | (given & outside.fill_null(False))
        items = items.list.unique(maintain_order=True)
        enum = domain_dtype(name)
        return (items.cast(enum, strict=False) if coded and enum is not None else items), lambda _: broken
    if kind.kind is t.Kind.DATE:
        if dtype == pl.Date:
            return raw, _unparsed
        if isinstance(dtype, pl.Datetime):
            return raw.dt.date(), _unparsed
        return _as_text(raw, dtype).str.strip_chars().str.to_date("%Y-%m-%d", strict=False), unread
    if kind.kind is t.Kind.BOOL:
        if dtype == pl.Boolean:
            return raw, _unparsed
        word = _as_text(raw, dtype).str.strip_chars().str.to_lowercase()
        return pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False), unread
    if kind.kind is t.Kind.NUMBER:
        number = raw.cast(pl.Float64, strict=False) if dtype.is_numeric() else _as_text(raw, dtype).str.strip_chars()
        return number.cast(pl.Float64, strict=False), unread
    text = _as_text(raw, dtype).str.strip_chars()
    if kind.domain is COUNTRY:
        text = text.str.to_uppercase()
    enum = domain_dtype(name)
    if enum is None:
        return text, unread
    if coded:
        # One look-up per value both checks it and codes it.
        return text.cast(enum, strict=False), unread
    return text, lambda parsed: unread(parsed.cast(enum, strict=False))


def check_chunk(
    chunk: pl.DataFrame, first_row: int, needed: set[str], coded: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The chunk's good rows typed for the rules (every needed fact present, null where unknown, copied columns
    kept; `coded`: facts with a fixed list of values as Polars enums, as decision tables read them fastest) and
    its bad rows: row number, the reason, and the row's values as text."""
    columns = classify(chunk.columns)
    # Parsed facts and the copied columns' problems first, under names of their own; whether a row is bad is then
    # read from them, and reasons are written for bad rows alone (most chunks have none).
    parsed = {name: f"\0{name}" for name in columns.facts}
    problem = {name: f"\0problem {name}" for name in columns.copied if is_result_field(name)}
    flaws: dict[str, Flaw] = {}
    messages: dict[str, str] = {}
    steps: list[pl.Expr] = [pl.int_range(first_row, first_row + chunk.height, dtype=pl.Int64).alias(ROW)]
    for name in columns.facts:
        kind = _fact_type(name)
        value, flaws[name] = _parse(name, kind, chunk.schema[name], coded)
        messages[name] = f"{name}: {_message(kind)}"
        enum = domain_dtype(name) if coded else None
        steps.append(value.cast(enum or fact_dtype(kind)).alias(parsed[name]))
    for name, alias in problem.items():
        steps.append(pl.col(name).map_elements(partial(result_problem, name), return_dtype=pl.Utf8).alias(alias))
    bad = {name: flaw(pl.col(parsed[name])) for name, flaw in flaws.items()}
    flagged = [*bad.values(), *(pl.col(alias).is_not_null() for alias in problem.values())]
    checked = (
        chunk.lazy()
        .with_columns(steps)
        .with_columns(pl.any_horizontal(flagged).alias(REASON) if flagged else pl.lit(False).alias(REASON))
        .collect()
    )
    absent = [pl.lit(None, fact_dtype(_fact_type(name))).alias(name) for name in sorted(needed - set(columns.facts))]
    kept = [
        pl.col(ROW),
        *(pl.col(name) for name in columns.copied),
        *(pl.col(parsed[name]).alias(name) for name in parsed),
    ]
    if not checked.get_column(REASON).any():
        return checked.select(*kept, *absent), _no_rejects(chunk, columns)
    reasons = [
        *(pl.when(flag).then(pl.lit(messages[name])) for name, flag in bad.items()),
        *(pl.col(alias) for alias in problem.values()),
    ]
    rejected = checked.filter(pl.col(REASON)).with_columns(
        pl.concat_str(reasons, separator="; ", ignore_nulls=True).alias(REASON)
    )
    rejects = rejected.select(
        ROW,
        REASON,
        *(_as_text(pl.col(name), chunk.schema[name]).alias(name) for name in (*columns.facts, *columns.copied)),
    )
    return checked.filter(pl.col(REASON).not_()).select(*kept, *absent), rejects


def _fact_type(name: str) -> t.Type:
    kind = fact_type(name)
    assert kind is not None
    return kind


def _no_rejects(chunk: pl.DataFrame, columns: Columns) -> pl.DataFrame:
    return pl.DataFrame(
        schema={ROW: pl.Int64, REASON: pl.Utf8, **dict.fromkeys((*columns.facts, *columns.copied), pl.Utf8)}
    )


def profile_of(row: dict[str, Any]) -> Profile:
    """One typed row as a profile (the single-case input), for checks against the interpreter."""
    facts = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in row.items()
        if value is not None and fact_type(name) is not None
    }
    return profile_from_data(profile_data(facts))


class Writer:
    """Writes chunks (Arrow tables or Polars frames) to one CSV or Parquet file, on a thread of its own so that the
    next chunk is read and assessed meanwhile (an error shows at the next write or at close). Parquet goes
    through a streaming writer to a hidden file, moved in place when closed; CSV chunks are appended, with lists
    written 'A;B'."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = file_format(path)
        self.written = False
        self.partial = path.with_name(f".{path.name}.partial")
        self.parquet: pq.ParquetWriter | None = None
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="servicepath-writer")
        self.pending: Future[None] | None = None

    def write(self, chunk: pl.DataFrame | pa.Table) -> None:
        self._wait()
        self.pending = self.thread.submit(self._write, chunk, not self.written)
        self.written = True

    def _wait(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def _write(self, chunk: pl.DataFrame | pa.Table, first: bool) -> None:
        if self.kind == "csv":
            frame = chunk if isinstance(chunk, pl.DataFrame) else pl.DataFrame(pl.from_arrow(chunk))
            lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
            frame = frame.with_columns(pl.col(name).list.join(LIST_SEPARATOR) for name in lists)
            with self.path.open("w" if first else "a", encoding="utf-8", newline="") as handle:
                frame.write_csv(handle, include_header=first)
            return
        table = chunk.to_arrow() if isinstance(chunk, pl.DataFrame) else chunk
        if self.parquet is None:
            # Statistics of dictionary columns (verdicts, texts) cost half the writing time and let no reader
            # skip a chunk: each chunk holds most values. Numbers and dates keep theirs.
            plain = [field.name for field in table.schema if not pa.types.is_dictionary(field.type)]
            self.parquet = pq.ParquetWriter(self.partial, table.schema, write_statistics=plain)
        elif not table.schema.equals(self.parquet.schema):
            table = table.cast(self.parquet.schema)
        self.parquet.write_table(table)

    def close(self, empty: pl.DataFrame | pa.Table) -> None:
        """Finish the file; `empty` gives the columns when no chunk was written."""
        if not self.written:
            self.write(empty)
        try:
            self._wait()
        finally:
            self.thread.shutdown()
        if self.parquet is not None:
            self.parquet.close()
            self.partial.replace(self.path)
