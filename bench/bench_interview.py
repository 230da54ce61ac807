"""The interview's questions-to-verdict on synthetic people, next to the facts a static form would ask.

Each person is a complete synthetic profile (servicepath.batch.population, seeded, no missing facts). The interview
is answered from it until the planner has nothing left to ask; its verdicts are checked against the assessment of
the whole profile. A static form asks every fact the shipped law reads.
Run: .venv/bin/python bench/bench_interview.py"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from servicepath.batch.io import profile_of
from servicepath.batch.population import population
from servicepath.engine.assess import assess
from servicepath.engine.interview import askable, next_step
from servicepath.engine.plan import plan_on
from servicepath.engine.polars_backend import facts_read
from servicepath.language import ast
from servicepath.language.parser import parse
from servicepath.packs.lawset import LawSet, shipped_law
from servicepath.profile import Profile, facts_of, profile_data, profile_from_data

PEOPLE = 300
ON = dt.date(2026, 11, 25)


def static_form(law: LawSet) -> set[str]:
    """Every askable fact the law reads on the date: the force requirements and the home rules."""
    plan = plan_on(law, ON)
    facts = facts_read(plan, plan.forces)
    for _, rule in law.home_rules:
        for node in ast.walk(parse(rule.applies)):
            if isinstance(node, ast.Reference) and node.scope == "fact":
                facts.add(node.name)
    return {fact for fact in facts if askable(fact)}


def interview(truth: Profile, law: LawSet) -> tuple[int, bool]:
    """Questions asked, and whether the interview's verdicts equal those of the whole profile."""
    known = facts_of(truth)
    answers: dict[str, Any] = {}
    declined: list[str] = []
    while True:
        profile = profile_from_data(profile_data(answers))
        step = next_step(profile, ON, law, None, declined)
        if step.next_fact is None:
            break
        value = known.get(step.next_fact)
        if value is None:
            declined.append(step.next_fact)
        else:
            answers[step.next_fact] = sorted(value) if isinstance(value, frozenset) else value
    asked = len(answers) + len(declined)
    whole, partial = assess(truth, ON, law), assess(profile, ON, law)
    same = {f: r.verdict for f, r in whole.forces.items()} == {f: r.verdict for f, r in partial.forces.items()}
    return asked, same


def main() -> None:
    law = shipped_law()
    people = [profile_of(row) for row in population(PEOPLE, seed=11, missing=0.0).iter_rows(named=True)]
    results = [interview(person, law) for person in people]
    counts = sorted(asked for asked, _ in results)
    form = static_form(law)
    print(f"interview on {len(people)} synthetic people, {len(law.forces)} forces, law of {ON}")
    print("| measure | questions |")
    print("| --- | --- |")
    print(f"| interview, median | {statistics.median(counts):g} |")
    print(f"| interview, max | {max(counts)} |")
    print(f"| static form (every fact the law reads) | {len(form)} |")
    print(f"| ratio median / static | {statistics.median(counts) / len(form):.2f} |")
    print(f"verdicts equal to the whole profile's: {sum(same for _, same in results)} / {len(results)}")


if __name__ == "__main__":
    main()
