"""Where a person stands against each force's entry standards (docs/law-packs.md, "Entry standards").

For a profile, a date and the forces asked about, each standard in force on the date is `meets`, `does_not_meet` or
`unknown`, with the margin, the minimums that apply to the person (by sex, age band and school credential) and each
minimum's sources and confidence. Several minimums reported for the same cell make the standard disputed: the answer
is the spread, and `unknown` when the person's result falls inside it. It says where the person stands, never whether
to apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from servicepath.engine.assess import UnknownForce
from servicepath.logic.calendar import age_on
from servicepath.packs.lawset import LawSet, shipped_law
from servicepath.packs.loader import LoadedPack, standard_value
from servicepath.packs.models import CONFIDENCE_ORDER, Confidence, Minimum, Source, Standard, Text
from servicepath.profile import Profile
from servicepath.results import RESULTS, Dimension, format_quantity, result_quantity

Status = Literal["meets", "does_not_meet", "unknown", "not_applicable"]
Reason = Literal["no_result", "disputed", "missing_facts", "no_minimum", "descriptive"]
_TOLERANCE = 1e-9


@dataclass(slots=True)
class MinimumResult:
    """One reported minimum whose cell may apply to the person, and where the person stands against it."""

    value: float
    shown: str
    sources: list[str]
    confidence: Confidence
    sex: str | None
    age: tuple[int | None, int | None] | None
    credential: list[str] | None
    applies: bool | None
    """True when the person is in the minimum's cell; None when a fact that would decide it is not given."""
    meets: bool | None
    note: str | None = None


@dataclass(slots=True)
class StandardResult:
    id: str
    force: str
    kind: str
    test: Text
    text: Text | None
    result: str | None
    unit: str | None
    direction: str | None
    status: Status
    reason: Reason | None
    person: str | None
    minimums: list[MinimumResult]
    spread: tuple[str, str] | None
    """The most lenient and the strictest minimum that may apply, when they differ."""
    disputed: bool
    margin: Margin | None
    missing_facts: list[str]
    sources: list[str]
    confidence: Confidence
    note: str | None = None


@dataclass
class ForceStandards:
    id: str
    name: Text
    standards: list[StandardResult]
    missing_results: list[str]
    """Results the person did not give that some standard of this force is measured by."""


@dataclass
class StandardsAssessment:
    as_of: dt.date
    packs_version: str
    forces: dict[str, ForceStandards]
    sources: dict[str, Source] = field(default_factory=dict)


def _best(sources: Sequence[str], known: dict[str, Source]) -> Confidence:
    ranks = [CONFIDENCE_ORDER.index(known[source].confidence) for source in sources if source in known]
    return CONFIDENCE_ORDER[max(ranks)] if ranks else "unconfirmed"


def _compare(person: float, minimum: float, direction: str) -> bool:
    if abs(person - minimum) <= _TOLERANCE * max(1.0, abs(minimum)):
        return True
    return person > minimum if direction == "at_least" else person < minimum


def _cell(minimum: Minimum, profile: Profile, age: int | None) -> tuple[bool | None, set[str]]:
    """Whether the minimum's cell applies to the person: True, False, or None with the facts that would decide it."""
    undecided: set[str] = set()
    verdicts: list[bool] = []
    if minimum.sex is not None:
        if profile.sex is None:
            undecided.add("sex")
        else:
            verdicts.append(profile.sex == minimum.sex)
    if minimum.age is not None:
        if age is None:
            undecided.add("birth_date")
        else:
            verdicts.append(minimum.age.contains(age))
    if minimum.credential is not None:
        credential = profile.results.school_credential if profile.results else None
        if credential is None:
            undecided.add("results.school_credential")
        else:
            verdicts.append(credential in minimum.credential)
    if not all(verdicts):
        return False, set()
    return (None, undecided) if undecided else (True, set())


@dataclass(frozen=True)
class Margin:
    """How far a result is from the minimum it was compared with, in the result's unit (words: i18n/measures.py)."""

    amount: float
    dimension: Dimension
    direction: str
    meets: bool
    exact: bool


def _margin(person: float, threshold: float, meets: bool, direction: str, dimension: Dimension) -> Margin | None:
    if dimension == "shuttle_level":
        return None  # a level and a shuttle are not a distance apart that subtraction could measure
    difference = abs(person - threshold)
    exact = difference <= _TOLERANCE * max(1.0, abs(threshold))
    return Margin(0.0 if exact else difference, dimension, direction, meets, exact)


