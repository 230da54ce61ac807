"""What a rule's names mean on one date: parameter values in force, rules, force attributes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from servicepath.language import ast
from servicepath.language import types as t
from servicepath.packs.environment import rule_name
from servicepath.packs.loader import LoadedPack
from servicepath.packs.models import DatedValue, Force


def value_on(values: list[tuple[DatedValue, ast.Value]], on: dt.date) -> tuple[ast.Value, DatedValue | None]:
    for dated, value in values:
        if dated.in_force(on):
            return value, dated
    return None, None


@dataclass
class Scope:
    """The law of one pack on one date, seen from one force (for `rule.` requirements) or one home rule."""

    pack: LoadedPack
    as_of: dt.date
    force: Force | None = None
    force_facts: dict[str, ast.Value] = field(default_factory=dict)

    @property
    def leap_day_birthday(self) -> str:
        return self.pack.model.settings.leap_day_birthday

    def parameter(self, name: str) -> tuple[ast.Value, DatedValue | None]:
        return value_on(self.pack.parameter_values.get(name, []), self.as_of)

    def rule(self, name: str) -> ast.Node | None:
        """A definition of the pack, or the requirement of this force in force on the date."""
        if name in self.pack.model.definitions:
            return self.pack.expression(self.pack.model.definitions[name])
        if self.force is not None:
            for requirement in self.force.requirements:
                if rule_name(requirement.id) == name and requirement.in_force(self.as_of):
                    return self.pack.expression(requirement.rule)
        return None

    def type_of(self, node: ast.Node) -> t.Type | None:
        return self.pack.types.get(id(node))


def force_facts(pack: LoadedPack, force: Force, on: dt.date) -> dict[str, ast.Value]:
    """The facts home rules may read about a force: its id, country and dated attributes."""
    facts: dict[str, ast.Value] = {"id": force.id, "country": force.country}
    for name in force.attributes:
        facts[name] = value_on(pack.attribute_values.get((force.id, name), []), on)[0]
    return facts
