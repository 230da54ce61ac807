"""Self-assessment results (profile schema version 2): what a person measured themselves at, in the units they know.

Values are read with Pint, never with hand-written conversion factors: "9:30" (minutes:seconds), "9 min 30 s",
"2.6 km", "1.6 mi", "5 ft 9 in", "175 cm", "70 kg", "154 lb". Counts (pull-ups) and percentiles (AFQT) are plain
numbers. A 20 m shuttle-run ("beep test") level is written LEVEL.SHUTTLE as text ("7.1" is level 7, shuttle 1, and
"7.10" is level 7, shuttle 10), so it is never read as a decimal.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pint
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Dimension = Literal["time", "length", "mass", "count", "percentile", "shuttle_level", "score", "body_mass_index"]


@dataclass(frozen=True)
class ResultKind:
    """What a result measures: its dimension and the unit it is compared in."""

    dimension: Dimension
    unit: str


DIMENSION_UNITS: dict[Dimension, str] = {
    "time": "second",
    "length": "metre",
    "mass": "kilogram",
    "count": "repetition",
    "percentile": "percentile",
    "shuttle_level": "shuttle_level",
    "score": "score_point",
    "body_mass_index": "kilogram / metre ** 2",
}

RESULTS: dict[str, ResultKind] = {
    "run_1km": ResultKind("time", "second"),
    "run_2km": ResultKind("time", "second"),
    "run_3km": ResultKind("time", "second"),
    "cooper_12min": ResultKind("length", "metre"),
    "shuttle_run_level": ResultKind("shuttle_level", "shuttle_level"),
    "pull_ups": ResultKind("count", "repetition"),
    "push_ups": ResultKind("count", "repetition"),
    "sit_ups": ResultKind("count", "repetition"),
    "medicine_ball_throw": ResultKind("length", "metre"),
    "mid_thigh_pull": ResultKind("mass", "kilogram"),
    "afqt": ResultKind("percentile", "percentile"),
    "army_cognitive_test": ResultKind("score", "score_point"),
    "height": ResultKind("length", "metre"),
    "weight": ResultKind("mass", "kilogram"),
    "bmi": ResultKind("body_mass_index", "kilogram / metre ** 2"),
}
"""Every result a standard can be measured by. `bmi` is derived from height and weight when both are given."""

DERIVED_RESULTS = {"bmi": ("height", "weight")}
SCHOOL_CREDENTIAL_FIELD = "school_credential"


def is_result_field(name: str) -> bool:
    """A flat field name of the profile's `results` (e.g. `results.run_2km`), as in a form or a batch column."""
    field = name.removeprefix("results.")
    return name.startswith("results.") and (field in RESULTS or field == SCHOOL_CREDENTIAL_FIELD)


@functools.cache
def units() -> pint.UnitRegistry[Any]:
    """One registry per process, with the units of counted, ranked and scored tests added."""
    registry: pint.UnitRegistry[Any] = pint.UnitRegistry()
    registry.define("repetition = [repetition] = rep = repetitions")
    registry.define("percentile = [percentile]")
    registry.define("shuttle_level = [shuttle_level]")
    registry.define("score_point = [score_point]")
    return registry


class ResultValueError(ValueError):
    pass


_TIME = re.compile(r"^\s*(?:(\d+):)?(\d+):(\d{1,2}(?:[.,]\d+)?)\s*$")
_LEVEL = re.compile(r"^\s*(\d+)\s*(?:[./]\s*(\d+))?\s*$")
_PAIR = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\d\s.,][^\d\s]*)")
_SYMBOLS = {"'": "foot", "’": "foot", '"': "inch", "”": "inch", "''": "inch"}


def _sum_of_pairs(text: str) -> Any:
    """'5 ft 9 in', '9 min 30 s', '2.6 km' -> one quantity (each part read by Pint, then added)."""
    registry = units()
    pairs = _PAIR.findall(text)
    if not pairs or _PAIR.sub("", text).strip():
        raise ResultValueError(f"cannot read '{text}': write a number and a unit, e.g. '175 cm' or '5 ft 9 in'")
    total = None
    for number, unit in pairs:
        try:
            part = registry.Quantity(float(number.replace(",", ".")), _SYMBOLS.get(unit, unit))
        except (pint.errors.UndefinedUnitError, AttributeError, TypeError, ValueError):
            raise ResultValueError(
                f"'{unit}' is not a unit servicepath knows (e.g. s, min, m, km, mi, cm, ft, kg, lb)"
            ) from None
        try:
            total = part if total is None else total + part
        except pint.errors.DimensionalityError:
            raise ResultValueError(f"'{text}' mixes units of different kinds") from None
    return total


