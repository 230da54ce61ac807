"""The single-case backend: each expression compiles once to a Python closure over the facts.

Every node's closure is kept, so an explanation can show the value of any part of a rule."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from servicepath.engine.scope import Scope
from servicepath.language import ast
from servicepath.language import types as t
from servicepath.language.values import Duration, Money
from servicepath.logic import calendar
from servicepath.logic.kleene import all_of, any_of, negate

Facts = Mapping[str, ast.Value]
Evaluator = Callable[[Facts], ast.Value]

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _sort_key(kind: t.Type | None) -> Callable[[Any], Any]:
    """Values compare by this key: codes of an ordered domain by rank, money by amount."""
    if kind is not None and kind.kind is t.Kind.CODE and kind.domain is not None and kind.domain.ordered:
        return kind.domain.rank
    return lambda value: value.amount if isinstance(value, Money) else value


def _truth(value: ast.Value) -> bool | None:
    return value if isinstance(value, bool) else None


def _arithmetic(op: str, left: Any, right: Any) -> ast.Value:
    sign = 1 if op == "+" else -1
    if isinstance(right, Duration) and not isinstance(left, Duration):
        return calendar.add(left, right, sign)
    if isinstance(left, Duration) and not isinstance(right, Duration):
        return calendar.add(right, left)
    if isinstance(left, Money):
        return Money(left.amount + sign * right.amount, left.currency)
    result: ast.Value = left + right if sign == 1 else left - right
    return result


class Interpreter:
    """Compiles the nodes of one scope; `evaluator(node)` is memoised per node."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._compiled: dict[int, Evaluator] = {}

    def evaluator(self, node: ast.Node) -> Evaluator:
        found = self._compiled.get(id(node))
        if found is None:
            found = self._compile(node)
            if not self.reads_facts(node):
                # Law alone decides it on this date (parameters, force attributes): compute it once.
                value = found({})
                found = lambda facts: value  # noqa: E731
            self._compiled[id(node)] = found
        return found

    def reads_facts(self, node: ast.Node, seen: frozenset[str] = frozenset()) -> bool:
        """Whether the node's value depends on the person's facts (through rules it names, too)."""
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Reference):
                continue
            if sub.scope == "fact" and sub.path != ("as_of",):
                return True
            if sub.scope == "rule" and sub.name not in seen:
                target = self.scope.rule(sub.name)
                if target is not None and self.reads_facts(target, seen | {sub.name}):
                    return True
        return False

    def _compile(self, node: ast.Node) -> Evaluator:
        if isinstance(node, ast.Literal):
            value = node.value
            return lambda facts: value
        if isinstance(node, ast.Reference):
            return self._reference(node)
        if isinstance(node, ast.Not):
            inner = self.evaluator(node.operand)
            return lambda facts: negate(_truth(inner(facts)))
        if isinstance(node, ast.BoolOp):
            operands = [self.evaluator(operand) for operand in node.operands]
            combine = all_of if node.op == "and" else any_of
            return lambda facts: combine(_truth(operand(facts)) for operand in operands)
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Between):
            return self._between(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.IfThenElse):
            return self._if(node)
        raise TypeError(f"cannot evaluate {node!r}")

    def _reference(self, node: ast.Reference) -> Evaluator:
        scope = self.scope
        if node.path == ("as_of",):
            as_of = scope.as_of
            return lambda facts: as_of
        if node.scope == "param":
            value = scope.parameter(node.name)[0]
            return lambda facts: value
        if node.scope == "force":
            attribute = scope.force_facts.get(node.name)
            return lambda facts: attribute
        if node.scope == "rule":
            target = scope.rule(node.name)
            return self.evaluator(target) if target is not None else (lambda facts: None)
        name = node.name
        return lambda facts: facts.get(name)

    def _binary(self, node: ast.Binary) -> Evaluator:
        left, right = self.evaluator(node.left), self.evaluator(node.right)
        op = node.op
        if op in COMPARISONS:
            compare = COMPARISONS[op]
            key = _sort_key(self.scope.type_of(node.left) or self.scope.type_of(node.right))
            if op in ("==", "!="):
                key = _sort_key(None)

            def comparison(facts: Facts) -> ast.Value:
                a = left(facts)
                if a is None:
                    return None
                b = right(facts)
                return None if b is None else compare(key(a), key(b))

            return comparison

        def combine(a: Any, b: Any) -> ast.Value:
            if op == "in":
                return a in b
            if op == "not in":
                return a not in b
            if op == "intersects":
                return bool(a & b)
            return _arithmetic(op, a, b)

        def binary(facts: Facts) -> ast.Value:
            a = left(facts)
            if a is None:
                return None
            b = right(facts)
            return None if b is None else combine(a, b)

        return binary

    def _between(self, node: ast.Between) -> Evaluator:
        value, low, high = (self.evaluator(part) for part in (node.operand, node.low, node.high))
        key = _sort_key(self.scope.type_of(node.operand))

        def at_least(a: Any, b: Any) -> bool | None:
            return None if a is None or b is None else bool(key(a) >= key(b))

        def between(facts: Facts) -> ast.Value:
            x = value(facts)
            return all_of((at_least(x, low(facts)), at_least(high(facts), x)))

        return between

    def _call(self, node: ast.Call) -> Evaluator:
        args = [self.evaluator(arg) for arg in node.args]
        function: Callable[..., ast.Value]
        if node.function == "age_on":
            leap = self.scope.leap_day_birthday
            function = lambda birth, on: calendar.age_on(birth, on, leap)  # type: ignore[arg-type]  # noqa: E731
        elif node.function == "months_between":
            function = calendar.months_between
        elif node.function == "days_between":
            function = calendar.days_between
        else:
            key = _sort_key(self.scope.type_of(node))
            pick = min if node.function == "min" else max
            function = lambda *values: pick(values, key=key)  # noqa: E731

        def call(facts: Facts) -> ast.Value:
            values: list[Any] = [arg(facts) for arg in args]
            return None if any(value is None for value in values) else function(*values)

        return call

    def _if(self, node: ast.IfThenElse) -> Evaluator:
        condition, then, otherwise = (self.evaluator(part) for part in node.children())

        def choose(facts: Facts) -> ast.Value:
            decided = condition(facts)
            if decided is True:
                return then(facts)
            if decided is False:
                return otherwise(facts)
            a, b = then(facts), otherwise(facts)
            return a if a is not None and a == b else None

        return choose
