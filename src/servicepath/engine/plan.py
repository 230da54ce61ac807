"""The law in force on one date, compiled once and kept: requirements, terms, paths and home rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from servicepath.engine.assessment import Citation, json_value
from servicepath.engine.interpreter import Evaluator, Facts, Interpreter
from servicepath.engine.scope import Scope, force_facts
from servicepath.engine.trace import Undecided, undecided
from servicepath.language import ast
from servicepath.packs.lawset import LawSet
from servicepath.packs.loader import PLACEHOLDER, LoadedPack
from servicepath.packs.models import (
    CONFIDENCE_ORDER,
    Cited,
    Force,
    HomeRule,
    InternationalRule,
    ServiceRule,
    Source,
    Text,
)


@dataclass
class Compiled:
    """One expression of the law on the date, with the interpreter that knows its parts."""

    node: ast.Node
    interpreter: Interpreter
    evaluate: Evaluator
    parameter_sources: tuple[str, ...]
    """Sources of the parameter values the expression reads on the date, so each figure stays cited."""
    facts_read: tuple[str, ...] = ()
    fixed: tuple[bool | None, Undecided] | None = None
    """For a condition the law alone decides on the date: its value and what an unknown waits for."""
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
    requirements: list[tuple[Citation, Compiled]]
    terms: list[tuple[Citation, Compiled, Compiled | None]]
    paths: list[tuple[Citation, Compiled, Compiled | None]]
    how_to_apply: list[Citation]
    warnings: list[Citation]
    interpreter: Interpreter


@dataclass
class HomeRulePlan:
    """A home or international rule on the date, compiled for each force it can apply to."""

    pack: LoadedPack
    rule: ServiceRule
    citation: Citation
    by_force: dict[str, Compiled]
    country: str | None
    """The nationality a home rule binds; None for international law."""
    kind: str
    fixed_by_force: dict[str, bool | None] = field(default_factory=dict)
    """The forces for which the law alone decides the rule on the date, and how."""
    fixed_waiting: Undecided = field(default_factory=Undecided)
    person_dependent: list[tuple[Compiled, list[str]]] = field(default_factory=list)
    """The other forces, grouped by the expression that decides them (one, when the rule names no force)."""

    def __post_init__(self) -> None:
        groups: dict[int, tuple[Compiled, list[str]]] = {}
        for force_id, compiled in self.by_force.items():
            if compiled.fixed is None:
                groups.setdefault(id(compiled), (compiled, []))[1].append(force_id)
            else:
                value, waiting = compiled.fixed
                self.fixed_by_force[force_id] = value
                if value is None:
                    self.fixed_waiting.merge(waiting)
        self.person_dependent = list(groups.values())


@dataclass
class Plan:
    as_of: dt.date
    forces: dict[str, ForcePlan]
    home_rules: list[HomeRulePlan]
    international_rules: list[HomeRulePlan]
    home_rules_by_country: dict[str, list[HomeRulePlan]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for rule_plan in self.home_rules:
            if rule_plan.by_force and rule_plan.country is not None:
                self.home_rules_by_country.setdefault(rule_plan.country, []).append(rule_plan)


def _compile(interpreter: Interpreter, text: str) -> Compiled:
    node = interpreter.scope.pack.expression(text)
    compiled = Compiled(
        node,
        interpreter,
        interpreter.evaluator(node),
        _parameter_sources(interpreter.scope, node),
        tuple(sorted(_facts_read(interpreter.scope, node))),
    )
    if not interpreter.reads_facts(node):
        value = compiled.evaluate({})
        truth = value if isinstance(value, bool) else None
        compiled.fixed = (truth, compiled.undecided({}) if truth is None else Undecided())
    return compiled


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


def cite(item: Cited, scope: Scope, sources: dict[str, Source], extra: tuple[str, ...] = ()) -> Citation:
    """An item as the answer shows it on the date: text filled in, sources (with those of the parameters it reads)
    and the confidence of the best source behind it."""
    ranks = [CONFIDENCE_ORDER.index(sources[source].confidence) for source in item.sources if source in sources]
    return Citation(
        item.id,
        render_text(scope, item.text),
        list(dict.fromkeys([*item.sources, *extra])),
        CONFIDENCE_ORDER[max(ranks, default=0)],
        item.note,
    )


def _force_plan(pack: LoadedPack, force: Force, as_of: dt.date, sources: dict[str, Source]) -> ForcePlan:
    interpreter = Interpreter(Scope(pack, as_of, force))
    scope = interpreter.scope

    def optional(text: str | None) -> Compiled | None:
        return _compile(interpreter, text) if text is not None else None

    def cited(item: Cited, *compiled: Compiled | None) -> Citation:
        extra = tuple(source for part in compiled if part is not None for source in part.parameter_sources)
        return cite(item, scope, sources, extra)

    requirements = []
    for requirement in force.requirements:
        if requirement.in_force(as_of):
            rule = _compile(interpreter, requirement.rule)
            requirements.append((cited(requirement, rule), rule))
    terms = []
    for term in force.terms:
        if term.in_force(as_of):
            value, when = _compile(interpreter, term.value), optional(term.when)
            terms.append((cited(term, value, when), value, when))
    paths = []
    for route in force.citizenship_paths:
        if route.in_force(as_of):
            earliest, requires = _compile(interpreter, route.earliest), optional(route.requires)
            paths.append((cited(route, earliest, requires), earliest, requires))
    return ForcePlan(
        pack,
        force,
        requirements,
        terms,
        paths,
        [cited(item) for item in force.how_to_apply if item.in_force(as_of)],
        [cited(item) for item in force.warnings if item.in_force(as_of)],
        interpreter,
    )


def _rule_plan(
    pack: LoadedPack, rule: ServiceRule, forces: dict[str, ForcePlan], as_of: dt.date, law: LawSet, home: str | None
) -> HomeRulePlan:
    """A rule compiled for each force; a home rule is not applied to the forces of its own country."""
    by_force = {}
    citation = cite(rule, Scope(pack, as_of), law.sources)
    node = pack.expression(rule.applies)
    # A rule that names no force attribute means the same for every force: compile (and evaluate) it once.
    shared = None if _reads_force(node) else _compile(Interpreter(Scope(pack, as_of)), rule.applies)
    for force_id, force_plan in forces.items():
        if force_plan.force.country == home:
            continue
        scope = Scope(pack, as_of, None, force_facts(force_plan.pack, force_plan.force, as_of))
        by_force[force_id] = shared or _compile(Interpreter(scope), rule.applies)
    kind = rule.kind if isinstance(rule, HomeRule | InternationalRule) else "other"
    return HomeRulePlan(pack, rule, citation, by_force, home, kind)


def _reads_force(node: ast.Node) -> bool:
    return any(isinstance(sub, ast.Reference) and sub.scope == "force" for sub in ast.walk(node))


def plan_on(law: LawSet, as_of: dt.date) -> Plan:
    """The compiled law on a date, cached on the law set."""
    cached = law.plans.get(as_of)
    if isinstance(cached, Plan):
        return cached
    forces = {
        force_id: _force_plan(pack, force, as_of, law.sources)
        for force_id, (pack, force) in law.forces.items()
        if force.in_force(as_of)
    }
    home_rules = [
        _rule_plan(pack, rule, forces, as_of, law, rule.country)
        for pack, rule in law.home_rules
        if rule.in_force(as_of)
    ]
    international = [
        _rule_plan(pack, rule, forces, as_of, law, None)
        for pack, rule in law.international_rules
        if rule.in_force(as_of)
    ]
    plan = Plan(as_of, forces, home_rules, international)
    if len(law.plans) > 256:
        law.plans.clear()
    law.plans[as_of] = plan
    return plan
