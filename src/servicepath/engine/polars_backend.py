"""The batch backend: the same parsed rules compiled to Polars expressions over one row per person.

Polars' nulls follow Kleene's logic in `&` and `|`, and comparisons with null give null, as in the interpreter;
the few places where Polars differs (`when` treats null as false, `min_horizontal` skips nulls) are handled here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import reduce
from typing import Any

import polars as pl

from servicepath.engine.interpreter import Interpreter
from servicepath.engine.plan import ForcePlan, Plan
from servicepath.engine.scope import Scope
from servicepath.language import ast
from servicepath.language import types as t
from servicepath.language.values import Duration, Money
from servicepath.profile import Profile, fact_type, facts_of


class BatchUnsupported(ValueError):
    pass


def _is_leap(year: pl.Expr) -> pl.Expr:
    return ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)


def _offset(duration: Duration, sign: int) -> str:
    return f"{'-' if sign < 0 else ''}{duration.months}mo{duration.days}d"


class PolarsCompiler:
    """Compiles the expressions of one scope (a force or a home rule on a date) to Polars expressions."""

    def __init__(self, interpreter: Interpreter, column: Callable[[str], pl.Expr] = pl.col) -> None:
        self.interpreter = interpreter
        self.scope = interpreter.scope
        self.column = column
        """How a fact is read: its column, by default; batch replaces a missing service start by the date."""

    def constant(self, node: ast.Node) -> tuple[bool, ast.Value]:
        """Whether the node reads no fact; if so its value, computed once."""
        if self.interpreter.reads_facts(node):
            return False, None
        return True, self.interpreter.evaluator(node)({})

    def _ranked(self, node: ast.Node, expr: pl.Expr, kind: t.Type | None) -> pl.Expr:
        if kind is None or kind.domain is None or not kind.domain.ordered:
            return expr
        values = list(kind.domain.values)
        return expr.replace_strict(values, list(range(len(values))), default=None, return_dtype=pl.Int32)

    def compile(self, node: ast.Node) -> pl.Expr:
        is_constant, value = self.constant(node)
        if is_constant:
            return self._literal(value)
        if isinstance(node, ast.Reference):
            if node.scope == "rule":
                target = self.scope.rule(node.name)
                return self.compile(target) if target is not None else pl.lit(None)
            return self.column(node.name)
        # Connectives cast their operands: an untyped unknown (`null & x`) trips Polars' optimizer under `not`.
        if isinstance(node, ast.Not):
            return ~self.compile(node.operand).cast(pl.Boolean)
        if isinstance(node, ast.BoolOp):
            operands = [self.compile(operand).cast(pl.Boolean) for operand in node.operands]
            return reduce(lambda a, b: (a & b) if node.op == "and" else (a | b), operands)
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Between):
            kind = self.scope.type_of(node.operand)
            value_expr = self._ranked(node.operand, self.compile(node.operand), kind)
            low = self._ranked(node.low, self.compile(node.low), kind)
            high = self._ranked(node.high, self.compile(node.high), kind)
            return (value_expr >= low) & (value_expr <= high)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.IfThenElse):
            condition, then, otherwise = (self.compile(part) for part in node.children())
            return (
                pl.when(condition.is_null())
                .then(pl.when(then == otherwise).then(then))
                .when(condition)
                .then(then)
                .otherwise(otherwise)
            )
        raise BatchUnsupported(f"cannot compile '{node.text}' for batch")

    def _literal(self, value: ast.Value) -> pl.Expr:
        if value is None:
            return pl.lit(None)
        if isinstance(value, bool):
            return pl.lit(value, pl.Boolean)
        if isinstance(value, Money):
            return pl.lit(float(value.amount), pl.Float64)
        if isinstance(value, Decimal):
            return pl.lit(float(value), pl.Float64)
        if isinstance(value, dt.date):
            return pl.lit(value, pl.Date)
        if isinstance(value, frozenset):
            return pl.lit(sorted(value), pl.List(pl.Utf8))
        if isinstance(value, Duration):
            raise BatchUnsupported("a duration can only be added to a date in batch")
        return pl.lit(value)

    def _binary(self, node: ast.Binary) -> pl.Expr:
        left_constant, left_value = self.constant(node.left)
        right_constant, right_value = self.constant(node.right)
        if node.op in ("in", "not in"):
            element = self.compile(node.left)
            if right_constant:
                members = sorted(right_value) if isinstance(right_value, frozenset) else None
                found = pl.lit(None, pl.Boolean) if members is None else element.is_in(members)
            else:
                found = self.compile(node.right).list.contains(element)
            return ~found if node.op == "not in" else found
        if node.op == "intersects":
            if left_constant and not right_constant:
                left_constant, left_value, node = (
                    right_constant,
                    right_value,
                    ast.Binary(node.op, node.right, node.left, text=node.text),
                )
            if right_constant and not left_constant:
                if not isinstance(right_value, frozenset):
                    return pl.lit(None, pl.Boolean)
                members = sorted(right_value)
                return self.compile(node.left).list.eval(pl.element().is_in(members)).list.any()
            raise BatchUnsupported(f"'{node.text}': batch needs one side of 'intersects' to be fixed by the law")
        if node.op in ("+", "-"):
            return self._arithmetic(node, left_constant, left_value, right_constant, right_value)
        kind = self.scope.type_of(node.left) or self.scope.type_of(node.right)
        if node.op in ("==", "!="):
            kind = None
        left = self._ranked(node.left, self.compile(node.left), kind)
        right = self._ranked(node.right, self.compile(node.right), kind)
        operations = {
            "==": left.__eq__,
            "!=": left.__ne__,
            "<": left.__lt__,
            "<=": left.__le__,
            ">": left.__gt__,
            ">=": left.__ge__,
        }
        result: pl.Expr = operations[node.op](right)
        return result

    def _arithmetic(
        self, node: ast.Binary, left_constant: bool, left_value: Any, right_constant: bool, right_value: Any
    ) -> pl.Expr:
        sign = 1 if node.op == "+" else -1
        if right_constant and isinstance(right_value, Duration):
            return self.compile(node.left).dt.offset_by(_offset(right_value, sign))
        if left_constant and isinstance(left_value, Duration):
            return self.compile(node.right).dt.offset_by(_offset(left_value, 1))
        if right_constant and right_value is None and self.scope.type_of(node.left) == t.DATE:
            return pl.lit(None, pl.Date)
        left, right = self.compile(node.left), self.compile(node.right)
        return left + right if sign == 1 else left - right

    def _call(self, node: ast.Call) -> pl.Expr:
        args = [self.compile(arg) for arg in node.args]
        if node.function == "age_on":
            birth, on = args
            birthday = birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)
            if self.scope.leap_day_birthday == "feb28":
                birthday = pl.when((birthday == 229) & ~_is_leap(on.dt.year())).then(228).otherwise(birthday)
            on_day = on.dt.month().cast(pl.Int32) * 100 + on.dt.day().cast(pl.Int32)
            years = on.dt.year().cast(pl.Int32) - birth.dt.year().cast(pl.Int32)
            return years - (on_day < birthday).cast(pl.Int32)
        if node.function == "months_between":
            start, end = args
            months = (end.dt.year().cast(pl.Int32) - start.dt.year().cast(pl.Int32)) * 12 + (
                end.dt.month().cast(pl.Int32) - start.dt.month().cast(pl.Int32)
            )
            return months - (end.dt.day() < start.dt.day()).cast(pl.Int32)
        if node.function == "days_between":
            start, end = args
            return (end - start).dt.total_days()
        any_unknown = reduce(lambda a, b: a | b, [arg.is_null() for arg in args])
        pick = pl.min_horizontal(args) if node.function == "min" else pl.max_horizontal(args)
        return pl.when(any_unknown).then(None).otherwise(pick)


VERDICT = pl.Enum(["eligible", "ineligible", "unknown"])
"""Verdicts as an enum: written as text, but built without a string per person (many times faster)."""


def verdict_expression(requirements: Sequence[pl.Expr]) -> pl.Expr:
    every = reduce(lambda a, b: a & b, requirements) if requirements else pl.lit(True)
    return (
        pl.when(every.is_null())
        .then(pl.lit("unknown", VERDICT))
        .when(every)
        .then(pl.lit("eligible", VERDICT))
        .otherwise(pl.lit("ineligible", VERDICT))
    )


def force_columns(plan: ForcePlan) -> list[pl.Expr]:
    """Per force: one column per requirement (true/false/null) and the verdict."""
    compiler = PolarsCompiler(plan.interpreter)
    requirements = [
        compiler.compile(compiled.node).cast(pl.Boolean).alias(f"{plan.force.id}.{requirement.id}")
        for requirement, compiled in plan.requirements
    ]
    return [*requirements, verdict_expression(requirements).alias(f"{plan.force.id}.verdict")]


def referenced_facts(node: ast.Node, scope: Scope) -> set[str]:
    """The facts an expression reads, through the rules (`rule.X`) it refers to."""
    names: set[str] = set()
    pending, seen = [node], set()
    while pending:
        for sub in ast.walk(pending.pop()):
            if isinstance(sub, ast.Reference) and sub.scope == "fact" and sub.path != ("as_of",):
                names.add(sub.name)
            elif isinstance(sub, ast.Reference) and sub.scope == "rule" and sub.name not in seen:
                seen.add(sub.name)
                target = scope.rule(sub.name)
                if target is not None:
                    pending.append(target)
    return names


def facts_read(plan: Plan, force_ids: Iterable[str]) -> set[str]:
    """The fact columns the chosen forces' requirements read."""
    names: set[str] = set()
    for force_id in force_ids:
        force_plan = plan.forces[force_id]
        for _, compiled in force_plan.requirements:
            names |= referenced_facts(compiled.node, force_plan.interpreter.scope)
    return names


