"""The law in force on one date, compiled once and kept: requirements, terms, paths and home rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from servicepath.engine.assessment import json_value
from servicepath.engine.interpreter import Evaluator, Facts, Interpreter
from servicepath.engine.scope import Scope, force_facts
from servicepath.engine.trace import Undecided, undecided
from servicepath.language import ast
from servicepath.packs.lawset import LawSet
from servicepath.packs.loader import PLACEHOLDER, LoadedPack
from servicepath.packs.models import Cited, CitizenshipPath, Force, HomeRule, Notice, Requirement, Term, Text


@dataclass
class Compiled:
    """One expression of the law on the date, with the interpreter that knows its parts."""

    node: ast.Node
    interpreter: Interpreter
    evaluate: Evaluator
    parameter_sources: tuple[str, ...]
    """Sources of the parameter values the expression reads on the date, so each figure stays cited."""
    facts_read: tuple[str, ...] = ()
    _waiting: dict[tuple[ast.Value, ...], Undecided] = field(default_factory=dict)

    def undecided(self, facts: Facts) -> Undecided:
        """What an unknown result waits for; it depends only on the facts the expression reads, so it is kept."""
        key = tuple(facts.get(name) for name in self.facts_read)
        found = self._waiting.get(key)
        if found is None:
            if len(self._waiting) > 1024:
                self._waiting.clear()
            found = self._waiting[key] = undecided(self.node, self.interpreter, facts)
        return found


def render_text(scope: Scope, text: Text) -> Text:
    """A text with each `{param.NAME}` replaced by the value in force on the date."""
    if "{param." not in text.en + text.ru + (text.fr or ""):
        return text

    def fill(part: str | None) -> str | None:
        if part is None:
            return None
        return PLACEHOLDER.sub(lambda match: str(json_value(scope.parameter(match.group(1))[0])), part)

    return Text(en=fill(text.en) or text.en, ru=fill(text.ru) or text.ru, fr=fill(text.fr))


@dataclass
class ForcePlan:
    pack: LoadedPack
    force: Force
    requirements: list[tuple[Requirement, Compiled]]
    terms: list[tuple[Term, Compiled, Compiled | None]]
    paths: list[tuple[CitizenshipPath, Compiled, Compiled | None]]
    how_to_apply: list[Notice]
    warnings: list[Notice]
    interpreter: Interpreter
    _texts: dict[int, Text] = field(default_factory=dict)

    def text(self, item: Cited) -> Text:
        """The item's text with the parameters in force on the date filled in (computed once per date)."""
        found = self._texts.get(id(item))
        if found is None:
            found = self._texts[id(item)] = render_text(self.interpreter.scope, item.text)
        return found


@dataclass
class HomeRulePlan:
    pack: LoadedPack
    rule: HomeRule
    by_force: dict[str, Compiled]


@dataclass
class Plan:
    as_of: dt.date
    forces: dict[str, ForcePlan]
    home_rules: list[HomeRulePlan]


def _compile(interpreter: Interpreter, text: str) -> Compiled:
    node = interpreter.scope.pack.expression(text)
    return Compiled(
        node,
        interpreter,
        interpreter.evaluator(node),
        _parameter_sources(interpreter.scope, node),
        tuple(sorted(_facts_read(interpreter.scope, node))),
    )


def _facts_read(scope: Scope, node: ast.Node, seen: frozenset[str] = frozenset()) -> set[str]:
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Reference) and sub.scope == "fact":
            found.add(sub.name)
        elif isinstance(sub, ast.Reference) and sub.scope == "rule" and sub.name not in seen:
            target = scope.rule(sub.name)
            if target is not None:
                found |= _facts_read(scope, target, seen | {sub.name})
    return found


def _parameter_sources(scope: Scope, node: ast.Node, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
    found: list[str] = []
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Reference):
            continue
        if sub.scope == "param":
            dated = scope.parameter(sub.name)[1]
            found.extend(dated.sources if dated else ())
        elif sub.scope == "rule" and sub.name not in seen:
            target = scope.rule(sub.name)
            if target is not None:
                found.extend(_parameter_sources(scope, target, seen | {sub.name}))
    return tuple(dict.fromkeys(found))


def _force_plan(pack: LoadedPack, force: Force, as_of: dt.date) -> ForcePlan:
    interpreter = Interpreter(Scope(pack, as_of, force))

    def optional(text: str | None) -> Compiled | None:
        return _compile(interpreter, text) if text is not None else None

    return ForcePlan(
        pack,
        force,
        [(item, _compile(interpreter, item.rule)) for item in force.requirements if item.in_force(as_of)],
        [
            (item, _compile(interpreter, item.value), optional(item.when))
            for item in force.terms
            if item.in_force(as_of)
        ],
        [
            (item, _compile(interpreter, item.earliest), optional(item.requires))
            for item in force.citizenship_paths
            if item.in_force(as_of)
        ],
        [item for item in force.how_to_apply if item.in_force(as_of)],
        [item for item in force.warnings if item.in_force(as_of)],
        interpreter,
    )


def plan_on(law: LawSet, as_of: dt.date) -> Plan:
    """The compiled law on a date, cached on the law set."""
    cached = law.plans.get(as_of)
    if isinstance(cached, Plan):
        return cached
    forces = {
        force_id: _force_plan(pack, force, as_of)
        for force_id, (pack, force) in law.forces.items()
        if force.in_force(as_of)
    }
    home_rules = []
    for pack, rule in law.home_rules:
        if not rule.in_force(as_of):
            continue
        by_force = {}
        for force_id, force_plan in forces.items():
            if force_plan.force.country == rule.country:
                continue
            scope = Scope(pack, as_of, None, force_facts(force_plan.pack, force_plan.force, as_of))
            by_force[force_id] = _compile(Interpreter(scope), rule.applies)
        home_rules.append(HomeRulePlan(pack, rule, by_force))
    plan = Plan(as_of, forces, home_rules)
    if len(law.plans) > 256:
        law.plans.clear()
    law.plans[as_of] = plan
    return plan
