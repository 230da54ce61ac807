"""Each fact column of a chunk as small whole numbers: a code per person, and the distinct values the codes stand
for. Decision tables (batch/tables.py) evaluate the law once per distinct value, not once per person, then read
each person's answer by code.

A code is exact: two people share a code only when they hold the same value (unknown included).
Columns that batch reads as Polars enums (`check_chunk(..., coded=True)`) cost nothing to code; text is cast to an
enum of its field's values first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from servicepath.engine.polars_backend import fact_dtype
from servicepath.language import types as t
from servicepath.profile import fact_type

CODE = pl.UInt32
MAX_DATE_SPAN = 1_000_000
"""Dates are coded by their day number from the chunk's earliest date, so long as the span stays this small."""


@dataclass(frozen=True)
class CodedFact:
    """One fact of one chunk: `codes[i]` indexes `values`, typed as rules read the fact (null: unknown)."""

    name: str
    codes: pl.Series
    values: pl.Series

    @property
    def size(self) -> int:
        return self.values.len()


def domain_dtype(name: str) -> pl.DataType | None:
    """The enum a fact with a fixed list of values is held in when batch reads it coded, else None."""
    kind = fact_type(name)
    if kind is None or kind.domain is None:
        return None
    enum = pl.Enum(list(kind.domain.values))
    return pl.List(enum) if kind.kind is t.Kind.SET else enum


def _with_unknown(values: pl.Series, dtype: pl.DataType) -> pl.Series:
    return pl.concat([values.cast(dtype), pl.Series([None], dtype=dtype)])


def _category_codes(column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Enum or categorical codes as they are (a categorical's categories listed in the order of their codes)."""
    categories = column.dtype.categories if isinstance(column.dtype, pl.Enum) else column.cat.get_categories()
    return column.to_physical().cast(CODE).fill_null(categories.len()), categories


def _dense(keys: pl.Series, column: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Codes 0..n-1 for the distinct keys (one key per distinct value), and a value for each code."""
    first = (
        pl.DataFrame({"key": keys}).with_row_index("at").group_by("key", maintain_order=True).agg(pl.col("at").first())
    )
    codes = keys.replace_strict(first.get_column("key"), pl.int_range(first.height, dtype=CODE, eager=True))
    return codes.cast(CODE), column.gather(first.get_column("at"))


MAX_DIRECT_KEY = 1 << 22
"""Positional list keys below this are made dense by direct addressing (an array of this many entries)."""


def _list_codes(column: pl.Series, name: str) -> tuple[pl.Series, pl.Series]:
    """Lists of codes (nationalities) keyed by their items' positions in the domain, then made dense (a table
    over every possible key would be larger than the caches that make lookups fast). Each distinct key is
    decoded back into its list, so the values need no pass over the people."""
    dtype = domain_dtype(name)
    if dtype is not None and column.dtype != dtype:
        column = column.cast(dtype)
    inner = column.dtype.inner if isinstance(column.dtype, pl.List) else None
    array = column.to_physical().to_arrow()
    offsets = np.asarray(array.offsets)
    lengths = np.diff(offsets)
    longest = int(lengths.max()) if lengths.size else 0
    if not isinstance(inner, pl.Enum) or (inner.categories.len() + 1) ** longest >= MAX_DIRECT_KEY:
        return _dense(column, column)
    base = inner.categories.len() + 1
    unknown = base**longest
    items = np.asarray(array.values.fill_null(0), dtype=np.uint32)
    key = np.zeros(column.len(), dtype=np.uint32)
    for position in range(longest):
        at = np.minimum(offsets[:-1] + position, max(items.size - 1, 0))
        key += np.where(lengths > position, items[at] + 1, 0).astype(np.uint32) * np.uint32(base**position)
    key[column.is_null().to_numpy()] = unknown
    seen = np.zeros(unknown + 1, dtype=np.bool_)
    seen[key] = True
    distinct = np.flatnonzero(seen)
    dense = np.zeros(unknown + 1, dtype=np.uint32)
    dense[distinct] = np.arange(distinct.size, dtype=np.uint32)
    categories = inner.categories.to_list()
    values = [None if found == unknown else _decoded(int(found), base, categories) for found in distinct]
    return pl.Series(dense[key]), pl.Series(values, dtype=column.dtype)


def _decoded(key: int, base: int, categories: list[str]) -> list[str]:
    """The list whose positional key this is (item i is digit i in `base`, 0 past the list's end)."""
    found = []
    while key:
        key, digit = divmod(key, base)
        found.append(categories[digit - 1])
    return found


def code_fact(name: str, column: pl.Series) -> CodedFact:
    """The column's codes and the value of each code, typed as rules read the fact."""
    kind = fact_type(name)
    assert kind is not None, name
    dtype = fact_dtype(kind)
    if column.dtype == pl.Boolean:
        codes = column.cast(CODE).fill_null(2)
        return CodedFact(name, codes, pl.Series([False, True, None], dtype=pl.Boolean))
    if column.dtype == pl.Date:
        days = column.to_physical()
        found = days.drop_nulls()
        if found.is_empty():
            return CodedFact(name, pl.Series(np.zeros(column.len(), dtype=np.uint32)), pl.Series([None], dtype=dtype))
        low, high = int(found.min()), int(found.max())  # type: ignore[arg-type]
        span = high - low + 1
        if span <= MAX_DATE_SPAN:
            codes = (days - low).cast(CODE).fill_null(span)
            dates = pl.Series(np.arange(low, high + 1, dtype=np.int32)).cast(pl.Date)
            return CodedFact(name, codes, _with_unknown(dates, dtype))
    if kind.kind is t.Kind.SET:
        codes, values = _list_codes(column, name)
        return CodedFact(name, codes, values.cast(dtype))
    enum = domain_dtype(name)
    if enum is not None and column.dtype != enum:
        column = column.cast(enum)
    elif column.dtype == pl.Utf8:
        column = column.cast(pl.Categorical(pl.Categories.random()))  # fresh categories: codes 0..n-1
    if isinstance(column.dtype, pl.Enum | pl.Categorical):
        codes, categories = _category_codes(column)
        return CodedFact(name, codes, _with_unknown(categories, dtype))
    codes, values = _dense(column, column)
    return CodedFact(name, codes, values.cast(dtype))
