"""Why a rule gave its value: the facts that would decide an unknown, and the evaluation trace for `explain`."""

from __future__ import annotations

from dataclasses import dataclass, field

from servicepath.engine.interpreter import Facts, Interpreter
from servicepath.language import ast


@dataclass
class Undecided:
    """What an unknown result waits for: facts the person could give, and gaps in the law itself."""

    facts: set[str] = field(default_factory=set)
    law_gaps: set[str] = field(default_factory=set)

    def merge(self, other: Undecided) -> Undecided:
        self.facts |= other.facts
        self.law_gaps |= other.law_gaps
        return self


def undecided(node: ast.Node, interpreter: Interpreter, facts: Facts) -> Undecided:
    """For a node whose value is unknown: only the unknowns that can still change it (a true operand of `or`
    decides it, so the facts of its other operands are not asked for)."""
    found = Undecided()
    if interpreter.evaluator(node)(facts) is not None:
        return found
    if isinstance(node, ast.Literal):
        found.law_gaps.add(node.text)
    elif isinstance(node, ast.Reference):
        if node.scope == "fact":
            found.facts.add(node.name)
        elif node.scope == "rule":
            target = interpreter.scope.rule(node.name)
            if target is not None:
                found.merge(undecided(target, interpreter, facts))
        else:
            found.law_gaps.add(node.text)
    elif isinstance(node, ast.IfThenElse) and interpreter.evaluator(node.condition)(facts) is not None:
        chosen = node.then if interpreter.evaluator(node.condition)(facts) else node.otherwise
        found.merge(undecided(chosen, interpreter, facts))
    else:
        for child in node.children():
            found.merge(undecided(child, interpreter, facts))
    return found


@dataclass
class TraceNode:
    text: str
    value: ast.Value
    role: str  # "fact" | "parameter" | "rule" | "force" | "expression"
    children: list[TraceNode] = field(default_factory=list)


def trace(node: ast.Node, interpreter: Interpreter, facts: Facts) -> TraceNode:
    """The value of every meaningful part of an expression, as a tree; literals are not repeated."""
    value = interpreter.evaluator(node)(facts)
    if isinstance(node, ast.Reference):
        role = {"fact": "fact", "param": "parameter", "rule": "rule", "force": "force"}[node.scope]
        children = []
        if node.scope == "rule":
            target = interpreter.scope.rule(node.name)
            children = [trace(target, interpreter, facts)] if target is not None else []
        return TraceNode(node.text, value, role, children)
    children = [trace(child, interpreter, facts) for child in node.children() if not isinstance(child, ast.Literal)]
    return TraceNode(node.text, value, "expression", children)
