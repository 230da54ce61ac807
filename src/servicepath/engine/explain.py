"""`explain`: the trace of every requirement of a force, in the words of the law."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from servicepath.engine.plan import plan_on
from servicepath.engine.trace import TraceNode, trace
from servicepath.logic.kleene import Verdict, all_of
from servicepath.packs.lawset import LawSet
from servicepath.packs.models import Text
from servicepath.profile import Profile, facts_of


@dataclass
class RequirementTrace:
    id: str
    text: Text
    sources: list[str]
    result: bool | None
    trace: TraceNode


@dataclass
class ForceTrace:
    force_id: str
    name: Text
    as_of: dt.date
    verdict: str
    requirements: list[RequirementTrace]


def explain(profile: Profile, as_of: dt.date, law: LawSet, force_id: str) -> ForceTrace:
    plan = plan_on(law, as_of).forces[force_id]
    facts = facts_of(profile)
    requirements = []
    for citation, compiled in plan.requirements:
        value = compiled.evaluate(facts)
        requirements.append(
            RequirementTrace(
                citation.id,
                citation.text,
                citation.sources,
                value if isinstance(value, bool) else None,
                trace(compiled.node, compiled.interpreter, facts),
            )
        )
    verdict = Verdict.of(all_of(item.result for item in requirements))
    return ForceTrace(force_id, plan.force.name, as_of, verdict.value, requirements)