def _level(raw: Any) -> Any:
    if isinstance(raw, bool | float):
        raise ResultValueError(
            "write a shuttle-run level as text LEVEL.SHUTTLE, e.g. '7.1' (level 7, shuttle 1), so that '7.10' "
            "is not read as 7.1"
        )
    match = _LEVEL.match(str(raw))
    if not match:
        raise ResultValueError(f"cannot read the level '{raw}': write LEVEL.SHUTTLE, e.g. '7.1' or '11.6'")
    level, shuttle = int(match.group(1)), int(match.group(2) or 0)
    if shuttle >= 100:
        raise ResultValueError(f"'{raw}': a level has fewer than 100 shuttles")
    return units().Quantity(level + shuttle / 100, "shuttle_level")


def quantity(kind: ResultKind, raw: Any) -> Any:
    """Read a raw value (from a profile or a law pack) as a Pint quantity in the kind's unit; ResultValueError if
    it cannot be read or is of another dimension."""
    registry = units()
    if kind.dimension == "shuttle_level":
        return _level(raw)
    if isinstance(raw, bool):
        raise ResultValueError("a result must be a number or a number with a unit, not true/false")
    if kind.dimension in ("count", "percentile", "score"):
        if isinstance(raw, str):
            try:
                raw = float(raw.replace(",", "."))
            except ValueError:
                raise ResultValueError(f"'{raw}' is not a number") from None
        if not isinstance(raw, int | float) or raw < 0 or not math.isfinite(raw):
            raise ResultValueError("must be a number, zero or more")
        if kind.dimension == "percentile" and not 1 <= raw <= 99:
            raise ResultValueError("a percentile runs from 1 to 99")
        return registry.Quantity(raw, kind.unit)
    if isinstance(raw, int | float):
        raise ResultValueError(
            "give the unit: "
            + {
                "time": "minutes:seconds such as '9:30', or '9 min 30 s'",
                "length": "e.g. '175 cm', '5 ft 9 in', '2.6 km' or '1.6 mi'",
                "mass": "e.g. '70 kg' or '154 lb'",
            }.get(kind.dimension, f"e.g. '{raw} {kind.unit}'")
        )
    if not isinstance(raw, str):
        raise ResultValueError("must be a number or a number with a unit")
    value: Any
    match = _TIME.match(raw)
    if match and kind.dimension == "time":
        hours, minutes, seconds = match.groups()
        if int(minutes) >= 60 and hours is not None:
            raise ResultValueError(f"'{raw}': minutes must be under 60 in hours:minutes:seconds")
        if float(seconds.replace(",", ".")) >= 60:
            raise ResultValueError(f"'{raw}': seconds must be under 60 in minutes:seconds")
        value = registry.Quantity(
            int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds.replace(",", ".")), "second"
        )
    elif match:
        raise ResultValueError(f"'{raw}' is a time, not a {kind.dimension}")
    else:
        value = _sum_of_pairs(raw)
    try:
        return value.to(kind.unit)
    except pint.errors.DimensionalityError:
        raise ResultValueError(
            f"'{raw}' is not a {kind.dimension} (expected something like {_example(kind)})"
        ) from None


def result_problem(name: str, raw: Any) -> str | None:
    """Why the value of a flat result field (`results.run_2km`) cannot be read, or None when it can."""
    field = name.removeprefix("results.")
    if raw is None or field not in RESULTS:
        return None
    try:
        quantity(RESULTS[field], raw)
    except ResultValueError as error:
        return f"{name}: {error}"
    return None


def _example(kind: ResultKind) -> str:
    return {"time": "'9:30'", "length": "'175 cm'", "mass": "'70 kg'"}.get(kind.dimension, f"'5 {kind.unit}'")


