"""The verdicts of a law plan as an OpenFisca-core tax-benefit system, written as an OpenFisca modeller would
write them: one input variable per fact (a boolean per nationality the law names, since OpenFisca has no list
variable; a value of a fixed list as its index in that list), and one boolean variable per force whose formula
is the conjunction of the force's requirements in NumPy.

OpenFisca has no unknown: a missing fact takes its variable's default (false, index -1, 1970-01-01, no
nationality) and the rules' `unknown` reads as false. So its verdicts are booleans, not Kleene verdicts; the
comparison is of speed on the same rules and the same people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl

from servicepath.engine.interpreter import Interpreter
from servicepath.engine.plan import Plan
from servicepath.language import ast
from servicepath.language import types as t
from servicepath.language.values import Duration
from servicepath.profile import fact_type

Inputs = Callable[[str], np.ndarray]
Formula = Callable[[Inputs], Any]


def variable_name(fact: str) -> str:
    return fact.replace(".", "_")


def citizen_variable(country: str) -> str:
    return f"citizen_{country}"


def _parts(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def _plus(dates: np.ndarray, duration: Duration, sign: int) -> np.ndarray:
    """Calendar months first (the day kept, or the month's last day), then days."""
    months = dates.astype("datetime64[M]")
    day = (dates - months.astype("datetime64[D]")).astype(np.int64)
    moved = months + sign * duration.months
    length = ((moved + 1).astype("datetime64[D]") - moved.astype("datetime64[D]")).astype(np.int64)
    return moved.astype("datetime64[D]") + np.minimum(day, length - 1) + sign * duration.days


def _input(name: str) -> Formula:
    return lambda get: get(name)


def _fold(combine: Callable[[Any, Any], Any], parts: list[Formula]) -> Formula:
    """The parts' values combined left to right (`and`, `or`, `min`, `max`)."""

    def folded(get: Inputs) -> Any:
        result = parts[0](get)
        for part in parts[1:]:
            result = combine(result, part(get))
        return result

    return folded


class NumpyFormulas:
    """Compiles one scope's expressions to functions of the input variables; collects the inputs they read."""

    def __init__(self, interpreter: Interpreter, inputs: dict[str, str]) -> None:
        self.interpreter = interpreter
        self.scope = interpreter.scope
        self.inputs = inputs

    def constant(self, node: ast.Node) -> tuple[bool, Any]:
        if self.interpreter.reads_facts(node):
            return False, None
        return True, self.interpreter.evaluator(node)({})

    def compile(self, node: ast.Node) -> Formula:
        is_constant, value = self.constant(node)
        if is_constant:
            found = False if value is None else np.datetime64(value, "D") if isinstance(value, dt.date) else value
            found = float(found) if isinstance(found, Decimal) else found
            return lambda _: found
        if isinstance(node, ast.Reference):
            if node.scope == "rule":
                target = self.scope.rule(node.name)
                return self.compile(target) if target is not None else (lambda _: False)
            name = variable_name(node.name)
            self.inputs[name] = node.name
            return _input(name)
        if isinstance(node, ast.Not):
            operand = self.compile(node.operand)
            return lambda get: np.logical_not(operand(get))
        if isinstance(node, ast.BoolOp):
            operands = [self.compile(operand) for operand in node.operands]
            return _fold(np.logical_and if node.op == "and" else np.logical_or, operands)
        if isinstance(node, ast.IfThenElse):
            condition, then, otherwise = (self.compile(part) for part in node.children())
            return lambda get: np.where(condition(get), then(get), otherwise(get))
        if isinstance(node, ast.Between):
            return self._compare(node.operand, node.low, ">=", node.high, "<=")
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise ValueError(f"no OpenFisca translation for '{node.text}'")

    def _index(self, value: Any, kind: t.Type | None) -> Any:
        """A value of a fixed list as its index in the list (as the fact's input variable holds it)."""
        if isinstance(value, str) and kind is not None and kind.domain is not None:
            values = list(kind.domain.values)
            return values.index(value) if value in values else -2
        return value

    def _side(self, node: ast.Node, kind: t.Type | None) -> Formula:
        is_constant, value = self.constant(node)
        if is_constant and isinstance(value, str):
            index = self._index(value, kind)
            return lambda _: index
        return self.compile(node)

    def _compare(self, left_node: ast.Node, low: ast.Node, low_op: str, high: ast.Node, high_op: str) -> Formula:
        kind = self.scope.type_of(left_node)
        value, lower, upper = (self._side(part, kind) for part in (left_node, low, high))
        return lambda get: (value(get) >= lower(get)) & (value(get) <= upper(get))

    def _binary(self, node: ast.Binary) -> Formula:
        left_constant, left_value = self.constant(node.left)
        right_constant, right_value = self.constant(node.right)
        if node.op in ("in", "not in", "intersects"):
            found = self._membership(node, left_constant, left_value, right_constant, right_value)
            return (lambda get: np.logical_not(found(get))) if node.op == "not in" else found
        if node.op in ("+", "-"):
            sign = 1 if node.op == "+" else -1
            if right_constant and isinstance(right_value, Duration):
                dates = self.compile(node.left)
                return lambda get: _plus(dates(get), right_value, sign)
            left, right = self.compile(node.left), self.compile(node.right)
            return lambda get: left(get) + sign * right(get)
        if node.op == "==" and right_constant and right_value == frozenset():
            self.inputs["nationalities"] = "citizenships"
            return lambda get: get("nationalities") == 0
        kind = self.scope.type_of(node.left) or self.scope.type_of(node.right)
        left, right = self._side(node.left, kind), self._side(node.right, kind)
        compare = {
            "==": np.equal,
            "!=": np.not_equal,
            "<": np.less,
            "<=": np.less_equal,
            ">": np.greater,
            ">=": np.greater_equal,
        }[node.op]
        return lambda get: compare(left(get), right(get))

    def _membership(
        self, node: ast.Binary, left_constant: bool, left_value: Any, right_constant: bool, right_value: Any
    ) -> Formula:
        if node.op == "intersects":
            return self._citizen_of_any(sorted(left_value if left_constant else right_value))
        if left_constant and isinstance(left_value, str) and not right_constant:
            return self._citizen_of_any([left_value])
        if right_constant and isinstance(right_value, frozenset):
            kind = self.scope.type_of(node.left)
            members = [self._index(member, kind) for member in sorted(right_value)]
            element = self.compile(node.left)
            return lambda get: np.isin(element(get), members)
        raise ValueError(f"no OpenFisca translation for '{node.text}'")

    def _citizen_of_any(self, countries: list[str]) -> Formula:
        names = [citizen_variable(country) for country in countries]
        self.inputs.update(dict.fromkeys(names, "citizenships"))
        return _fold(np.logical_or, [lambda _: False, *(_input(name) for name in names)])

    def _call(self, node: ast.Call) -> Formula:
        args = [self.compile(arg) for arg in node.args]
        if node.function in ("age_on", "months_between"):
            start, end = args
            feb28 = node.function == "age_on" and self.scope.leap_day_birthday == "feb28"

            def elapsed(get: Inputs) -> Any:
                first, last = np.asarray(start(get)), np.asarray(end(get))
                start_year, start_month, start_day = _parts(first)
                end_year, end_month, end_day = _parts(last)
                if node.function == "months_between":
                    return (end_year - start_year) * 12 + (end_month - start_month) - (end_day < start_day)
                birthday = start_month * 100 + start_day
                if feb28:
                    leap = (end_year % 4 == 0) & ((end_year % 100 != 0) | (end_year % 400 == 0))
                    birthday = np.where((birthday == 229) & ~leap, 228, birthday)
                return end_year - start_year - (end_month * 100 + end_day < birthday)

            return elapsed
        if node.function == "days_between":
            start, end = args
            return lambda get: (np.asarray(end(get)) - np.asarray(start(get))).astype(np.int64)
        return _fold(np.minimum if node.function == "min" else np.maximum, args)


def inputs_of(people: pl.DataFrame, inputs: dict[str, str]) -> dict[str, np.ndarray]:
    """The input variables' values, prepared outside any timing: missing facts as the variables' defaults."""
    found: dict[str, np.ndarray] = {}
    for name, fact in sorted(inputs.items()):
        column = people.get_column(fact)
        kind = fact_type(fact)
        if name.startswith("citizen_"):
            found[name] = column.list.contains(name.removeprefix("citizen_")).fill_null(False).to_numpy()
        elif name == "nationalities":
            found[name] = column.list.len().fill_null(0).to_numpy()
        elif column.dtype == pl.Date:
            found[name] = column.fill_null(dt.date(1970, 1, 1)).to_numpy().astype("datetime64[D]")
        elif column.dtype == pl.Boolean:
            found[name] = column.fill_null(False).to_numpy()
        elif kind is not None and kind.domain is not None:
            values = list(kind.domain.values)
            found[name] = column.cast(pl.Utf8).replace_strict(values, list(range(len(values))), default=-1).to_numpy()
        else:
            found[name] = column.cast(pl.Utf8).fill_null("").to_numpy()
    return found


def _formula(formula: Formula) -> Callable[[Any, Any], Any]:
    """An OpenFisca formula (person, period) reading the inputs through the person's variables."""

    def compute(person: Any, period: Any) -> Any:
        return formula(lambda name: person(name, period))

    return compute


def openfisca_system(plan: Plan) -> tuple[Any, list[str], dict[str, str]]:
    """The tax-benefit system, the name of each force's eligibility variable, and the input variables read."""
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DAY
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    person = build_entity(key="person", plural="persons", label="A person", is_person=True)
    system = TaxBenefitSystem([person])
    inputs: dict[str, str] = {}
    formulas: dict[str, Formula] = {}
    for at, force in enumerate(plan.forces.values()):
        compiler = NumpyFormulas(force.interpreter, inputs)
        requirements = [compiler.compile(compiled.node) for _, compiled in force.requirements]

        formulas[f"eligible_{at}"] = _fold(np.logical_and, [lambda _: True, *requirements])

    def variable(name: str, kind: type, formula: Formula | None = None) -> type:
        attributes: dict[str, object] = {"value_type": kind, "entity": person, "definition_period": DAY, "label": name}
        if formula is not None:
            attributes["formula"] = _formula(formula)
        return type(name, (Variable,), attributes)

    for name, fact in sorted(inputs.items()):
        kind = fact_type(fact)
        value_type: type = bool
        if name.startswith("citizen_"):
            value_type = bool
        elif name == "nationalities" or (kind is not None and kind.domain is not None):
            value_type = int
        elif kind is not None and kind.kind is t.Kind.DATE:
            value_type = dt.date
        elif kind is not None and kind.kind is not t.Kind.BOOL:
            value_type = str
        system.add_variable(variable(name, value_type))
    for name, formula in formulas.items():
        system.add_variable(variable(name, bool, formula))
    return system, list(formulas), inputs