def fact_dtype(kind: t.Type) -> pl.DataType:
    """The Polars type a fact column has in batch."""
    return {
        t.Kind.DATE: pl.Date(),
        t.Kind.BOOL: pl.Boolean(),
        t.Kind.SET: pl.List(pl.Utf8),
        t.Kind.NUMBER: pl.Float64(),
    }.get(kind.kind, pl.Utf8())


def profiles_frame(profiles: Sequence[Profile], fact_names: Iterable[str]) -> pl.DataFrame:
    """One row per profile, one column per fact (null where the fact is not given)."""
    rows = [facts_of(profile) for profile in profiles]
    columns = {}
    for name in sorted(fact_names):
        kind = fact_type(name)
        assert kind is not None, name
        values = [row.get(name) for row in rows]
        columns[name] = pl.Series(
            name,
            [sorted(value) if isinstance(value, frozenset) else value for value in values],
            dtype=fact_dtype(kind),
        )
    return pl.DataFrame(columns, height=len(rows))


def batch_verdicts(plan: Plan, frame: pl.DataFrame, force_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """Every chosen force's requirement results and verdict for every row of the frame."""
    chosen = list(force_ids or plan.forces)
    return (
        frame.lazy()
        .select(*(column for force_id in chosen for column in force_columns(plan.forces[force_id])))
        .collect()
    )
