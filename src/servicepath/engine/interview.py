"""The interview planner: which facts can still change a verdict, and which one to ask next.

An open verdict is a force's eligibility or a home-country rule that is still `unknown`. Each waits on the facts
its unknown parts read (the engine prunes facts that could no longer matter). The next question is the fact
expected to decide the most open verdicts, counting a verdict that waits on n askable facts as 1/n for each.
Facts the person declined ("I don't know", skip) are never asked again: their verdicts stay unknown and say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from servicepath.engine.assess import assess
from servicepath.engine.assessment import Assessment
from servicepath.engine.standards import StandardsAssessment
from servicepath.packs.lawset import LawSet
from servicepath.profile import Profile, fact_type

# The order a person finds natural, used to break ties between equally useful questions.
NATURAL_ORDER = (
    "citizenships",
    "birth_date",
    "residence.country",
    "residence.status",
    "sex",
    "languages.",
    "education",
    "criminal_record",
    "under_criminal_investigation",
    "recruitment_country",
    "intends_to_give_up_citizenship",
    "service.force",
    "service.start",
    "service.end",
    "service.rank",
    "service.in_combat_zone",
    "service.wounded_in_action",
    "service.honourable",
)


def natural_rank(fact: str) -> tuple[int, str]:
    for rank, prefix in enumerate(NATURAL_ORDER):
        if fact == prefix or (prefix.endswith(".") and fact.startswith(prefix)):
            return rank, fact
    return len(NATURAL_ORDER), fact


def askable(fact: str) -> bool:
    """A fact the person can be asked: a profile field the rules read."""
    return fact_type(fact) is not None


@dataclass(frozen=True)
class OpenVerdict:
    """A verdict still unknown: `kind` is force, home or nationality; `waiting_on` the facts that could decide it."""

    kind: str
    id: str
    country: str | None
    waiting_on: tuple[str, ...]
    declined: tuple[str, ...]
    law_gaps: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.waiting_on)


@dataclass(frozen=True)
class InterviewStep:
    """Where an interview stands: the next fact to ask (None when done) and what is still open."""

    next_fact: str | None
    open_verdicts: tuple[OpenVerdict, ...]
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.next_fact is None


def open_verdicts(assessment: Assessment, declined: Collection[str] = ()) -> list[OpenVerdict]:
    """Every verdict of the assessment still unknown, with the facts that could decide it."""
    found: list[OpenVerdict] = []

    def add(kind: str, id_: str, country: str | None, facts: Sequence[str], law_gaps: Sequence[str] = ()) -> None:
        usable = [fact for fact in facts if askable(fact)]
        found.append(
            OpenVerdict(
                kind,
                id_,
                country,
                tuple(sorted((fact for fact in usable if fact not in declined), key=natural_rank)),
                tuple(sorted((fact for fact in usable if fact in declined), key=natural_rank)),
                tuple(law_gaps),
            )
        )

    for force in assessment.forces.values():
        if force.verdict == "unknown":
            gaps = sorted({gap for item in force.requirements for gap in item.law_gaps})
            add("force", force.id, force.country, force.missing_facts, gaps)
    if assessment.home_missing_facts:
        add("nationality", "citizenships", None, assessment.home_missing_facts)
    for country, rules in assessment.home.items():
        for rule in rules:
            if rule.result is None:
                add("home", rule.cited.id, country, rule.missing_facts, rule.law_gaps)
    return found


def plan_step(assessment: Assessment, declined: Collection[str] = ()) -> InterviewStep:
    """The next question for an assessed profile, or none when no answer could change an open verdict."""
    still_open = open_verdicts(assessment, declined)
    scores: dict[str, float] = {}
    for verdict in still_open:
        for fact in verdict.waiting_on:
            scores[fact] = scores.get(fact, 0.0) + 1.0 / len(verdict.waiting_on)
    best = min(scores, key=lambda fact: (-scores[fact], natural_rank(fact)), default=None)
    return InterviewStep(best, tuple(still_open), scores)


def next_step(
    profile: Profile,
    as_of: dt.date,
    law: LawSet,
    forces: Sequence[str] | None = None,
    declined: Collection[str] = (),
) -> InterviewStep:
    """Assess the partial profile and plan the next question (see `plan_step`)."""
    return plan_step(assess(profile, as_of, law, forces), declined)


def next_result_fact(standards: StandardsAssessment, force_id: str, declined: Collection[str] = ()) -> str | None:
    """The self-assessment's next question for one force: first a fact that decides which minimum applies (sex,
    age, school credential), then a result no standard has yet; None when no answer could change a standard."""
    force = standards.forces.get(force_id)
    if force is None:
        return None
    open_standards = [item for item in force.standards if item.status == "unknown"]
    for standard in open_standards:
        for fact in standard.missing_facts:
            if fact not in declined:
                return fact
    for standard in open_standards:
        if standard.reason == "no_result" and standard.result is not None:
            fact = f"results.{standard.result}"
            if fact not in declined:
                return fact
    return None
