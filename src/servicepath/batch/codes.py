"""Each fact column of a chunk as small whole numbers: a code per person, and the distinct values the codes stand
for. Decision tables (batch/tables.py) evaluate the law once per distinct value, not once per person, then read
each person's answer by code.

A code is exact: two people share a code only when they hold the same value (unknown included). A fact is coded
by one coder for the whole run, so the values stay the same from chunk to chunk until a chunk shows a value not
seen before, and the tables built on them are kept. Columns that batch reads as Polars enums
(`check_chunk(..., coded=True)`) cost next to nothing to code; text is cast to an enum of its field's values
first when the field has a fixed list of values."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from servicepath.batch.code_kernels import NO_CODE, flag_codes, list_codes, longest_list, value_codes, value_range
from servicepath.batch.kernels import Codes
from servicepath.engine.polars_backend import fact_dtype
from servicepath.language import types as t
from servicepath.profile import fact_type

CODE = pl.UInt32
FLAGS = pl.Series([False, True, None], dtype=pl.Boolean)
"""The values of a boolean's codes."""
MAX_DATE_SPAN = 1_000_000
"""Dates are coded by their day number from the first day of the span seen so far, while the span stays this
small; past it, by a dictionary."""


@dataclass(frozen=True)
class CodedFact:
    """One fact of one chunk: `codes[i]` indexes `values`, typed as rules read the fact (null: unknown)."""

    name: str
    codes: Codes
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


def _dense(keys: pl.Series, column: pl.Series) -> tuple[Codes, pl.Series]:
    """Codes 0..n-1 for the distinct keys (one key per distinct value, unknown included), and a value for each
    code."""
    groups = pl.DataFrame({"key": keys}).with_row_index("at").group_by("key", maintain_order=True).agg("at")
    members = groups.with_row_index("code").select("code", "at").explode("at", empty_as_null=False)
    codes = np.empty(keys.len(), dtype=np.uint32)
    codes[members.get_column("at").to_numpy()] = members.get_column("code").to_numpy()
    return codes, column.gather(groups.get_column("at").list.first())


MAX_DIRECT_KEY = 1 << 22
"""Lists are coded by direct addressing over their positional keys while every key stays below this (an array of
this many entries)."""


def _decoded(key: int, base: int, categories: list[str]) -> list[str | None]:
    """The list whose positional key this is (item i is digit i in `base`: 0 past the list's end, a category's
    position plus one, or `base - 1` for a missing item)."""
    found: list[str | None] = []
    while key:
        key, digit = divmod(key, base)
        found.append(None if digit == base - 1 else categories[digit - 1])
    return found


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


