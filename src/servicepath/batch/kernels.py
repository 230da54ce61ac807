"""Loops over people compiled to machine code (Numba), for the steps of decision tables that Polars would do as
many passes, each writing a column: a unit's row is a sum of lookups over several facts' codes, its columns are
gathered at that row (with Arrow's validity bitmaps), and dates are derived from gathered columns (a force's
citizenship date). Compiled once and cached on disk; they release the GIL, so callers split the people between
threads."""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numba
import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.uint32]
Offsets = npt.NDArray[np.int64]


def compiled(function: Callable[..., Any]) -> Callable[..., Any]:
    return cast(Callable[..., Any], numba.njit(nogil=True, cache=True)(function))


BLOCK = 16384
"""People per block: a block's joint values and rows stay in the core's cache while each output is gathered."""

WIDTHS = (1, 2, 4, 8)
"""Bytes per value of an output column: its values are gathered as unsigned numbers of this width."""


def _gather_outputs(
    facts: Any,
    group_facts: Offsets,
    group_strides: Offsets,
    group_bounds: Offsets,
    group_direct: Offsets,
    term_groups: Offsets,
    term_bounds: Offsets,
    term_values: Codes,
    unit_bounds: Offsets,
    unit_direct: Offsets,
    column_bounds: Offsets,
    column_widths: Offsets,
    column_slots: Offsets,
    column_starts: Offsets,
    column_bitmaps: Offsets,
    column_missing: npt.NDArray[np.uint64],
    tables: tuple[Any, Any, Any, Any],
    block_table: Codes,
    program: Offsets,
    outputs: tuple[Any, Any, Any, Any],
    bitmaps: npt.NDArray[np.uint8],
    dates: npt.NDArray[np.uint32],
    date_bitmaps: npt.NDArray[np.uint8],
    start: int,
    stop: int,
) -> None:
    # Block by block, one unit's row at a time, then each of the unit's columns: the row stays in the cache, and
    # each column is written as one stream (every column of every unit for each person in turn would keep more
    # write streams open than a core tracks). Then the dates derived from the block columns.
    table1, table2, table4, table8 = tables
    out1, out2, out4, out8 = outputs
    groups = group_bounds.size - 1
    joint = np.empty((groups, BLOCK), dtype=np.uint32)
    row = np.empty(BLOCK, dtype=np.uint32)
    valid = np.empty(BLOCK, dtype=np.uint8)
    blocks = np.empty((int((column_widths == 0).sum()), BLOCK), dtype=np.uint32)
    stack = np.empty((program_depth(program), BLOCK), dtype=np.uint32)
    for first in range(start, stop, BLOCK):
        size = min(BLOCK, stop - first)
        # Views indexed by unsigned codes: no check for negative indices, so the loops vectorise.
        # A group of one fact (stride 1) has the fact's codes for joint values: no pass.
        for group in range(groups):
            if group_direct[group] >= 0:
                continue
            codes = joint[group]
            codes[:size] = 0
            for at in range(group_bounds[group], group_bounds[group + 1]):
                column, stride = facts[group_facts[at]][first : first + size], np.uint32(group_strides[at])
                for person in range(size):
                    codes[person] += column[person] * stride
        for unit in range(unit_bounds.size - 1):
            # A unit whose table is indexed by one group's joint values reads them as its row.
            source = row[:size]
            if unit_direct[unit] >= 0:
                group = unit_direct[unit]
                fact = group_direct[group]
                source = facts[fact][first : first + size] if fact >= 0 else joint[group, :size]
            elif unit_bounds[unit] == unit_bounds[unit + 1]:
                row[:size] = 0
            for term in range(unit_bounds[unit], unit_bounds[unit + 1]):
                values = term_values[term_bounds[term] : term_bounds[term + 1]]
                group = term_groups[term]
                fact = group_direct[group]
                codes = facts[fact][first : first + size] if fact >= 0 else joint[group, :size]
                if term == unit_bounds[unit]:
                    for person in range(size):
                        row[person] = values[codes[person]]
                else:
                    for person in range(size):
                        row[person] += values[codes[person]]
            for output in range(column_bounds[unit], column_bounds[unit + 1]):
                width, slot, begin = column_widths[output], column_slots[output], column_starts[output]
                if width == 0:
                    gather_values(block_table[begin:], source, size, blocks[slot])
                elif width == 1:
                    gather_values(table1[begin:], source, size, out1[slot, first : first + size])
                elif width == 2:
                    gather_values(table2[begin:], source, size, out2[slot, first : first + size])
                elif width == 4:
                    gather_values(table4[begin:], source, size, out4[slot, first : first + size])
                else:
                    gather_values(table8[begin:], source, size, out8[slot, first : first + size])
                if column_bitmaps[output] >= 0:
                    bits = bitmaps[column_bitmaps[output], first // 8 : (first + size + 7) // 8]
                    if width == 1:
                        mark_missing(out1[slot, first : first + size], column_missing[output], valid, bits)
                    elif width == 2:
                        mark_missing(out2[slot, first : first + size], column_missing[output], valid, bits)
                    elif width == 4:
                        mark_missing(out4[slot, first : first + size], column_missing[output], valid, bits)
                    else:
                        mark_missing(out8[slot, first : first + size], column_missing[output], valid, bits)
        run_program(program, blocks, stack, size, dates, date_bitmaps, first, valid)


LOAD, MET, MIN, MAX, WHEN, EARLIEST, WRITE = range(7)
"""The derived dates' instructions (op, a, b), over a stack of a date per person of the block: LOAD block column
a; MET: load block column a where block column b is not 0, else missing; MIN and MAX of the top two dates (missing
if one is); WHEN: the top date where block column a is not 0, else missing; EARLIEST of the top two dates (the one
there if the other is missing); WRITE the top date to date output a, with validity bitmap a (of the dates')."""

SIGN = np.uint32(0x80000000)


def date_keys(days: npt.NDArray[np.int32], missing: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint32]:
    """Dates as the derived dates read them: the day number with its sign bit flipped, so that unsigned order is
    date order, and 0 (less than any date) where missing. Every operation is then a branch-free loop of unsigned
    minimums and maximums, which vectorises."""
    return np.where(missing, np.uint32(0), days.view(np.uint32) ^ SIGN)


def _program_depth(program: Offsets) -> int:
    depth = top = 0
    for at in range(program.shape[0]):
        op = program[at, 0]
        top += 1 if op in (LOAD, MET) else -1 if op in (MIN, MAX, EARLIEST, WRITE) else 0
        depth = max(depth, top)
    return depth


def _run_program(
    program: Offsets,
    blocks: Codes,
    stack: Codes,
    size: int,
    dates: Codes,
    bitmaps: npt.NDArray[np.uint8],
    first: int,
    valid: npt.NDArray[np.uint8],
) -> None:
    # One operation at a time over the whole block, each a loop without branches.
    top = 0
    none, sign = np.uint32(0), SIGN
    for at in range(program.shape[0]):
        op, a, b = program[at, 0], program[at, 1], program[at, 2]
        if op == LOAD:
            stack[top, :size] = blocks[a, :size]
            top += 1
        elif op == MET:
            result, date, met = stack[top], blocks[a], blocks[b]
            for person in range(size):
                result[person] = date[person] if met[person] != 0 else none
            top += 1
        elif op == WHEN:
            result, met = stack[top - 1], blocks[a]
            for person in range(size):
                result[person] = result[person] if met[person] != 0 else none
        elif op == WRITE:
            top -= 1
            result, out = stack[top], dates[a, first : first + size]
            for person in range(size):
                out[person] = result[person] ^ sign
            mark_missing(out[:size], np.uint64(sign), valid, bitmaps[a, first // 8 : (first + size + 7) // 8])
        else:
            top -= 1
            result, other = stack[top - 1], stack[top]
            if op == MIN:
                # Missing is the least: the minimum is missing when one is.
                for person in range(size):
                    result[person] = min(result[person], other[person])
            elif op == MAX:
                for person in range(size):
                    low, high = min(result[person], other[person]), max(result[person], other[person])
                    result[person] = high if low != none else none
            else:
                # Less one (wrapping), missing is the greatest: the earliest of the dates there.
                for person in range(size):
                    result[person] = min(result[person] - np.uint32(1), other[person] - np.uint32(1)) + np.uint32(1)


def _gather_values(table: Any, row: Codes, size: int, out: Any) -> None:
    for person in range(size):
        out[person] = table[row[person]]


def _mark_missing(values: Any, missing: np.uint64, valid: npt.NDArray[np.uint8], bits: npt.NDArray[np.uint8]) -> None:
    """Arrow's validity bitmap of values where `missing` marks no value (bit i of byte j: value 8j + i is
    there), and 0 in place of `missing`. Each byte of bits is packed by one multiplication: the eight 0/1 bytes
    of a 64-bit word times 0x0102040810204080 carry byte i's bit to bit 56 + i, and no two products overlap."""
    size = values.size
    for at in range(size):
        there = values[at] != missing
        valid[at] = there
        values[at] = values[at] if there else 0
    valid[size : (size + 7) // 8 * 8] = 0
    words = valid[: (size + 7) // 8 * 8].view(np.uint64)
    for at in range(words.size):
        bits[at] = (words[at] * np.uint64(0x0102040810204080)) >> np.uint64(56)


gather_values = compiled(_gather_values)
mark_missing = compiled(_mark_missing)
program_depth = compiled(_program_depth)
run_program = compiled(_run_program)
gather_outputs_kernel = compiled(_gather_outputs)


@dataclass(frozen=True)
class TableColumn:
    """One column of a unit's table: a value per row as unsigned numbers of 1, 2, 4 or 8 bytes; `missing`, if
    not None, is the value that marks a row with no value (gathered as 0, with a validity bitmap)."""

    values: npt.NDArray[Any]
    missing: int | None


@dataclass(frozen=True)
class BlockColumn:
    """A column of a unit's table gathered only for the block at hand, for the derived dates to read: dates as
    `date_keys`, or conditions as 0/1."""

    values: Codes


@dataclass(frozen=True)
class UnitTable:
    """A unit's row per person as a sum of terms, each a value per joint value of a group; and its columns."""

    terms: list[tuple[int, Codes]]
    columns: list[TableColumn | BlockColumn]


DateTree = int | tuple[str, list["DateTree"]]
"""A date read from block columns: a block column's index (in order of the units' columns), or ("min" | "max",
arguments), missing when one argument is."""


@dataclass(frozen=True)
class EarliestDate:
    """The earliest date of the paths whose conditions hold, missing if none: per path, the block column of its
    conditions and its date."""

    paths: list[tuple[int, DateTree]]


Gathered = tuple[npt.NDArray[Any], npt.NDArray[np.uint8] | None]
"""A column's values per person, and its validity bitmap (Arrow's layout) if some are missing."""


def _program(dates: list[EarliestDate]) -> Offsets:
    """The instructions of `_run_program` for the dates (each with a path at least), the i-th written to the i-th
    date output."""
    program: list[tuple[int, int, int]] = []

    def load(tree: DateTree) -> None:
        if isinstance(tree, int):
            program.append((LOAD, tree, 0))
            return
        function, (head, *rest) = tree
        load(head)
        for argument in rest:
            load(argument)
            program.append((MIN if function == "min" else MAX, 0, 0))

    for at, date in enumerate(dates):
        for path, (met, tree) in enumerate(date.paths):
            if isinstance(tree, int):
                program.append((MET, tree, met))
            else:
                load(tree)
                program.append((WHEN, met, 0))
            if path:
                program.append((EARLIEST, 0, 0))
        program.append((WRITE, at, 0))
    return np.array(program, dtype=np.int64).reshape(-1, 3)


@dataclass
class Buffers:
    """Output arrays kept from one chunk to the next. An array is handed out again only once nothing else holds it
    (no Arrow array, Polars column nor NumPy view made of it is left), so results never change under their
    holder; the pages of a fresh array cost more to touch first than the pass takes to fill them. At most two
    arrays of a shape are kept, and the shapes of the last few chunk sizes."""

    kept: dict[tuple[tuple[int, ...], str], list[npt.NDArray[Any]]] = field(default_factory=dict)

    def take(self, shape: tuple[int, ...], dtype: str) -> npt.NDArray[Any]:
        if (shape, dtype) not in self.kept and len(self.kept) >= 16:
            self.kept.clear()
        arrays = self.kept.setdefault((shape, dtype), [])
        for array in arrays:
            # Referenced by the list, by `array` and by getrefcount's argument: by nothing else.
            if sys.getrefcount(array) == 3:
                return array
        array = np.empty(shape, dtype=dtype)
        if len(arrays) < 2:
            arrays.append(array)
        return array


@dataclass(frozen=True)
class CompiledPass:
    """The compiled pass's inputs that stay the same while the tables do (built once, run chunk after chunk):
    the groups, the units' terms and columns joined into flat arrays, and the dates' program."""

    group_facts: Offsets
    group_strides: Offsets
    group_bounds: Offsets
    group_direct: Offsets
    term_groups: Offsets
    term_bounds: Offsets
    term_values: Codes
    unit_bounds: Offsets
    unit_direct: Offsets
    column_bounds: Offsets
    widths: Offsets
    slots: Offsets
    starts: Offsets
    column_bitmaps: Offsets
    column_missing: npt.NDArray[np.uint64]
    tables: tuple[npt.NDArray[Any], ...]
    block_table: Codes
    program: Offsets
    counts: tuple[int, ...]
    """Output columns per width (of `WIDTHS`)."""
    marked: int
    """Output columns with a validity bitmap."""
    dates: int

    def run(self, facts: list[Codes], people: int, workers: int, buffers: Buffers | None = None) -> list[Gathered]:
        """Every unit's table columns per person, in order, then the dates, for people whose fact codes (in the
        order of the groups' fact indices) are `facts`."""
        take = (buffers or Buffers()).take
        outputs = tuple(take((count, people), f"u{width}") for count, width in zip(self.counts, WIDTHS, strict=True))
        bitmaps = take((self.marked, (people + 7) // 8), "u1")
        date_values = take((self.dates, people), "u4")
        date_bitmaps = take((self.dates, (people + 7) // 8), "u1")
        fact_list = numba.typed.List(facts) if facts else numba.typed.List.empty_list(numba.uint32[::1])
        # Each thread takes an equal share, its people starting on a cache line of the validity bitmaps.
        step = max(1, -(-people // (workers * 512))) * 512

        def part(start: int) -> None:
            gather_outputs_kernel(
                fact_list,
                self.group_facts,
                self.group_strides,
                self.group_bounds,
                self.group_direct,
                self.term_groups,
                self.term_bounds,
                self.term_values,
                self.unit_bounds,
                self.unit_direct,
                self.column_bounds,
                self.widths,
                self.slots,
                self.starts,
                self.column_bitmaps,
                self.column_missing,
                self.tables,
                self.block_table,
                self.program,
                outputs,
                bitmaps,
                date_values,
                date_bitmaps,
                start,
                min(start + step, people),
            )

        starts = range(0, people, step)
        if len(starts) == 1:
            part(0)
        else:
            list(thread_pool(workers).map(part, starts))
        gathered: list[Gathered] = [
            (outputs[WIDTHS.index(width)][slot], None if at < 0 else bitmaps[at])
            for width, slot, at in zip(
                self.widths.tolist(), self.slots.tolist(), self.column_bitmaps.tolist(), strict=True
            )
            if width
        ]
        return gathered + list(zip(date_values, date_bitmaps, strict=True))


_pools: dict[int, ThreadPoolExecutor] = {}


def thread_pool(workers: int) -> ThreadPoolExecutor:
    """A pool of this many threads, kept for the process: starting threads every chunk costs more than a small
    chunk's pass."""
    if workers not in _pools:
        _pools[workers] = ThreadPoolExecutor(workers, thread_name_prefix="servicepath-pass")
    return _pools[workers]


def compile_pass(
    groups: list[list[tuple[int, int]]], units: list[UnitTable], dates: list[EarliestDate]
) -> CompiledPass:
    """The pass over people that gathers every unit's table columns, then the dates: `groups` gives each group's
    (fact, stride) pairs, whose weighted sum of codes is the person's joint value; a unit's row is the sum of its
    terms at the person's joint values, and each column's value is the table's at that row."""
    # A unit with one term reads its table at the group's joint value: the term is composed into its columns.
    unit_direct = np.array([unit.terms[0][0] if len(unit.terms) == 1 else -1 for unit in units], dtype=np.int64)
    units = [
        UnitTable([], [_composed(column, unit.terms[0][1]) for column in unit.columns])
        if len(unit.terms) == 1
        else unit
        for unit in units
    ]
    group_direct = np.array(
        [group[0][0] if len(group) == 1 and group[0][1] == 1 else -1 for group in groups], dtype=np.int64
    )
    flat = [term for unit in units for term in unit.terms]
    columns = [column for unit in units for column in unit.columns]
    # A block column has width 0.
    widths = [column.values.itemsize if isinstance(column, TableColumn) else 0 for column in columns]
    slots, starts = [], []
    counts, filled = dict.fromkeys((0, *WIDTHS), 0), dict.fromkeys((0, *WIDTHS), 0)
    for column, width in zip(columns, widths, strict=True):
        slots.append(counts[width])
        starts.append(filled[width])
        counts[width] += 1
        filled[width] += column.values.size
    marked = [isinstance(column, TableColumn) and column.missing is not None for column in columns]
    column_bitmaps = np.cumsum(marked, dtype=np.int64) - 1
    column_bitmaps[np.logical_not(marked)] = -1
    return CompiledPass(
        group_facts=np.array([fact for group in groups for fact, _ in group], dtype=np.int64),
        group_strides=np.array([stride for group in groups for _, stride in group], dtype=np.int64),
        group_bounds=np.cumsum([0, *(len(group) for group in groups)], dtype=np.int64),
        group_direct=group_direct,
        term_groups=np.array([group for group, _ in flat], dtype=np.int64),
        term_bounds=np.cumsum([0, *(values.size for _, values in flat)], dtype=np.int64),
        term_values=np.concatenate([values for _, values in flat]) if flat else np.zeros(0, dtype=np.uint32),
        unit_bounds=np.cumsum([0, *(len(unit.terms) for unit in units)], dtype=np.int64),
        unit_direct=unit_direct,
        column_bounds=np.cumsum([0, *(len(unit.columns) for unit in units)], dtype=np.int64),
        widths=np.array(widths, dtype=np.int64),
        slots=np.array(slots, dtype=np.int64),
        starts=np.array(starts, dtype=np.int64),
        column_bitmaps=column_bitmaps,
        column_missing=np.array([getattr(column, "missing", None) or 0 for column in columns], dtype=np.uint64),
        tables=tuple(
            _joined([column.values for column, used in zip(columns, widths, strict=True) if used == width], f"u{width}")
            for width in WIDTHS
        ),
        block_table=_joined([column.values for column in columns if isinstance(column, BlockColumn)], "u4"),
        program=_program(dates),
        counts=tuple(counts[width] for width in WIDTHS),
        marked=sum(marked),
        dates=len(dates),
    )


def _composed(column: TableColumn | BlockColumn, rows: Codes) -> TableColumn | BlockColumn:
    """The column's value at each row given."""
    return replace(column, values=column.values[rows])


def _joined(tables: list[npt.NDArray[Any]], dtype: str) -> npt.NDArray[Any]:
    return np.concatenate(tables) if tables else np.zeros(0, dtype=dtype)
