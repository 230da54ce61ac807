"""The rule language: syntax (good and bad) and types checked when a pack loads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from servicepath.language import ast
from servicepath.language import types as t
from servicepath.language.errors import RuleSyntaxError, RuleTypeError
from servicepath.language.parser import parse
from servicepath.language.values import Duration, Money
from servicepath.packs.environment import PackEnvironment


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("unknown", None),
        ("42", 42),
        ("39.5", Decimal("39.5")),
        ("30000 RUB", Money(Decimal("30000"), "RUB")),
        ("2015-01-02", dt.date(2015, 1, 2)),
        ("5 years", Duration(months=60)),
        ("1 year", Duration(months=12)),
        ("90 days", Duration(days=90)),
        ("'RU'", "RU"),
        ("{'AM', 'BY'}", frozenset({"AM", "BY"})),
    ],
)
def test_literals(text: str, value: object) -> None:
    node = parse(text)
    assert isinstance(node, ast.Literal) and node.value == value


def test_precedence_and_shapes() -> None:
    node = parse("not a or b and c")
    assert isinstance(node, ast.BoolOp) and node.op == "or"
    assert isinstance(node.operands[0], ast.Not)
    assert isinstance(node.operands[1], ast.BoolOp) and node.operands[1].op == "and"
    between = parse("age_on(birth_date, as_of) between 18 and param.max_age")
    assert isinstance(between, ast.Between) and isinstance(between.operand, ast.Call)
    assert isinstance(parse("if x then 5 years else 1 year"), ast.IfThenElse)
    membership = parse("'RU' not in citizenships")
    assert isinstance(membership, ast.Binary) and membership.op == "not in"
    ref = parse("languages.ru")
    assert isinstance(ref, ast.Reference) and ref.scope == "fact" and ref.name == "languages.ru"
    assert isinstance(parse("param.x"), ast.Reference) and parse("param.x").scope == "param"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("age >= ", 5),
        ("a b", 3),
        ("2015-13-01 < as_of", 1),
        ("(a and b", 8),
        ("1.5 years", 1),
        ('x == "RU"', 6),
    ],
)
def test_syntax_errors_name_the_column(text: str, column: int) -> None:
    with pytest.raises(RuleSyntaxError) as error:
        parse(text)
    assert error.value.column == column
    assert error.value.message


def _check(text: str, params: dict[str, t.Type] | None = None) -> t.Type:
    environment = PackEnvironment(params or {}, {})
    environment.requirements = {"age_min"}
    return environment.checker.check(parse(text))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("age_on(birth_date, as_of) >= 18", t.Kind.BOOL),
        ("service.start + 5 years", t.Kind.DATE),
        ("languages.ru >= 'B1'", t.Kind.BOOL),
        ("'RU' in citizenships", t.Kind.BOOL),
        ("citizenships intersects {'AM', 'BY'}", t.Kind.BOOL),
        ("if service.wounded_in_action then service.start else service.start + 3 years", t.Kind.DATE),
        ("max(service.start, 2015-01-02)", t.Kind.DATE),
        ("rule.age_min and true", t.Kind.BOOL),
        ("param.pay", t.Kind.MONEY),
    ],
)
def test_types_of_good_rules(text: str, kind: t.Kind) -> None:
    assert _check(text, {"pay": t.money("RUB")}).kind is kind


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("birth_date >= 18", "cannot combine date with number"),
        ("languages.ru >= 'B7'", "'B7' is not a CEFR level"),
        ("'UK' in citizenships", "'UK' is not a country code"),
        ("sex < 'male'", "has no order"),
        ("unknown_fact == 1", "no fact is called 'unknown_fact'"),
        ("param.missing > 1", "no parameter is called 'missing'"),
        ("rule.nothing", "no rule or definition is called 'nothing'"),
        ("force.country == 'RU'", "no force attribute"),
        ("age_on(birth_date)", "age_on takes two dates"),
        ("frobnicate(1, 2)", "no function is called 'frobnicate'"),
        ("param.pay > 100 EUR", "money in RUB with money in EUR"),
        ("residence.status == 'tourist'", "'tourist' is not a residence status"),
        ("not birth_date", "expected a boolean"),
    ],
)
def test_type_errors_are_found_before_any_person_is_assessed(text: str, fragment: str) -> None:
    with pytest.raises(RuleTypeError) as error:
        _check(text, {"pay": t.money("RUB")})
    assert fragment in error.value.message
