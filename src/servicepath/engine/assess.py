"""assess(profile, as_of): for each force a verdict with every requirement cited, the terms, the citizenship
paths and the risks at home for each of the person's nationalities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from servicepath.engine.assessment import (
    Assessment,
    ForceResult,
    HomeResult,
    PathResult,
    RequirementResult,
    TermResult,
)
from servicepath.engine.interpreter import Facts
from servicepath.engine.plan import Compiled, ForcePlan, HomeRulePlan, plan_on
from servicepath.engine.trace import Undecided
from servicepath.logic.kleene import Verdict, all_of, any_of
from servicepath.packs.lawset import LawSet, shipped_law
from servicepath.profile import Profile, facts_of


class UnknownForce(ValueError):
    pass


def _truth(compiled: Compiled | None, facts: Facts) -> bool | None:
    if compiled is None:
        return True
    value = compiled.evaluate(facts)
    return value if isinstance(value, bool) else None


def _requirements(plan: ForcePlan, facts: Facts) -> list[RequirementResult]:
    results = []
    for citation, compiled in plan.requirements:
        value = compiled.evaluate(facts)
        if value is not True and value is not False:
            waiting = compiled.undecided(facts)
            results.append(RequirementResult(citation, None, sorted(waiting.facts), sorted(waiting.law_gaps)))
        else:
            results.append(RequirementResult(citation, value is True))
    return results


def _paths(plan: ForcePlan, with_start: Facts, assumed: bool) -> list[PathResult]:
    results = []
    start = with_start["service.start"]
    for citation, earliest, requires in plan.paths:
        date = earliest.evaluate(with_start)
        met = _truth(requires, with_start)
        missing: set[str] = set()
        if date is None:
            missing |= earliest.undecided(with_start).facts
        if met is None and requires is not None:
            missing |= requires.undecided(with_start).facts
        results.append(
            PathResult(
                citation,
                earliest=date if isinstance(date, dt.date) else None,
                service_start=start if isinstance(start, dt.date) else None,
                service_start_assumed=assumed,
                requires=met,
                missing_facts=sorted(missing),
            )
        )
    return results


def _force(plan: ForcePlan, facts: Facts, with_start: Facts, assumed: bool) -> ForceResult:
    requirements = _requirements(plan, facts)
    verdict = Verdict.of(all_of(item.result for item in requirements))
    missing = (
        sorted({fact for item in requirements for fact in item.missing_facts}) if verdict is Verdict.UNKNOWN else []
    )
    terms = []
    for citation, value, when in plan.terms:
        applies = _truth(when, facts)
        if applies is not False:
            terms.append(TermResult(citation, value.evaluate(facts), applies))
    return ForceResult(
        plan.force.id,
        plan.force.country,
        plan.force.name,
        verdict.value,
        requirements,
        missing,
        terms,
        _paths(plan, with_start, assumed),
        plan.how_to_apply,
        plan.warnings,
    )


def _home_rule(plan: HomeRulePlan, facts: Facts, force_ids: Sequence[str] | None) -> HomeResult:
    """The rule for each chosen force (None: every force of the plan), decided once per date where it can be."""
    if force_ids is None:
        by_force = dict(plan.fixed_by_force)
        waiting = Undecided(set(plan.fixed_waiting.facts), set(plan.fixed_waiting.law_gaps))
        groups: Iterable[tuple[Compiled, list[str]]] = plan.person_dependent
    else:
        chosen = set(force_ids)
        by_force = {force_id: value for force_id, value in plan.fixed_by_force.items() if force_id in chosen}
        waiting = Undecided()
        for force_id, value in by_force.items():
            fixed = plan.by_force[force_id].fixed
            if value is None and fixed is not None:
                waiting.merge(fixed[1])
        groups = [(compiled, [f for f in ids if f in chosen]) for compiled, ids in plan.person_dependent]
    for compiled, ids in groups:
        if not ids:
            continue
        value = _truth(compiled, facts)
        for force_id in ids:
            by_force[force_id] = value
        if value is None:
            waiting.merge(compiled.undecided(facts))
    result = any_of(by_force.values())
    return HomeResult(
        plan.citation,
        plan.country,
        plan.kind,
        result,
        by_force,
        plan.rule.penalty,
        sorted(waiting.facts) if result is None else [],
        sorted(waiting.law_gaps) if result is None else [],
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
    # A would-be recruit has no service start yet: citizenship dates are shown as if service began on the date
    # asked about, and the answer says so.
    assumed = "service.start" not in facts
    with_start = {**facts, "service.start": as_of} if assumed else facts
    force_results = {force_id: _force(plan.forces[force_id], facts, with_start, assumed) for force_id in chosen}
    nationalities = sorted(profile.citizenships or ())
    home = {
        country: [
            _home_rule(rule_plan, facts, None if forces is None else chosen)
            for rule_plan in plan.home_rules_by_country.get(country, ())
            if forces is None or any(force_id in rule_plan.by_force for force_id in chosen)
        ]
        for country in nationalities
    }
    international = [
        _home_rule(rule_plan, facts, None if forces is None else chosen)
        for rule_plan in plan.international_rules
        if forces is None or any(force_id in rule_plan.by_force for force_id in chosen)
    ]
    cited: set[str] = set()
    for force in force_results.values():
        for group in (force.requirements, force.terms, force.citizenship_paths):
            for item in group:
                cited.update(item.cited.sources)
        for notice in (*force.how_to_apply, *force.warnings):
            cited.update(notice.sources)
    for rules in (*home.values(), international):
        for rule in rules:
            cited.update(rule.cited.sources)
    return Assessment(
        as_of=as_of,
        packs_version=law.version,
        forces=force_results,
        home=home,
        home_missing_facts=[] if profile.citizenships is not None else ["citizenships"],
        international=international,
        sources={source_id: law.sources[source_id] for source_id in sorted(cited)},
    )
