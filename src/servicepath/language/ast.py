"""The typed expression tree. Every node keeps the text it was parsed from, for explanations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

from servicepath.language.values import Duration, Money

Value: TypeAlias = bool | int | Decimal | Money | dt.date | Duration | str | frozenset[str] | None
"""A runtime value; None is `unknown`."""


@dataclass(frozen=True, eq=False)
class Node:
    text: str = field(kw_only=True)
    column: int = field(kw_only=True, default=1)

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, eq=False)
class Literal(Node):
    value: Value


@dataclass(frozen=True, eq=False)
class Reference(Node):
    """A dotted name: a fact (`residence.country`), `param.X`, `rule.X`, `force.X` or `as_of`."""

    path: tuple[str, ...]

    @property
    def scope(self) -> str:
        return self.path[0] if self.path[0] in ("param", "rule", "force") else "fact"

    @property
    def name(self) -> str:
        return ".".join(self.path[1:]) if self.scope != "fact" else ".".join(self.path)


@dataclass(frozen=True, eq=False)
class Not(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, eq=False)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


@dataclass(frozen=True, eq=False)
class Binary(Node):
    """Comparisons (== != < <= > >=), membership (in, not in), intersects, and + / -."""

    op: str
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, eq=False)
class Between(Node):
    operand: Node
    low: Node
    high: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand, self.low, self.high)


@dataclass(frozen=True, eq=False)
class Call(Node):
    function: str
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True, eq=False)
class IfThenElse(Node):
    condition: Node
    then: Node
    otherwise: Node

    def children(self) -> tuple[Node, ...]:
        return (self.condition, self.then, self.otherwise)


def walk(node: Node) -> list[Node]:
    """Every node of the tree, the root first."""
    found = [node]
    for child in node.children():
        found.extend(walk(child))
    return found
