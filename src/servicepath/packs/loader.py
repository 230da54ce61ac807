"""Load law packs from YAML: validate shape, sources, dates and every rule's syntax and types, naming lines."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from servicepath.language import ast
from servicepath.language import types as t
from servicepath.language.errors import RuleError
from servicepath.language.parser import parse
from servicepath.language.typecheck import literal_type, unify
from servicepath.packs import yaml_lines
from servicepath.packs.environment import FORCE_ATTRIBUTES, PackEnvironment, rule_name
from servicepath.packs.errors import PackError, Problem
from servicepath.packs.models import Cited, Dated, DatedValue, Force, Minimum, Pack, Parameter, Standard, Text
from servicepath.results import RESULTS, ResultValueError, quantity, units

PLACEHOLDER = re.compile(r"\{param\.([a-z0-9_]+)\}")


@dataclass
class LoadedPack:
    """A validated pack with its parsed expressions and parameter values, ready to compile."""

    model: Pack
    file: str
    expressions: dict[str, ast.Node] = field(default_factory=dict)
    parameter_values: dict[str, list[tuple[DatedValue, ast.Value]]] = field(default_factory=dict)
    attribute_values: dict[tuple[str, str], list[tuple[DatedValue, ast.Value]]] = field(default_factory=dict)
    types: dict[int, t.Type] = field(default_factory=dict)
    outside_sources: list[tuple[int, str]] = field(default_factory=list)
    """Sources a standard cites that this pack does not define: (line, id), checked against the whole law."""
    standard_lines: list[int] = field(default_factory=list)
    """The line of each standard's force, for errors found across packs."""

    def expression(self, text: str) -> ast.Node:
        return self.expressions[text]