def _standard(
    standard: Standard, pack: LoadedPack, profile: Profile, as_of: dt.date, known: dict[str, Source]
) -> StandardResult:
    all_sources = list(dict.fromkeys([*standard.sources, *(s for m in standard.minimums for s in m.sources)]))
    base: dict[str, Any] = {
        "id": standard.id,
        "force": standard.force,
        "kind": standard.kind,
        "test": standard.test,
        "text": standard.text,
        "result": standard.result,
        "unit": standard.unit,
        "direction": standard.direction,
        "sources": all_sources,
        "note": standard.note,
    }
    if standard.result is None:
        return StandardResult(
            **base,
            status="unknown",
            reason="descriptive",
            person=None,
            minimums=[],
            spread=None,
            disputed=False,
            margin=None,
            missing_facts=[],
            confidence=_best(all_sources, known),
        )
    kind = RESULTS[standard.result]
    age = (
        age_on(profile.birth_date, as_of, pack.model.settings.leap_day_birthday)
        if profile.birth_date is not None
        else None
    )
    person_quantity = result_quantity(profile.results, standard.result)
    person = None if person_quantity is None else float(person_quantity.magnitude)
    direction = standard.direction or "at_least"
    candidates: list[MinimumResult] = []
    undecided: set[str] = set()
    cells: dict[tuple[Any, ...], set[float]] = {}
    for minimum in standard.minimums:
        if not minimum.in_force(as_of):
            continue
        applies, facts = _cell(minimum, profile, age)
        if applies is False:
            continue
        undecided |= facts
        value = standard_value(standard, minimum)
        magnitude = float(value.magnitude)
        band = (minimum.age.min, minimum.age.max) if minimum.age else None
        cells.setdefault((minimum.sex, band, tuple(minimum.credential or ())), set()).add(magnitude)
        candidates.append(
            MinimumResult(
                value=magnitude,
                shown=format_quantity(value, kind.dimension),
                sources=list(minimum.sources),
                confidence=_best(minimum.sources, known),
                sex=minimum.sex,
                age=band,
                credential=list(minimum.credential) if minimum.credential else None,
                applies=applies,
                meets=None if person is None else _compare(person, magnitude, direction),
                note=minimum.note,
            )
        )
    disputed = any(len(values) > 1 for values in cells.values())
    values = sorted({candidate.value for candidate in candidates})
    lenient, strict = (0.0, 0.0)
    if values:
        lenient, strict = (values[0], values[-1]) if direction == "at_least" else (values[-1], values[0])
    spread = None
    if len(values) > 1:
        shown = {candidate.value: candidate.shown for candidate in candidates}
        spread = (shown[lenient], shown[strict])
    status: Status = "unknown"
    reason: Reason | None = None
    margin = None
    if not candidates and all(_cell(minimum, profile, age)[0] is False for minimum in standard.minimums):
        status = "not_applicable"  # on any date, every minimum is for people in another cell
    elif not candidates:
        reason = "no_minimum"
    elif person is None:
        reason = "no_result"
    else:
        outcomes = {candidate.meets for candidate in candidates}
        if outcomes == {True}:
            status, margin = "meets", _margin(person, strict, True, direction, kind.dimension)
        elif outcomes == {False}:
            status, margin = "does_not_meet", _margin(person, lenient, False, direction, kind.dimension)
        else:
            reason = "disputed" if disputed else "missing_facts"
    missing = sorted(undecided) if status == "unknown" and reason != "no_result" and len(values) > 1 else []
    if reason == "missing_facts" and not missing:
        reason = "disputed"
    return StandardResult(
        **base,
        status=status,
        reason=reason,
        person=None if person_quantity is None else format_quantity(person_quantity, kind.dimension),
        minimums=candidates,
        spread=spread,
        disputed=disputed,
        margin=margin,
        missing_facts=missing,
        confidence=_best([source for c in candidates for source in c.sources] or all_sources, known),
    )


def assess_standards(
    profile: Profile, as_of: dt.date, law: LawSet | None = None, forces: Sequence[str] | None = None
) -> StandardsAssessment:
    """Each entry standard in force on `as_of`, for each force asked about (default: every force with standards)."""
    law = law or shipped_law()
    for force_id in forces or ():
        if force_id not in law.forces:
            raise UnknownForce(f"no force is called '{force_id}' (known: {', '.join(sorted(law.forces))})")
    by_force: dict[str, list[StandardResult]] = {}
    for pack in law.packs:
        for standard in pack.model.standards:
            if (forces and standard.force not in forces) or not standard.in_force(as_of):
                continue
            by_force.setdefault(standard.force, []).append(_standard(standard, pack, profile, as_of, law.sources))
    result: dict[str, ForceStandards] = {}
    used: set[str] = set()
    for force_id in list(dict.fromkeys(forces)) if forces else sorted(by_force):
        standards = by_force.get(force_id, [])
        missing = sorted({s.result for s in standards if s.reason == "no_result" and s.result is not None})
        result[force_id] = ForceStandards(force_id, law.forces[force_id][1].name, standards, missing)
        used |= {source for standard in standards for source in standard.sources}
    return StandardsAssessment(
        as_of, law.version, result, {source: law.sources[source] for source in sorted(used) if source in law.sources}
    )
