"""Static type checking of expressions, so that type errors surface when a pack loads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Protocol

from servicepath.language import ast
from servicepath.language import types as t
from servicepath.language.errors import RuleTypeError
from servicepath.language.values import Duration, Money

ORDERED_KINDS = {t.Kind.NUMBER, t.Kind.MONEY, t.Kind.DATE, t.Kind.DURATION}
DATE_FUNCTIONS = {"age_on", "months_between", "days_between"}
FUNCTIONS = DATE_FUNCTIONS | {"min", "max"}


class TypeEnvironment(Protocol):
    """What names mean where an expression is written; each lookup returns None for an unknown name."""

    def fact_type(self, name: str) -> t.Type | None: ...

    def param_type(self, name: str) -> t.Type | None: ...

    def rule_type(self, name: str) -> t.Type | None: ...

    def force_attribute_type(self, name: str) -> t.Type | None: ...


def literal_type(value: ast.Value) -> t.Type:
    if value is None:
        return t.ANY
    if isinstance(value, bool):
        return t.BOOL
    if isinstance(value, int | Decimal):
        return t.NUMBER
    if isinstance(value, Money):
        return t.money(value.currency)
    if isinstance(value, dt.date):
        return t.DATE
    if isinstance(value, Duration):
        return t.DURATION
    if isinstance(value, str):
        return t.CODE
    return t.CODE_SET


def _fail(node: ast.Node, message: str) -> RuleTypeError:
    return RuleTypeError(f"{message} (in '{node.text}')", node.column)


def _codes_fit(node: ast.Node, codes: frozenset[str] | str, domain: t.Domain | None) -> None:
    if domain is None:
        return
    members = {codes} if isinstance(codes, str) else codes
    wrong = sorted(code for code in members if code not in domain.values)
    if wrong:
        shown = ", ".join(domain.values) if len(domain.values) <= 15 else f"{len(domain.values)} codes"
        raise _fail(node, f"'{wrong[0]}' is not a {domain.name} ({shown})")


def unify(node: ast.Node, left: t.Type, right: t.Type, left_node: ast.Node, right_node: ast.Node) -> t.Type:
    """The common type of two operands, or a type error naming both."""
    if left.kind is t.Kind.ANY:
        return right
    if right.kind is t.Kind.ANY:
        return left
    if left.kind is not right.kind:
        raise _fail(node, f"cannot combine {left} with {right}")
    if left.kind is t.Kind.MONEY and left.currency != right.currency:
        raise _fail(node, f"cannot combine money in {left.currency} with money in {right.currency}")
    if left.kind in (t.Kind.CODE, t.Kind.SET):
        if left.domain and right.domain and left.domain != right.domain:
            raise _fail(node, f"cannot compare a {left.domain.name} with a {right.domain.name}")
        for literal, domain in ((left_node, right.domain), (right_node, left.domain)):
            if isinstance(literal, ast.Literal) and isinstance(literal.value, str | frozenset):
                _codes_fit(literal, literal.value, domain)
        return left if left.domain else right
    return left


class TypeChecker:
    def __init__(self, environment: TypeEnvironment) -> None:
        self.env = environment
        self.types: dict[int, t.Type] = {}
        """The type found for each node, by id(node): the compilers read it to compare codes by rank."""

    def check(self, node: ast.Node, expected: t.Type | None = None) -> t.Type:
        found = self._type(node)
        self.types[id(node)] = found
        if expected is not None and found.kind is not t.Kind.ANY and found.kind is not expected.kind:
            raise _fail(node, f"expected a {expected.kind.value}, found a {found}")
        return found

    def _type(self, node: ast.Node) -> t.Type:
        if isinstance(node, ast.Literal):
            return literal_type(node.value)
        if isinstance(node, ast.Reference):
            return self._reference(node)
        if isinstance(node, ast.Not):
            self.check(node.operand, t.BOOL)
            return t.BOOL
        if isinstance(node, ast.BoolOp):
            for operand in node.operands:
                self.check(operand, t.BOOL)
            return t.BOOL
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Between):
            common = unify(node, self.check(node.operand), self.check(node.low), node.operand, node.low)
            common = unify(node, common, self.check(node.high), node.operand, node.high)
            self._require_ordered(node, common)
            return t.BOOL
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.IfThenElse):
            self.check(node.condition, t.BOOL)
            return unify(node, self.check(node.then), self.check(node.otherwise), node.then, node.otherwise)
        raise _fail(node, "unsupported expression")

    def _reference(self, node: ast.Reference) -> t.Type:
        if node.path == ("as_of",):
            return t.DATE
        lookups = {
            "fact": (self.env.fact_type, "no fact is called"),
            "param": (self.env.param_type, "no parameter is called"),
            "rule": (self.env.rule_type, "no rule or definition is called"),
            "force": (self.env.force_attribute_type, "no force attribute is called"),
        }
        lookup, missing = lookups[node.scope]
        found = lookup(node.name)
        if found is None:
            raise _fail(node, f"{missing} '{node.name}'")
        return found

    def _require_ordered(self, node: ast.Node, found: t.Type) -> None:
        ordered_code = found.kind is t.Kind.CODE and found.domain is not None and found.domain.ordered
        if found.kind not in ORDERED_KINDS and not ordered_code and found.kind is not t.Kind.ANY:
            raise _fail(node, f"a {found} has no order")

    def _binary(self, node: ast.Binary) -> t.Type:
        left, right = self.check(node.left), self.check(node.right)
        if node.op in ("==", "!="):
            unify(node, left, right, node.left, node.right)
            return t.BOOL
        if node.op in ("<", "<=", ">", ">="):
            self._require_ordered(node, unify(node, left, right, node.left, node.right))
            return t.BOOL
        if node.op in ("in", "not in"):
            element = self.check(node.left, t.CODE)
            collection = self.check(node.right, t.CODE_SET)
            as_set = t.Type(t.Kind.SET, domain=element.domain) if element.kind is t.Kind.CODE else element
            unify(node, as_set, collection, node.left, node.right)
            return t.BOOL
        if node.op == "intersects":
            unify(
                node,
                self.check(node.left, t.CODE_SET),
                self.check(node.right, t.CODE_SET),
                node.left,
                node.right,
            )
            return t.BOOL
        return self._arithmetic(node, left, right)

    def _arithmetic(self, node: ast.Binary, left: t.Type, right: t.Type) -> t.Type:
        if left.kind is t.Kind.DATE and right.kind in (t.Kind.DURATION, t.Kind.ANY):
            return t.DATE
        if node.op == "+" and left.kind is t.Kind.DURATION and right.kind is t.Kind.DATE:
            return t.DATE
        common = unify(node, left, right, node.left, node.right)
        if common.kind not in (t.Kind.NUMBER, t.Kind.MONEY, t.Kind.DURATION, t.Kind.ANY):
            raise _fail(node, f"cannot use '{node.op}' on a {left} and a {right}")
        return common

    def _call(self, node: ast.Call) -> t.Type:
        if node.function not in FUNCTIONS:
            raise _fail(node, f"no function is called '{node.function}' (known: {', '.join(sorted(FUNCTIONS))})")
        if node.function in DATE_FUNCTIONS:
            if len(node.args) != 2:
                raise _fail(node, f"{node.function} takes two dates")
            for arg in node.args:
                self.check(arg, t.DATE)
            return t.NUMBER
        if len(node.args) < 2:
            raise _fail(node, f"{node.function} takes two or more values")
        common = self.check(node.args[0])
        for arg in node.args[1:]:
            common = unify(node, common, self.check(arg), node.args[0], arg)
        self._require_ordered(node, common)
        return common