class _PackChecker:
    """Checks one pack; collects every problem instead of stopping at the first."""

    def __init__(self, pack: Pack, document: yaml_lines.YamlDocument, file: str) -> None:
        self.pack = pack
        self.document = document
        self.file = file
        self.problems: list[Problem] = []
        self.loaded = LoadedPack(pack, file)

    def problem(self, path: yaml_lines.Path, message: str) -> None:
        self.problems.append(Problem(self.file, self.document.line_of(path), message))

    def run(self) -> LoadedPack:
        parameter_types = {
            name: self._parameter(("parameters", name), parameter, name)
            for name, parameter in self.pack.parameters.items()
        }
        self.loaded.parameter_values = {
            name: self.loaded.parameter_values.pop(name, []) for name in list(self.pack.parameters)
        }
        definitions: dict[str, ast.Node] = {}
        for name, text in self.pack.definitions.items():
            node = self._parse(("definitions", name), text)
            if node is not None:
                definitions[name] = node
        environment = PackEnvironment(
            {name: kind for name, kind in parameter_types.items() if kind is not None}, definitions
        )
        for name, node in definitions.items():
            self._check(("definitions", name), node, environment, None)
        self._check_definition_cycles(definitions)
        forces = self.pack.forces
        for index, force in enumerate(forces):
            self._force(("forces", index), force, environment)
        environment.requirements = set()
        environment.in_home_rule = True
        for section in ("home_rules", "international_rules"):
            rules = getattr(self.pack, section)
            for index, rule in enumerate(rules):
                path = (section, index)
                self._cited(path, rule)
                self._expression((*path, "applies"), rule.applies, environment, t.BOOL)
            self._unique_versions((section,), rules)
        environment.in_home_rule = False
        self.loaded.types = environment.checker_types
        self._standards()
        return self.loaded

    def _parameter(self, path: yaml_lines.Path, parameter: Parameter, key: str) -> t.Type | None:
        if parameter.text:
            self._text((*path, "text"), parameter.text)
        values: list[tuple[DatedValue, ast.Value]] = []
        kind: t.Type = t.ANY
        ordered = sorted(enumerate(parameter.values), key=lambda item: item[1].from_)
        for position, (index, dated) in enumerate(ordered):
            where = (*path, "values", index)
            self._sources(where, dated.sources)
            value = self._value((*where, "value"), dated.value)
            if value is _INVALID:
                return None
            node = ast.Literal(value, text=str(dated.value))
            try:
                kind = unify(node, kind, literal_type(value), node, node)
            except RuleError as error:
                self.problem((*where, "value"), f"the values of '{key}' must all be of one type: {error.message}")
                return None
            values.append((dated, value))
            if position + 1 < len(ordered):
                following = ordered[position + 1][1]
                if dated.until is None or dated.until > following.from_:
                    self.problem(
                        where,
                        f"'{key}': the value from {dated.from_} overlaps the one from {following.from_}"
                        + ("" if dated.until else " (give it an 'until')"),
                    )
                elif dated.until < following.from_:
                    self.problem(
                        where,
                        f"'{key}': no value from {dated.until} until {following.from_}; "
                        "write 'value: unknown' for a period whose law is not known",
                    )
        self.loaded.parameter_values[key] = values
        return kind

    def _value(self, path: yaml_lines.Path, raw: Any) -> Any:
        if isinstance(raw, bool | int | dt.date):
            return raw
        if isinstance(raw, float):
            return Decimal(str(raw))
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            return frozenset(raw)
        if isinstance(raw, list) and any(isinstance(item, bool) for item in raw):
            self.problem(
                path, "YAML reads an unquoted NO, YES, ON or OFF as a boolean: quote codes such as 'NO' (Norway)"
            )
            return _INVALID
        if isinstance(raw, str):
            try:
                node = parse(raw)
            except RuleError as error:
                self.problem(path, f"cannot read the value '{raw}': {error.message}")
                return _INVALID
            if isinstance(node, ast.Literal):
                return node.value
        self.problem(
            path,
            f"a value must be a number, date, boolean, list of codes or a literal such as "
            f"'5 years' or '30000 RUB'; found {raw!r}",
        )
        return _INVALID

    def _force(self, path: yaml_lines.Path, force: Force, environment: PackEnvironment) -> None:
        self._text((*path, "name"), force.name)
        for name, attribute in force.attributes.items():
            where = (*path, "attributes", name)
            expected = FORCE_ATTRIBUTES.get(name)
            if expected is None or name in ("id", "country"):
                known = ", ".join(sorted(set(FORCE_ATTRIBUTES) - {"id", "country"}))
                self.problem(where, f"unknown force attribute '{name}' (known: {known})")
                continue
            kind = self._parameter(where, attribute, f"{force.id}.{name}")
            if kind is not None and kind.kind not in (expected.kind, t.Kind.ANY):
                self.problem(where, f"the attribute '{name}' must be a {expected}, found a {kind}")
            self.loaded.attribute_values[(force.id, name)] = self.loaded.parameter_values.pop(f"{force.id}.{name}", [])
        environment.requirements = {rule_name(requirement.id) for requirement in force.requirements}
        for index, requirement in enumerate(force.requirements):
            where = (*path, "requirements", index)
            self._cited(where, requirement)
            self._expression((*where, "rule"), requirement.rule, environment, t.BOOL)
        for index, term in enumerate(force.terms):
            where = (*path, "terms", index)
            self._cited(where, term)
            self._expression((*where, "value"), term.value, environment, None)
            if term.when is not None:
                self._expression((*where, "when"), term.when, environment, t.BOOL)
        for index, route in enumerate(force.citizenship_paths):
            where = (*path, "citizenship_paths", index)
            self._cited(where, route)
            self._expression((*where, "earliest"), route.earliest, environment, t.DATE)
            if route.requires is not None:
                self._expression((*where, "requires"), route.requires, environment, t.BOOL)
        for section in ("how_to_apply", "warnings"):
            for index, notice in enumerate(getattr(force, section)):
                self._cited((*path, section, index), notice)
        for section in ("requirements", "terms", "citizenship_paths", "how_to_apply", "warnings"):
            self._unique_versions((*path, section), getattr(force, section))
        self._check_requirement_cycles(path, force)

    def _standards(self) -> None:
        by_force: dict[str, list[Standard]] = {}
        for index, standard in enumerate(self.pack.standards):
            path: yaml_lines.Path = ("standards", index)
            self.loaded.standard_lines.append(self.document.line_of((*path, "force")))
            self._text((*path, "test"), standard.test)
            if standard.text is not None:
                self._text((*path, "text"), standard.text)
            for position, source in enumerate(standard.sources):
                if source not in self.pack.sources:
                    self.loaded.outside_sources.append((self.document.line_of((*path, "sources", position)), source))
            for position, minimum in enumerate(standard.minimums):
                where = (*path, "minimums", position)
                for number, source in enumerate(minimum.sources):
                    if source not in self.pack.sources:
                        self.loaded.outside_sources.append((self.document.line_of((*where, "sources", number)), source))
            if standard.result is not None:
                self._measured(path, standard)
            by_force.setdefault(standard.force, []).append(standard)
        for force_id, standards in by_force.items():
            seen: dict[str, list[Standard]] = {}
            for standard in standards:
                for other in seen.get(standard.id, []):
                    if _overlap(standard, other):
                        self.problem(
                            ("standards", self.pack.standards.index(standard)),
                            f"the standard '{standard.id}' of '{force_id}' is given twice for the same dates; "
                            "give each version 'from' and 'until' dates that do not overlap",
                        )
                seen.setdefault(standard.id, []).append(standard)

    def _measured(self, path: yaml_lines.Path, standard: Standard) -> None:
        kind = RESULTS.get(standard.result or "")
        if kind is None:
            self.problem(
                (*path, "result"),
                f"no self-assessment result is called '{standard.result}' (known: {', '.join(sorted(RESULTS))})",
            )
            return
        try:
            unit = units().Unit(standard.unit or "")
        except Exception:
            self.problem(
                (*path, "unit"), f"'{standard.unit}' is not a unit Pint knows (e.g. second, metre, repetition)"
            )
            return
        if not unit.is_compatible_with(units().Unit(kind.unit)):
            self.problem(
                (*path, "unit"),
                f"the unit '{standard.unit}' does not measure the result '{standard.result}' ({kind.dimension})",
            )
            return
        for position, minimum in enumerate(standard.minimums):
            try:
                standard_value(standard, minimum)
            except ResultValueError as error:
                self.problem((*path, "minimums", position, "value"), f"cannot read the minimum: {error}")

    def _cited(self, path: yaml_lines.Path, item: Cited) -> None:
        self._text((*path, "text"), item.text)
        self._sources(path, item.sources)

    def _sources(self, path: yaml_lines.Path, sources: Iterable[str]) -> None:
        for index, source in enumerate(sources):
            if source not in self.pack.sources:
                self.problem((*path, "sources", index), f"no source is called '{source}' in this pack")

    def _text(self, path: yaml_lines.Path, text: Text) -> None:
        for language in ("en", "ru", "fr"):
            for name in PLACEHOLDER.findall(getattr(text, language) or ""):
                if name not in self.pack.parameters:
                    self.problem((*path, language), f"the text names '{{param.{name}}}' but no parameter has that name")

    def _parse(self, path: yaml_lines.Path, text: str) -> ast.Node | None:
        try:
            node = parse(text)
        except RuleError as error:
            self.problem(path, f"column {error.column} of '{text}': {error.message}")
            return None
        self.loaded.expressions[text] = node
        return node

    def _check(
        self, path: yaml_lines.Path, node: ast.Node, environment: PackEnvironment, expected: t.Type | None
    ) -> None:
        try:
            environment.checker.check(node, expected)
        except RuleError as error:
            self.problem(path, f"column {error.column}: {error.message}")

    def _expression(
        self, path: yaml_lines.Path, text: str, environment: PackEnvironment, expected: t.Type | None
    ) -> None:
        node = self._parse(path, text)
        if node is not None:
            self._check(path, node, environment, expected)

    def _unique_versions(self, path: yaml_lines.Path, items: Sequence[Cited]) -> None:
        seen: dict[str, list[Dated]] = {}
        for index, item in enumerate(items):
            for other in seen.get(item.id, []):
                if _overlap(item, other):
                    self.problem(
                        (*path, index),
                        f"'{item.id}' is given twice for the same dates; "
                        "give each version 'from' and 'until' dates that do not overlap",
                    )
            seen.setdefault(item.id, []).append(item)

    def _check_definition_cycles(self, definitions: dict[str, ast.Node]) -> None:
        graph = {name: _rule_references(node) for name, node in definitions.items()}
        for cycle in _cycles(graph):
            self.problem(
                ("definitions", cycle[0]),
                f"definitions refer to each other in a circle: {' -> '.join(cycle)}",
            )

    def _check_requirement_cycles(self, path: yaml_lines.Path, force: Force) -> None:
        graph: dict[str, set[str]] = {}
        for requirement in force.requirements:
            node = self.loaded.expressions.get(requirement.rule)
            if node is not None:
                graph.setdefault(rule_name(requirement.id), set()).update(_rule_references(node))
        for name, text in self.pack.definitions.items():
            node = self.loaded.expressions.get(text)
            if node is not None:
                graph.setdefault(name, set()).update(_rule_references(node))
        for cycle in _cycles(graph):
            self.problem((*path, "requirements"), f"requirements refer to each other in a circle: {' -> '.join(cycle)}")