@dataclass
class FactCoder:
    """Codes one fact chunk after chunk. A value keeps its code from one chunk to the next, and the values
    (`CodedFact.values`) stay the same object until a chunk shows a value not seen before, so decision tables
    built on them are reused as they are."""

    name: str
    dtype: pl.DataType = field(init=False)
    values: pl.Series | None = None
    days: tuple[int, int] | None = None
    """Dates: the first and last day number coded (code = day - first)."""
    seen: dict[object, int] = field(default_factory=dict)
    listed: list[object] = field(default_factory=list)
    """Values coded by a dictionary, in order of their codes."""
    known: npt.NDArray[np.uint32] | None = None
    """Lists coded by direct addressing: the code of each positional key (NO_CODE if not seen yet)."""
    categories: pl.Categories = field(default_factory=pl.Categories.random)
    """Text: codes given by Polars, kept for the whole run."""
    in_use: pl.Series = field(init=False)
    """An empty column of the categories: Polars forgets a Categories' texts once no column uses them."""
    by_dictionary: bool = False
    """Coded by `seen` from now on (a date span or a list too long for direct addressing was met)."""
    enum: tuple[pl.DataType, int, pl.Series] | None = None
    """An enum the fact was given in, its number of categories and the values of its codes: a column of that enum
    is coded with no cast and no new values."""

    def __post_init__(self) -> None:
        kind = fact_type(self.name)
        assert kind is not None, self.name
        self.dtype = fact_dtype(kind)
        self.in_use = pl.Series(dtype=pl.Categorical(self.categories))

    def code(self, column: pl.Series, out: Codes | None = None) -> CodedFact:
        """The column's codes (written to `out` if given) and the value of each code, typed as rules read the
        fact."""
        codes = np.empty(column.len(), dtype=np.uint32) if out is None else out
        given = column.dtype
        if given == pl.Boolean:
            flag_codes(column.to_arrow(), codes)
            return self._fixed(codes, FLAGS)
        if self.enum is not None and given == self.enum[0]:
            _, size, self.values = self.enum
            value_codes(column.to_arrow().indices, 0, size, codes)
            return CodedFact(self.name, codes, self.values)
        if given == pl.Date and not self.by_dictionary and self._dates(column, codes):
            assert self.values is not None
            return CodedFact(self.name, codes, self.values)
        if isinstance(self.dtype, pl.List) and not self.by_dictionary:
            return self._lists(column, codes)
        enum = domain_dtype(self.name)
        if enum is not None and column.dtype != enum:
            column = column.cast(enum)
        if isinstance(column.dtype, pl.Enum):
            size = column.dtype.categories.len()
            value_codes(column.to_arrow().indices, 0, size, codes)
            found = self._fixed(codes, _with_unknown(column.dtype.categories, self.dtype))
            if column.dtype == given:
                self.enum = (given, size, found.values)
            return found
        if column.dtype == pl.Utf8:
            return self._text(column, codes)
        return self._by_dictionary(column.to_physical() if column.dtype == pl.Categorical else column, column, codes)

    def _fixed(self, codes: Codes, values: pl.Series) -> CodedFact:
        if self.values is not values and (self.values is None or not self.values.equals(values)):
            self.values = values
        return CodedFact(self.name, codes, self.values)

    def _text(self, column: pl.Series, codes: Codes) -> CodedFact:
        """Text by the coder's own categories: Polars gives each text seen the next code, for the whole run."""
        found = column.cast(pl.Categorical(self.categories)).to_physical()
        texts = self.categories.to_series()
        if self.values is None or self.values.len() != texts.len() + 1:
            self.values = _with_unknown(texts, self.dtype)
        value_codes(found.to_arrow(), 0, texts.len(), codes)
        return CodedFact(self.name, codes, self.values)

    def _dates(self, column: pl.Series, codes: Codes) -> bool:
        """Day numbers from the first day coded; the range grows (in steps of a year, so seldom) when a chunk
        shows an earlier or later date. False when the span would be too long for a table."""
        days = column.to_arrow()
        found = value_range(days)
        low, high = found or ((self.days[0], self.days[0]) if self.days else (0, 0))
        if self.days is None or low < self.days[0] or high > self.days[1]:
            first, last = (low, high) if self.days is None else (min(low, self.days[0]), max(high, self.days[1]))
            first, last = first - first % 366, last - last % 366 + 365
            if last - first + 1 > MAX_DATE_SPAN:
                return False
            self.days = first, last
            dates = pl.Series(np.arange(first, last + 1, dtype=np.int32)).cast(pl.Date)
            self.values = _with_unknown(dates, self.dtype)
        first, last = self.days
        value_codes(days, first, last - first + 1, codes)
        return True

    def _lists(self, column: pl.Series, codes: Codes) -> CodedFact:
        """Lists of codes (nationalities) keyed by their items' positions in the domain, coded by direct
        addressing; each new key is decoded back into its list, so the values need no pass over the people."""
        dtype = domain_dtype(self.name)
        if dtype is not None and column.dtype != dtype:
            column = column.cast(dtype)
        inner = column.dtype.inner if isinstance(column.dtype, pl.List) else None
        array = column.to_physical().to_arrow()
        base = inner.categories.len() + 2 if isinstance(inner, pl.Enum) else MAX_DIRECT_KEY
        direct = 0  # the longest list coded by direct addressing
        while base ** (direct + 1) < MAX_DIRECT_KEY:
            direct += 1
        if not isinstance(inner, pl.Enum) or longest_list(array) > direct:
            self.seen = {_hashable(value): code for code, value in enumerate(self.listed)}
            return self._by_dictionary(column, column, codes)
        unknown = base**direct
        if self.known is None:
            self.known = np.full(unknown + 1, NO_CODE, dtype=np.uint32)
        fresh = list_codes(array, base, unknown, self.known, len(self.listed), codes)
        if fresh.size or self.values is None:
            categories = inner.categories.to_list()
            self.listed += [None if key == unknown else _decoded(int(key), base, categories) for key in fresh]
            self.values = pl.Series(self.listed, dtype=self.dtype)
        return CodedFact(self.name, codes, self.values)

    def _by_dictionary(self, keys: pl.Series, column: pl.Series, codes: Codes) -> CodedFact:
        """Codes by a dictionary of the values seen in every chunk so far (`keys`: one per distinct value)."""
        self.by_dictionary = True
        local, values = _dense(keys, column)
        mapping = np.empty(values.len(), dtype=np.uint32)
        grew = self.values is None
        for at, value in enumerate(values.to_list()):
            key = _hashable(value)
            code = self.seen.get(key)
            if code is None:
                code = self.seen[key] = len(self.listed)
                self.listed.append(value)
                grew = True
            mapping[at] = code
        if grew:
            self.values = pl.Series(self.listed, dtype=self.dtype)
        assert self.values is not None
        np.take(mapping, local, out=codes)
        return CodedFact(self.name, codes, self.values)
