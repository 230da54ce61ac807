"""Parse rule-language text into the expression tree (Lark, LALR)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.tree import Meta

from servicepath.language import ast
from servicepath.language.errors import RuleSyntaxError
from servicepath.language.values import Duration, Money


@functools.cache
def _parser() -> Lark:
    grammar = resources.files("servicepath.language").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


@v_args(meta=True, inline=True)
class _ToTree(Transformer[Token, ast.Node]):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def _at(self, meta: Meta) -> dict[str, Any]:
        if getattr(meta, "empty", True):
            return {"text": self.source.strip(), "column": 1}
        return {"text": self.source[meta.start_pos : meta.end_pos], "column": meta.column}

    def true(self, meta: Meta) -> ast.Node:
        return ast.Literal(True, **self._at(meta))

    def false(self, meta: Meta) -> ast.Node:
        return ast.Literal(False, **self._at(meta))

    def unknown(self, meta: Meta) -> ast.Node:
        return ast.Literal(None, **self._at(meta))

    def date(self, meta: Meta, token: Token) -> ast.Node:
        try:
            value = dt.date.fromisoformat(str(token))
        except ValueError:
            raise RuleSyntaxError(f"'{token}' is not a calendar date", token.column or 1) from None
        return ast.Literal(value, **self._at(meta))

    def number(self, meta: Meta, token: Token) -> ast.Node:
        text = str(token)
        return ast.Literal(Decimal(text) if "." in text else int(text), **self._at(meta))

    def duration(self, meta: Meta, amount: Token, unit: Token) -> ast.Node:
        if "." in amount:
            raise RuleSyntaxError("a duration counts whole years, months or days", amount.column or 1)
        return ast.Literal(Duration.of(int(amount), str(unit)), **self._at(meta))

    def money(self, meta: Meta, amount: Token, currency: Token) -> ast.Node:
        return ast.Literal(Money(Decimal(str(amount)), str(currency)), **self._at(meta))

    def string(self, meta: Meta, token: Token) -> ast.Node:
        return ast.Literal(str(token)[1:-1], **self._at(meta))

    def set_(self, meta: Meta, *items: Token) -> ast.Node:
        return ast.Literal(frozenset(str(item)[1:-1] for item in items), **self._at(meta))

    def reference(self, meta: Meta, *names: Token) -> ast.Node:
        return ast.Reference(tuple(str(name) for name in names), **self._at(meta))

    def call(self, meta: Meta, name: Token, *args: ast.Node) -> ast.Node:
        return ast.Call(str(name), tuple(args), **self._at(meta))

    def if_then_else(self, meta: Meta, condition: ast.Node, then: ast.Node, otherwise: ast.Node) -> ast.Node:
        return ast.IfThenElse(condition, then, otherwise, **self._at(meta))

    def or_(self, meta: Meta, *operands: ast.Node) -> ast.Node:
        return ast.BoolOp("or", tuple(operands), **self._at(meta))

    def and_(self, meta: Meta, *operands: ast.Node) -> ast.Node:
        return ast.BoolOp("and", tuple(operands), **self._at(meta))

    def not_(self, meta: Meta, operand: ast.Node) -> ast.Node:
        return ast.Not(operand, **self._at(meta))

    def compare(self, meta: Meta, left: ast.Node, op: Token, right: ast.Node) -> ast.Node:
        return ast.Binary(str(op), left, right, **self._at(meta))

    def arith(self, meta: Meta, left: ast.Node, op: Token, right: ast.Node) -> ast.Node:
        return ast.Binary(str(op), left, right, **self._at(meta))

    def between(self, meta: Meta, operand: ast.Node, low: ast.Node, high: ast.Node) -> ast.Node:
        return ast.Between(operand, low, high, **self._at(meta))

    def in_(self, meta: Meta, element: ast.Node, collection: ast.Node) -> ast.Node:
        return ast.Binary("in", element, collection, **self._at(meta))

    def not_in(self, meta: Meta, element: ast.Node, collection: ast.Node) -> ast.Node:
        return ast.Binary("not in", element, collection, **self._at(meta))

    def intersects(self, meta: Meta, left: ast.Node, right: ast.Node) -> ast.Node:
        return ast.Binary("intersects", left, right, **self._at(meta))


def _describe(error: UnexpectedInput, source: str) -> str:
    if isinstance(error, UnexpectedEOF):
        return "the rule ends too early"
    if isinstance(error, UnexpectedToken):
        if error.token.type == "$END":
            return "the rule ends too early"
        return f"unexpected '{error.token}'"
    if isinstance(error, UnexpectedCharacters):
        return f"unexpected character '{source[error.pos_in_stream or 0]}'"
    return "cannot read the rule"


@functools.lru_cache(maxsize=4096)
def parse(source: str) -> ast.Node:
    """Parse one expression; raise RuleSyntaxError with the column of the problem."""
    if not source.strip():
        raise RuleSyntaxError("the rule is empty")
    try:
        tree = _parser().parse(source)
        return _ToTree(source).transform(tree)
    except UnexpectedInput as error:
        raise RuleSyntaxError(_describe(error, source), getattr(error, "column", 1) or 1) from None
    except VisitError as error:
        if isinstance(error.orig_exc, RuleSyntaxError):
            raise error.orig_exc from None
        raise