_INVALID = object()


def standard_value(standard: Standard, minimum: Minimum) -> Any:
    """A minimum of a measured standard as a Pint quantity in the unit of its result: a number is in the standard's
    unit; text is read like a self-assessment result ('11:15', '2.9 m', '7.1' for a shuttle-run level)."""
    kind = RESULTS[standard.result or ""]
    raw = minimum.value
    if isinstance(raw, int | float) and not isinstance(raw, bool) and kind.dimension != "shuttle_level":
        return units().Quantity(raw, standard.unit).to(kind.unit)
    return quantity(kind, raw)


def check_standards(packs: Sequence[LoadedPack], forces: set[str], sources: set[str]) -> list[Problem]:
    """Checks across packs: each standard's force is defined in some pack, its outside sources exist, and one force
    does not get the same standard from two packs."""
    problems: list[Problem] = []
    owners: dict[tuple[str, str], str] = {}
    for pack in packs:
        for index, standard in enumerate(pack.model.standards):
            line = _standard_line(pack, index)
            if standard.force not in forces:
                known = ", ".join(sorted(forces)) or "none"
                problems.append(
                    Problem(
                        pack.file,
                        line,
                        f"the standard '{standard.id}' is for the force '{standard.force}', "
                        f"which no loaded pack defines (known: {known})",
                    )
                )
            key = (standard.force, standard.id)
            if owners.setdefault(key, pack.file) != pack.file:
                problems.append(
                    Problem(
                        pack.file,
                        line,
                        f"the standard '{standard.id}' of '{standard.force}' is also defined in {owners[key]}",
                    )
                )
        for line, source in pack.outside_sources:
            if source not in sources:
                problems.append(Problem(pack.file, line, f"no source is called '{source}' in any loaded pack"))
    return problems


