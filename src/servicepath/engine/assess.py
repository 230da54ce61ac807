"""assess(profile, as_of): for each force a verdict with every requirement cited, the terms, the citizenship
paths and the risks at home for each of the person's nationalities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TypedDict

from servicepath.engine.assessment import (
    Assessment,
    ForceResult,
    HomeResult,
    Item,
    PathResult,
    RequirementResult,
    TermResult,
    confidence_of,
)
from servicepath.engine.interpreter import Facts
from servicepath.engine.plan import Compiled, ForcePlan, HomeRulePlan, plan_on
from servicepath.engine.trace import Undecided
from servicepath.logic.kleene import Verdict, all_of, any_of
from servicepath.packs.lawset import LawSet, shipped_law
from servicepath.packs.models import Cited, Confidence, Source, Text
from servicepath.profile import Profile, facts_of


class UnknownForce(ValueError):
    pass


class Citation(TypedDict):
    id: str
    text: Text
    sources: list[str]
    confidence: Confidence
    note: str | None


_CITATIONS: dict[tuple[int, tuple[str, ...], int], Citation] = {}
"""Citations of the items in force, built once: an item's sources and confidence do not change per person."""


def _cite(item: Cited, sources: dict[str, Source], extra: Iterable[str] = (), text: Text | None = None) -> Citation:
    key = (id(item), tuple(extra), id(text))
    found = _CITATIONS.get(key)
    if found is not None and found["text"] is (text or item.text):
        return found
    cited = list(dict.fromkeys([*item.sources, *extra]))
    if len(_CITATIONS) > 65536:
        _CITATIONS.clear()
    found = _CITATIONS[key] = {
        "id": item.id,
        "text": text or item.text,
        "sources": cited,
        "confidence": confidence_of(item.sources, sources),
        "note": item.note,
    }
    return found


def _requirements(plan: ForcePlan, facts: Facts, sources: dict[str, Source]) -> list[RequirementResult]:
    results = []
    for requirement, compiled in plan.requirements:
        value = compiled.evaluate(facts)
        result = RequirementResult(
            **_cite(requirement, sources, compiled.parameter_sources, plan.text(requirement)),
            result=value if isinstance(value, bool) else None,
        )
        if value is None:
            waiting = compiled.undecided(facts)
            result.missing_facts = sorted(waiting.facts)
            result.law_gaps = sorted(waiting.law_gaps)
        results.append(result)
    return results


def _truth(compiled: Compiled | None, facts: Facts) -> bool | None:
    if compiled is None:
        return True
    value = compiled.evaluate(facts)
    return value if isinstance(value, bool) else None


def _paths(plan: ForcePlan, facts: Facts, as_of: dt.date, sources: dict[str, Source]) -> list[PathResult]:
    # A would-be recruit has no service start yet: the earliest date is shown as if service began on the date
    # asked about, and the answer says so.
    assumed = "service.start" not in facts
    with_start = {**facts, "service.start": as_of} if assumed else facts
    results = []
    for route, earliest, requires in plan.paths:
        date = earliest.evaluate(with_start)
        missing: set[str] = set()
        for compiled in (earliest, requires):
            if compiled is not None and compiled.evaluate(with_start) is None:
                missing |= compiled.undecided(with_start).facts
        results.append(
            PathResult(
                **_cite(route, sources, earliest.parameter_sources, plan.text(route)),
                earliest=date if isinstance(date, dt.date) else None,
                service_start=start if isinstance(start := with_start["service.start"], dt.date) else None,
                service_start_assumed=assumed,
                requires=_truth(requires, with_start),
                missing_facts=sorted(missing),
            )
        )
    return results


def _force(plan: ForcePlan, facts: Facts, as_of: dt.date, sources: dict[str, Source]) -> ForceResult:
    requirements = _requirements(plan, facts, sources)
    verdict = Verdict.of(all_of(item.result for item in requirements))
    missing = (
        sorted({fact for item in requirements for fact in item.missing_facts}) if verdict is Verdict.UNKNOWN else []
    )
    terms = [
        TermResult(
            **_cite(term, sources, value.parameter_sources, plan.text(term)),
            value=value.evaluate(facts),
            applies=_truth(when, facts),
        )
        for term, value, when in plan.terms
        if _truth(when, facts) is not False
    ]
    return ForceResult(
        plan.force.id,
        plan.force.country,
        plan.force.name,
        verdict.value,
        requirements,
        missing,
        terms,
        _paths(plan, facts, as_of, sources),
        [Item(**_cite(item, sources, (), plan.text(item))) for item in plan.how_to_apply],
        [Item(**_cite(item, sources, (), plan.text(item))) for item in plan.warnings],
    )


def _home_rule(plan: HomeRulePlan, facts: Facts, force_ids: Sequence[str], sources: dict[str, Source]) -> HomeResult:
    by_force: dict[str, bool | None] = {}
    waiting = Undecided()
    for force_id in force_ids:
        compiled = plan.by_force.get(force_id)
        if compiled is None:
            continue
        value = compiled.evaluate(facts)
        by_force[force_id] = value if isinstance(value, bool) else None
        if by_force[force_id] is None:
            waiting.merge(compiled.undecided(facts))
    result = any_of(by_force.values())
    return HomeResult(
        **_cite(plan.rule, sources),
        country=plan.rule.country,
        kind=plan.rule.kind,
        result=result,
        by_force=by_force,
        penalty=plan.rule.penalty,
        missing_facts=sorted(waiting.facts) if result is None else [],
        law_gaps=sorted(waiting.law_gaps) if result is None else [],
    )


def assess(
    profile: Profile,
    as_of: dt.date,
    law: LawSet | None = None,
    forces: Sequence[str] | None = None,
) -> Assessment:
    """The answer for one person on one date. `forces` limits it to some force ids (all forces otherwise)."""
    law = law or shipped_law()
    plan = plan_on(law, as_of)
    unknown = [force_id for force_id in forces or () if force_id not in law.forces]
    if unknown:
        raise UnknownForce(f"no force is called '{unknown[0]}' (known: {', '.join(sorted(law.forces))})")
    chosen = [force_id for force_id in (forces or plan.forces) if force_id in plan.forces]
    facts = facts_of(profile)
    force_results = {force_id: _force(plan.forces[force_id], facts, as_of, law.sources) for force_id in chosen}
    nationalities = sorted(profile.citizenships or ())
    home = {
        country: [
            _home_rule(rule_plan, facts, chosen, law.sources)
            for rule_plan in plan.home_rules
            if rule_plan.rule.country == country and any(f in rule_plan.by_force for f in chosen)
        ]
        for country in nationalities
    }
    cited: set[str] = set()
    for force in force_results.values():
        for group in (
            force.requirements,
            force.terms,
            force.citizenship_paths,
            force.how_to_apply,
            force.warnings,
        ):
            for item in group:
                cited.update(item.sources)
    for rules in home.values():
        for rule in rules:
            cited.update(rule.sources)
    return Assessment(
        as_of=as_of,
        packs_version=law.version,
        forces=force_results,
        home=home,
        home_missing_facts=[] if profile.citizenships is not None else ["citizenships"],
        sources={source_id: law.sources[source_id] for source_id in sorted(cited)},
    )
