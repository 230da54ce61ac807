"""Loops over people compiled to machine code (Numba), for the steps of decision tables that Polars would do as
many passes, each writing a column: a unit's row is a sum of lookups over several facts' codes, and a list of
nationalities is coded from its items. Compiled once and cached on disk; they release the GIL, so callers split
the people between threads."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import numba
import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.uint32]
Offsets = npt.NDArray[np.int64]

NO_CODE = np.uint32(0xFFFFFFFF)
"""A key not seen yet, in a direct-addressing map."""


def _compiled(function: Callable[..., Any]) -> Callable[..., Any]:
    return cast(Callable[..., Any], numba.njit(nogil=True, cache=True)(function))


BLOCK = 16384
"""People per block: a block's joint values stay in the core's cache while each unit's row is summed."""


def _unit_rows(
    facts: Codes,
    group_facts: Offsets,
    group_strides: Offsets,
    group_bounds: Offsets,
    term_groups: Offsets,
    term_bounds: Offsets,
    term_values: Codes,
    unit_bounds: Offsets,
    rows: Codes,
    start: int,
    stop: int,
) -> None:
    # Block by block, one output row at a time: writing every unit's row for each person in turn would keep as
    # many write streams open as there are units, more than a core tracks.
    groups = group_bounds.size - 1
    joint = np.empty((groups, BLOCK), dtype=np.uint32)
    total = np.empty(BLOCK, dtype=np.uint32)
    for first in range(start, stop, BLOCK):
        size = min(BLOCK, stop - first)
        # Views indexed by unsigned codes: no check for negative indices, so the loops vectorise.
        for group in range(groups):
            codes = joint[group]
            codes[:size] = 0
            for at in range(group_bounds[group], group_bounds[group + 1]):
                column, stride = facts[group_facts[at], first : first + size], np.uint32(group_strides[at])
                for person in range(size):
                    codes[person] += column[person] * stride
        for unit in range(unit_bounds.size - 1):
            total[:size] = 0
            for term in range(unit_bounds[unit], unit_bounds[unit + 1]):
                values = term_values[term_bounds[term] : term_bounds[term + 1]]
                codes = joint[term_groups[term]]
                for person in range(size):
                    total[person] += values[codes[person]]
            rows[unit, first : first + size] = total[:size]


def _list_codes(
    offsets: Offsets,
    items: Codes,
    valid: npt.NDArray[np.bool_],
    base: int,
    unknown: int,
    known: Codes,
    next_code: int,
    codes: Codes,
) -> Offsets:
    """Each list's positional key (item i is digit i in `base`; `unknown` for a missing list), coded through
    `known` (key to code; a key still at NO_CODE gets the next code, from `next_code` on). Returns the new keys in
    order of first sight."""
    fresh = np.empty(offsets.size - 1, dtype=np.int64)
    count = 0
    for person in range(offsets.size - 1):
        key = np.int64(unknown)
        if valid[person]:
            key = np.int64(0)
            weight = np.int64(1)
            for at in range(offsets[person], offsets[person + 1]):
                key += (np.int64(items[at]) + 1) * weight
                weight *= base
        if known[key] == NO_CODE:
            known[key] = next_code + count
            fresh[count] = key
            count += 1
        codes[person] = known[key]
    return fresh[:count]


unit_rows_kernel = _compiled(_unit_rows)
list_codes = _compiled(_list_codes)


def unit_rows(
    facts: list[Codes],
    groups: list[list[tuple[int, int]]],
    terms: list[list[tuple[int, Codes]]],
    people: int,
    workers: int,
) -> Codes:
    """Each unit's row per person: `groups` gives each group's (fact, stride) pairs, whose weighted sum of codes is
    the person's joint value; `terms` gives each unit's (group, value per joint value) pairs, whose sum at the
    person's joint values is the row."""
    group_facts = np.array([fact for group in groups for fact, _ in group], dtype=np.int64)
    group_strides = np.array([stride for group in groups for _, stride in group], dtype=np.int64)
    group_bounds = np.cumsum([0, *(len(group) for group in groups)], dtype=np.int64)
    flat = [term for unit in terms for term in unit]
    term_groups = np.array([group for group, _ in flat], dtype=np.int64)
    term_bounds = np.cumsum([0, *(values.size for _, values in flat)], dtype=np.int64)
    term_values = np.concatenate([values for _, values in flat]) if flat else np.zeros(0, dtype=np.uint32)
    unit_bounds = np.cumsum([0, *(len(unit) for unit in terms)], dtype=np.int64)
    rows = np.zeros((len(terms), people), dtype=np.uint32)
    stacked = np.empty((len(facts), people), dtype=np.uint32)
    step = -(-people // workers) if people else 1

    def part(start: int) -> None:
        stop = min(start + step, people)
        for at, codes in enumerate(facts):
            stacked[at, start:stop] = codes[start:stop]
        unit_rows_kernel(
            stacked,
            group_facts,
            group_strides,
            group_bounds,
            term_groups,
            term_bounds,
            term_values,
            unit_bounds,
            rows,
            start,
            stop,
        )

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(part, range(0, people, step)))
    return rows