def _validated(name: str) -> Any:
    def check(raw: Any) -> Any:
        try:
            quantity(RESULTS[name], raw)
        except ResultValueError as error:
            raise ValueError(str(error)) from None
        return raw

    return AfterValidator(check)


Raw = str | int | float
SchoolCredential = Literal["diploma", "equivalency", "none"]


class Results(BaseModel):
    """Self-assessment results; each is optional, and a result not given stays unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_1km: Annotated[Raw, _validated("run_1km")] | None = Field(None, description="1 km run time, e.g. '4:20'.")
    run_2km: Annotated[Raw, _validated("run_2km")] | None = Field(None, description="2 km run time, e.g. '9:30'.")
    run_3km: Annotated[Raw, _validated("run_3km")] | None = Field(None, description="3 km run time, e.g. '13:45'.")
    cooper_12min: Annotated[Raw, _validated("cooper_12min")] | None = Field(
        None, description="Distance run in 12 minutes, e.g. '2600 m' or '1.6 mi'."
    )
    shuttle_run_level: Annotated[Raw, _validated("shuttle_run_level")] | None = Field(
        None, description="20 m shuttle run (beep test) level as text LEVEL.SHUTTLE, e.g. '7.1'."
    )
    pull_ups: Annotated[Raw, _validated("pull_ups")] | None = Field(None, description="Strict pull-ups in one set.")
    push_ups: Annotated[Raw, _validated("push_ups")] | None = Field(None, description="Push-ups in one set.")
    sit_ups: Annotated[Raw, _validated("sit_ups")] | None = Field(None, description="Sit-ups in one set.")
    medicine_ball_throw: Annotated[Raw, _validated("medicine_ball_throw")] | None = Field(
        None, description="Seated 4 kg medicine-ball throw, e.g. '3.1 m'."
    )
    mid_thigh_pull: Annotated[Raw, _validated("mid_thigh_pull")] | None = Field(
        None, description="Mid-thigh pull, e.g. '60 kg'."
    )
    afqt: Annotated[Raw, _validated("afqt")] | None = Field(None, description="AFQT percentile (1 to 99).")
    army_cognitive_test: Annotated[Raw, _validated("army_cognitive_test")] | None = Field(
        None, description="British Army cognitive test score (General Trainability Index)."
    )
    height: Annotated[Raw, _validated("height")] | None = Field(
        None, description="Height, e.g. '175 cm' or '5 ft 9 in'."
    )
    weight: Annotated[Raw, _validated("weight")] | None = Field(None, description="Weight, e.g. '70 kg' or '154 lb'.")
    school_credential: SchoolCredential | None = Field(
        None,
        description="Upper-secondary school credential: a diploma, an equivalency certificate (e.g. the GED), or none.",
    )


def result_quantity(results: Results | None, name: str) -> Any | None:
    """A result as a Pint quantity in its kind's unit, or None when the person did not give it."""
    if results is None:
        return None
    if name in DERIVED_RESULTS:
        height, weight = (result_quantity(results, part) for part in DERIVED_RESULTS[name])
        if height is None or weight is None or height.magnitude <= 0:
            return None
        return (weight / height**2).to(RESULTS[name].unit)
    raw = getattr(results, name, None)
    return None if raw is None else quantity(RESULTS[name], raw)


def format_quantity(value: Any, dimension: Dimension) -> str:
    """A quantity as people write it: '11:15', '42 s', '2.9 m', '5 repetitions', 'level 7.1'."""
    magnitude = float(value.magnitude)
    if dimension == "time":
        seconds = abs(magnitude)
        whole = round(seconds, 1)
        if whole < 60:
            return f"{_number(whole)} s"
        minutes, rest = divmod(whole, 60)
        shown = _number(rest)
        return f"{int(minutes)}:{'0' + shown if rest < 10 else shown}"
    if dimension == "shuttle_level":
        level = int(magnitude + 1e-9)
        shuttle = round((magnitude - level) * 100)
        return f"{level}.{shuttle}" if shuttle else str(level)
    unit = {
        "length": "m",
        "mass": "kg",
        "count": "",
        "percentile": "",
        "score": "",
        "body_mass_index": "kg/m²",
    }[dimension]
    return f"{_number(round(abs(magnitude), 2))}{' ' + unit if unit else ''}"


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
