"""Kleene's strong three-valued logic, in the evaluator and in the logic module."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from servicepath.engine.interpreter import Interpreter
from servicepath.engine.scope import Scope
from servicepath.language.parser import parse
from servicepath.logic.kleene import Verdict, all_of, any_of, negate
from servicepath.packs.lawset import LawSet

VALUES = (True, False, None)
AND = {
    (True, True): True,
    (True, False): False,
    (True, None): None,
    (False, True): False,
    (False, False): False,
    (False, None): False,
    (None, True): None,
    (None, False): False,
    (None, None): None,
}
OR = {
    (True, True): True,
    (True, False): True,
    (True, None): True,
    (False, True): True,
    (False, False): False,
    (False, None): None,
    (None, True): True,
    (None, False): None,
    (None, None): None,
}


@pytest.mark.parametrize(("a", "b"), list(itertools.product(VALUES, VALUES)))
def test_truth_tables(a: bool | None, b: bool | None) -> None:
    assert all_of([a, b]) is AND[(a, b)]
    assert any_of([a, b]) is OR[(a, b)]


def test_negation() -> None:
    assert [negate(v) for v in VALUES] == [False, True, None]


def _evaluate(law: LawSet, text: str, facts: dict[str, object]) -> object:
    pack = law.packs[0]
    interpreter = Interpreter(Scope(pack, dt.date(2020, 1, 1)))
    return interpreter.evaluator(parse(text))(facts)


@pytest.mark.parametrize(("a", "b"), list(itertools.product(VALUES, VALUES)))
def test_rules_follow_the_tables(example_law: LawSet, a: bool | None, b: bool | None) -> None:
    facts = {
        name: value for name, value in (("criminal_record", a), ("service.wounded_in_action", b)) if value is not None
    }
    assert _evaluate(example_law, "criminal_record and service.wounded_in_action", facts) is AND[(a, b)]
    assert _evaluate(example_law, "criminal_record or service.wounded_in_action", facts) is OR[(a, b)]


def test_unknown_operands_make_comparisons_and_calls_unknown(example_law: LawSet) -> None:
    assert _evaluate(example_law, "age_on(birth_date, as_of) >= 18", {}) is None
    assert _evaluate(example_law, "'TJ' in citizenships", {}) is None
    assert _evaluate(example_law, "'TJ' in citizenships", {"citizenships": frozenset()}) is False


def test_if_with_unknown_condition_is_known_only_when_both_branches_agree(example_law: LawSet) -> None:
    assert _evaluate(example_law, "if criminal_record then 1 else 1", {}) == 1
    assert _evaluate(example_law, "if criminal_record then 1 else 2", {}) is None
    assert _evaluate(example_law, "if criminal_record then 1 else 2", {"criminal_record": False}) == 2


def test_between_is_the_kleene_conjunction_of_its_bounds(example_law: LawSet) -> None:
    assert (
        _evaluate(
            example_law,
            "service.start between birth_date and 2000-01-01",
            {"service.start": dt.date(2010, 1, 1)},
        )
        is False
    )


def test_verdicts() -> None:
    assert Verdict.of(all_of([True, True])) is Verdict.ELIGIBLE
    assert Verdict.of(all_of([True, None])) is Verdict.UNKNOWN
    assert Verdict.of(all_of([False, None])) is Verdict.INELIGIBLE
