"""Which facts an unknown value waits for, as conditions over a whole population: one traversal, shared by the
Polars columns and the SQL query, each giving its own logic (how to write "is unknown", "and", "or", "not")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from servicepath.engine.scope import Scope
from servicepath.language import ast

E = TypeVar("E")


@dataclass(frozen=True)
class Logic(Generic[E]):
    is_null: Callable[[E], E]
    all_of: Callable[[list[E]], E]
    any_of: Callable[[list[E]], E]
    negate: Callable[[E], E]


class RuleCompiler(Protocol):
    scope: Scope

    def constant(self, node: ast.Node) -> tuple[bool, Any]: ...

    def compile(self, node: ast.Node) -> Any: ...


def missing_conditions(compiler: RuleCompiler, node: ast.Node, logic: Logic[E]) -> dict[str, list[E]]:
    """For each fact an unknown value waits for, the conditions under which it is missing: the fact's own value
    and every enclosing part are unknown, and an `if` whose condition is decided only looks at its chosen branch
    (as engine/trace.py's `undecided` does for one person)."""
    found: dict[str, list[E]] = {}

    def visit(node: ast.Node, guard: list[E], seen: frozenset[str]) -> None:
        if compiler.constant(node)[0]:
            return
        here = [*guard, logic.is_null(compiler.compile(node))]
        if isinstance(node, ast.Reference):
            if node.scope == "fact":
                found.setdefault(node.name, []).append(logic.all_of(here))
            elif node.scope == "rule" and node.name not in seen:
                target = compiler.scope.rule(node.name)
                if target is not None:
                    visit(target, guard, seen | {node.name})
            return
        if isinstance(node, ast.IfThenElse):
            condition = compiler.compile(node.condition)
            undecided = logic.is_null(condition)
            visit(node.condition, here, seen)
            visit(node.then, [*here, logic.any_of([undecided, condition])], seen)
            visit(node.otherwise, [*here, logic.any_of([undecided, logic.negate(condition)])], seen)
            return
        for child in node.children():
            visit(child, here, seen)

    visit(node, [], frozenset())
    return found
