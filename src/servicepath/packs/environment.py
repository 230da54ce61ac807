"""What names mean inside a pack, for the type checker: facts, the pack's parameters and rules, force attributes."""

from __future__ import annotations

from servicepath import profile
from servicepath.language import ast
from servicepath.language import types as t
from servicepath.language.errors import RuleTypeError
from servicepath.language.typecheck import TypeChecker

FORCE_ATTRIBUTES: dict[str, t.Type] = {
    "id": t.CODE,
    "country": t.code_of(profile.COUNTRY),
    "in_armed_conflict": t.BOOL,
    "state_armed_forces": t.BOOL,
}
"""Facts about a force that home and international rules may read as `force.NAME`; packs give the dated ones
as `attributes`: `in_armed_conflict` (the force's state is a party to an armed conflict), `state_armed_forces`
(the force is part of a state's regular armed forces, not an irregular or private formation)."""


def rule_name(identifier: str) -> str:
    """Requirement ids use '-', names in rules use '_': `rule.age_min` is the requirement `age-min`."""
    return identifier.replace("-", "_")


class PackEnvironment:
    """Type environment of one pack; `requirements` and `home_rule` change with where an expression stands."""

    def __init__(self, parameter_types: dict[str, t.Type], definitions: dict[str, ast.Node]) -> None:
        self.parameter_types = parameter_types
        self.definitions = definitions
        self.requirements: set[str] = set()
        self.in_home_rule = False
        self.checker = TypeChecker(self)
        self._definition_types: dict[str, t.Type] = {}
        self._checking: list[str] = []

    def fact_type(self, name: str) -> t.Type | None:
        return profile.fact_type(name)

    def param_type(self, name: str) -> t.Type | None:
        return self.parameter_types.get(name)

    def rule_type(self, name: str) -> t.Type | None:
        if name in self.definitions:
            if name in self._checking:
                cycle = " -> ".join([*self._checking, name])
                raise RuleTypeError(f"definitions refer to each other in a circle: {cycle}")
            if name not in self._definition_types:
                self._checking.append(name)
                try:
                    self._definition_types[name] = self.checker.check(self.definitions[name])
                finally:
                    self._checking.pop()
            return self._definition_types[name]
        return t.BOOL if name in self.requirements else None

    def force_attribute_type(self, name: str) -> t.Type | None:
        return FORCE_ATTRIBUTES.get(name) if self.in_home_rule else None

    @property
    def checker_types(self) -> dict[int, t.Type]:
        return self.checker.types
