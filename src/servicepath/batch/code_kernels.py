"""Facts coded straight from their Arrow buffers (booleans, dates, enums, lists of enums), in loops compiled with
Numba: one pass per column (over the validity bitmap unpacked a byte per value), where Polars would take a pass to
fill the missing values and another to cast. They release the GIL, so a chunk's columns are coded side by side."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from servicepath.batch.kernels import Codes, Offsets, compiled

NO_CODE = np.uint32(0xFFFFFFFF)
"""A key not seen yet, in a direct-addressing map."""

Flags = npt.NDArray[np.uint8]
"""One byte per value, 0 or 1 (a bitmap unpacked: the loops over it vectorise, the bit tests would not)."""


def _code_flags(there: Flags, bits: Flags, codes: Codes) -> None:
    for person in range(codes.size):
        codes[person] = np.uint32(bits[person]) if there[person] else np.uint32(2)


def _code_values(there: Flags, values: Any, shift: int, unknown: int, codes: Codes) -> None:
    # Unsigned 32-bit arithmetic: the same codes (modulo 2**32), and the loop vectorises.
    first, missing = np.uint32(shift), np.uint32(unknown)
    for person in range(codes.size):
        codes[person] = np.uint32(values[person]) - first if there[person] else missing


def _value_range(there: Flags, values: Any) -> tuple[np.int64, np.int64, int]:
    """The least and greatest value there, and how many are there."""
    low, high, count = np.int64(2**62), np.int64(-(2**62)), 0
    for person in range(values.size):
        value = np.int64(values[person])
        low = min(low, value) if there[person] else low
        high = max(high, value) if there[person] else high
        count += there[person]
    return low, high, count


def _list_codes(
    there: Flags,
    offsets: Any,
    items: Any,
    items_there: Flags,
    base: int,
    unknown: int,
    known: Codes,
    next_code: int,
    codes: Codes,
) -> Offsets:
    """Each list's positional key (item i is digit i in `base`: its code plus one, `base - 1` if missing;
    `unknown` for a missing list), coded through `known` (key to code; a key still at NO_CODE gets the next code,
    from `next_code` on). Returns the new keys in order of first sight."""
    fresh = np.empty(codes.size, dtype=np.int64)
    count = 0
    for person in range(codes.size):
        key = np.int64(unknown)
        if there[person]:
            key = np.int64(0)
            weight = np.int64(1)
            for item in range(offsets[person], offsets[person + 1]):
                key += (np.int64(items[item]) + 1 if items_there[item] else base - 1) * weight
                weight *= base
        if known[key] == NO_CODE:
            known[key] = next_code + count
            fresh[count] = key
            count += 1
        codes[person] = known[key]
    return fresh[:count]


code_flags = compiled(_code_flags)
code_values = compiled(_code_values)
value_range_kernel = compiled(_value_range)
list_codes_kernel = compiled(_list_codes)


def _there(array: pa.Array) -> Flags:
    """1 for each value there, 0 for each missing one."""
    return _unpacked(array.buffers()[0], array.offset, len(array), array.null_count == 0)


def _unpacked(buffer: pa.Buffer | None, offset: int, size: int, all_set: bool = False) -> Flags:
    """Bits `offset` to `offset + size` of an Arrow bitmap, a byte each."""
    if buffer is None or all_set:
        return np.ones(size, dtype=np.uint8)
    first = offset >> 3
    packed = np.frombuffer(buffer, dtype=np.uint8)[first : (offset + size + 7) >> 3]
    return np.unpackbits(packed, bitorder="little")[offset - 8 * first : offset - 8 * first + size]


def _values(array: pa.Array) -> npt.NDArray[Any]:
    """The array's values as NumPy numbers (dates as day numbers)."""
    dtype = np.int32 if pa.types.is_date32(array.type) else array.type.to_pandas_dtype()
    return np.frombuffer(array.buffers()[1], dtype=dtype)[array.offset : array.offset + len(array)]


def flag_codes(array: pa.BooleanArray, codes: Codes) -> None:
    """False 0, true 1, missing 2."""
    code_flags(_there(array), _unpacked(array.buffers()[1], array.offset, len(array)), codes)


def value_codes(array: pa.Array, shift: int, unknown: int, codes: Codes) -> None:
    """Whole numbers (an enum's codes, day numbers) less `shift`; `unknown` for a missing one."""
    code_values(_there(array), _values(array), shift, unknown, codes)


def value_range(array: pa.Array) -> tuple[int, int] | None:
    """The least and greatest whole number there (day numbers of dates); None if all are missing."""
    low, high, count = value_range_kernel(_there(array), _values(array))
    return (int(low), int(high)) if count else None


def list_codes(
    array: pa.LargeListArray, base: int, unknown: int, known: Codes, next_code: int, codes: Codes
) -> Offsets:
    """Lists of small whole numbers (an enum's codes) coded by their positional keys: see `_list_codes`."""
    items = array.values
    fresh: Offsets = list_codes_kernel(
        _there(array),
        _offsets(array),
        _values(items),
        _there(items),
        base,
        unknown,
        known,
        next_code,
        codes,
    )
    return fresh


def _offsets(array: pa.LargeListArray) -> Offsets:
    return np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]


def longest_list(array: pa.LargeListArray) -> int:
    """The length of the longest list (0 for none)."""
    offsets = _offsets(array)
    return int(np.diff(offsets).max()) if offsets.size > 1 else 0