def _standard_line(pack: LoadedPack, index: int) -> int:
    return pack.standard_lines[index] if index < len(pack.standard_lines) else 1


def _overlap(first: Dated, second: Dated) -> bool:
    start = max(first.from_ or dt.date.min, second.from_ or dt.date.min)
    end = min(first.until or dt.date.max, second.until or dt.date.max)
    return start < end


def _rule_references(node: ast.Node) -> set[str]:
    return {sub.name for sub in ast.walk(node) if isinstance(sub, ast.Reference) and sub.scope == "rule"}


def _cycles(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> Iterator[list[str]]:
        if name in trail:
            yield [*trail[trail.index(name) :], name]
            return
        if name in done or name not in graph:
            return
        for target in sorted(graph[name]):
            yield from visit(target, [*trail, name])
        done.add(name)

    for start in sorted(graph):
        yield from visit(start, [])


def _validation_problems(error: ValidationError, document: yaml_lines.YamlDocument, file: str) -> list[Problem]:
    problems = []
    for detail in error.errors():
        location = tuple(part for part in detail["loc"] if not (isinstance(part, str) and "[" in part))
        where = ".".join(str(part) for part in location) or "the pack"
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = "is not a field of a law pack here (misspelt?)"
        elif detail["type"] == "missing":
            message = "is required"
        problems.append(Problem(file, document.line_of(location), f"{where}: {message}"))
    return problems


def load_pack(path: Path, display_name: str | None = None) -> LoadedPack:
    """Load and check one pack file; raise PackError naming every problem with its line."""
    file = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError([Problem(file, 1, f"cannot read the file: {error}")]) from None
    try:
        document = yaml_lines.load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error)
        raise PackError([Problem(file, line, f"not valid YAML: {reason}")]) from None
    if not isinstance(document.data, dict):
        raise PackError([Problem(file, 1, "a law pack must be a YAML mapping with a 'pack' id")])
    try:
        pack = Pack.model_validate(document.data)
    except ValidationError as error:
        raise PackError(_validation_problems(error, document, file)) from None
    checker = _PackChecker(pack, document, file)
    loaded = checker.run()
    if checker.problems:
        raise PackError(checker.problems)
    return loaded
