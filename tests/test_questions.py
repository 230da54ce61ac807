"""Questions are worded for people, and answers from a form or a prompt become profile values or clear errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from servicepath.packs.lawset import LawSet
from servicepath.profile import profile_data
from servicepath.questions import AnswerError, answer_shown, parse_answer, question
from servicepath.terminal import run_interview


@pytest.mark.parametrize(
    ("fact", "form", "value"),
    [
        ("birth_date", {"day": "29", "month": "2", "year": "2004"}, "2004-02-29"),
        ("citizenships", {"country0": "tj", "country1": "RU", "country2": "TJ"}, ["TJ", "RU"]),
        ("citizenships", {"stateless": "on", "country0": "TJ"}, []),
        ("criminal_record", {"value": "no"}, False),
        ("residence.country", {"value": "ru"}, "RU"),
        ("residence.status", {"value": "work_patent"}, "work_patent"),
        ("languages.fr", {"value": "B1"}, "B1"),
    ],
)
def test_answers_become_profile_values(example_law: LawSet, fact: str, form: dict[str, Any], value: Any) -> None:
    assert parse_answer(question(fact, "en", example_law), form, "en") == value


@pytest.mark.parametrize(
    ("fact", "form", "message"),
    [
        ("birth_date", {"day": "31", "month": "2", "year": "1990"}, "This date does not exist"),
        ("birth_date", {"day": "1", "month": "2", "year": "90"}, "four digits"),
        ("birth_date", {"day": "first", "month": "2", "year": "1990"}, "as numbers"),
        ("citizenships", {}, "at least one nationality"),
        ("citizenships", {"country0": "UK"}, "from the list"),
        ("criminal_record", {"value": "maybe"}, "Choose one of the answers"),
        ("sex", {}, "Choose one of the answers"),
    ],
)
def test_unusable_answers_say_what_to_do(example_law: LawSet, fact: str, form: dict[str, Any], message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        parse_answer(question(fact, "en", example_law), form, "en")


def test_questions_and_errors_are_in_russian(example_law: LawSet) -> None:
    asked = question("languages.fr", "ru", example_law)
    assert asked.label == "Насколько хорошо вы говорите на языке «французский»?"
    with pytest.raises(AnswerError, match="Выберите один из ответов"):
        parse_answer(asked, {}, "ru")
    assert answer_shown(question("citizenships", "ru", example_law), ["TJ"], "ru") == "Таджикистан"


def test_force_choices_are_the_forces_in_the_law(example_law: LawSet) -> None:
    asked = question("service.force", "en", example_law)
    assert [(choice.value, choice.label) for choice in asked.choices] == [("aq-example-guard", "Example Guard")]


def test_flat_answers_nest_into_profile_fields() -> None:
    assert profile_data({"residence.country": "RU", "residence.status": "visa", "birth_date": "1990-01-01"}) == {
        "residence": {"country": "RU", "status": "visa"},
        "birth_date": "1990-01-01",
    }


def test_terminal_interview_takes_typed_answers_and_asks_again_after_a_bad_one(example_law: LawSet) -> None:
    typed = iter(["TJ", "enlisted", "1990-02-31", "1990-03-15", "AQ", "?"])
    prompts: list[str] = []
    said: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt.splitlines()[0])
        return next(typed, "")

    profile = run_interview(example_law, dt.date(2024, 6, 1), ["aq-example-guard"], "en", ask, said.append)
    assert said == ["This date does not exist. Check the day and the month."]
    # Tajik law (the example pack) turns on the rank alone, so it decides more than any one fact of the force.
    assert prompts[:4] == [
        "Which nationalities (citizenships) do you hold?",
        "Were you, or would you be, an officer or enlisted?",
        "What is your date of birth?",
        "What is your date of birth?",
    ]
    assert len(prompts) == len(set(prompts)) + 1, "only the refused date is asked twice"
    assert profile.model_dump(exclude_none=True, exclude={"schema_version"}) == {
        "citizenships": ["TJ"],
        "birth_date": dt.date(1990, 3, 15),
        "residence": {"country": "AQ"},
        "service": {"rank": "enlisted"},
    }
