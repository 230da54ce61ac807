"""Entry standards in batch output: where each person's own results stand, per force and standard.

Results are read with Pint, person by person (the single-case engine.standards), not vectorised: a run pays for it
only when the input has `results.*` columns. A result that cannot be read makes its row a reject."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from servicepath.batch.io import ROW
from servicepath.engine.standards import assess_standards
from servicepath.packs.lawset import LawSet
from servicepath.profile import ProfileError, fact_type, profile_data, profile_from_data
from servicepath.results import is_result_field


def forces_with_standards(law: LawSet, chosen: Sequence[str]) -> list[str]:
    having = {standard.force for pack in law.packs for standard in pack.model.standards}
    return [force_id for force_id in chosen if force_id in having]


def standards_frame(good: pl.DataFrame, law: LawSet, as_of: dt.date, forces: Sequence[str]) -> pl.DataFrame:
    """One column per force and standard (`FORCE.standard.ID`): meets, does_not_meet, unknown or not_applicable."""
    rows: list[dict[str, Any]] = []
    for row in good.iter_rows(named=True):
        given = {
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in row.items()
            if value is not None and (fact_type(name) is not None or is_result_field(name))
        }
        try:
            person = profile_from_data(profile_data(given))
        except ProfileError:  # a school credential outside its list: that result is left out, so unknown
            person = profile_from_data(profile_data({k: v for k, v in given.items() if not is_result_field(k)}))
        assessed = assess_standards(person, as_of, law, forces)
        rows.append(
            {
                ROW: row[ROW],
                **{
                    f"{force_id}.standard.{standard.id}": standard.status
                    for force_id, force in assessed.forces.items()
                    for standard in force.standards
                },
            }
        )
    return pl.DataFrame(rows) if rows else pl.DataFrame({ROW: []}, schema={ROW: pl.Int64})
