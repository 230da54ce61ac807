"""The interview planner asks only what can still change a verdict, most decisive first, and stops."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from servicepath.engine.assess import assess
from servicepath.engine.interview import next_step, open_verdicts
from servicepath.packs.lawset import LawSet
from servicepath.profile import facts_of, profile_data, profile_from_data

ON = dt.date(2024, 6, 1)
FORCE = ["aq-example-guard"]


def _simulate(truth: dict[str, Any], law: LawSet, forces: list[str] | None) -> list[str]:
    """Run an interview answered from a complete profile; facts the truth lacks are answered "I don't know"."""
    known = facts_of(profile_from_data(truth))
    answers: dict[str, Any] = {}
    declined: list[str] = []
    asked: list[str] = []
    while True:
        step = next_step(profile_from_data(profile_data(answers)), ON, law, forces, declined)
        if step.next_fact is None:
            return asked
        assert step.next_fact not in asked, "a question was asked twice"
        asked.append(step.next_fact)
        if step.next_fact in known:
            value = known[step.next_fact]
            answers[step.next_fact] = sorted(value) if isinstance(value, frozenset) else value
        else:
            declined.append(step.next_fact)


def test_an_empty_profile_is_first_asked_for_nationalities(example_law: LawSet) -> None:
    step = next_step(profile_from_data({}), ON, example_law, FORCE)
    # Every verdict, the home-country ones included, waits on the nationalities; no fact weighs more.
    assert step.next_fact == "citizenships"
    assert {verdict.kind for verdict in step.open_verdicts} == {"force", "nationality"}


def test_a_failing_requirement_ends_the_questions_about_that_force(example_law: LawSet) -> None:
    profile = profile_from_data({"citizenships": ["FR"], "criminal_record": True})
    step = next_step(profile, ON, example_law, FORCE)
    assert assess(profile, ON, example_law, FORCE).forces["aq-example-guard"].verdict == "ineligible"
    assert step.done
    assert step.open_verdicts == ()


def test_only_facts_that_can_change_an_open_verdict_are_candidates(example_law: LawSet) -> None:
    profile = profile_from_data({"citizenships": ["FR"], "birth_date": "1990-01-01", "criminal_record": False})
    step = next_step(profile, ON, example_law, FORCE)
    assert set(step.scores) == {"residence.country", "residence.status", "languages.ru"}
    # Residence is asked before the language: two facts of one requirement still weigh as much as one.
    assert step.next_fact == "residence.country"


def test_a_declined_fact_is_not_asked_again_and_its_verdict_says_so(example_law: LawSet) -> None:
    profile = profile_from_data(
        {"citizenships": ["FR"], "birth_date": "1990-01-01", "criminal_record": False, "residence": {"country": "AQ"}}
    )
    step = next_step(profile, ON, example_law, FORCE, declined=["residence.status", "languages.ru"])
    assert step.done
    (verdict,) = open_verdicts(assess(profile, ON, example_law, FORCE), ["residence.status", "languages.ru"])
    assert (verdict.id, verdict.waiting_on, verdict.declined) == (
        "aq-example-guard",
        (),
        ("residence.status", "languages.ru"),
    )


def test_home_rules_of_the_persons_nationality_are_open_verdicts(example_law: LawSet) -> None:
    profile = profile_from_data({"citizenships": ["TJ"], "criminal_record": True})
    step = next_step(profile, dt.date(2019, 6, 1), example_law, FORCE)
    home = [verdict for verdict in step.open_verdicts if verdict.kind == "home"]
    # tests/packs/example/guard.yaml: the citizenship rule reads `service.rank`; the enlistment rule is a law gap
    # before the force's armed conflict (2022), so it stays unknown with nothing left to ask.
    assert {verdict.id: verdict.waiting_on for verdict in home} == {
        "tj-example-citizenship": ("service.rank",),
        "tj-example-enlistment": (),
    }
    assert step.next_fact == "service.rank"


@pytest.mark.parametrize(
    "truth",
    [
        {
            "citizenships": ["FR"],
            "birth_date": "1990-03-15",
            "criminal_record": False,
            "languages": {"ru": "B2"},
            "residence": {"country": "AQ", "status": "permanent_resident"},
        },
        {
            "citizenships": ["TJ"],
            "birth_date": "1950-03-15",
            "criminal_record": False,
            "residence": {"country": "AQ", "status": "visa"},
            "service": {"rank": "officer"},
        },
        {"citizenships": ["FR"], "birth_date": "2010-01-01"},
        {},
    ],
)
def test_an_interview_reaches_the_verdicts_of_the_whole_profile(example_law: LawSet, truth: dict[str, Any]) -> None:
    asked = _simulate(truth, example_law, FORCE)
    full = assess(profile_from_data(truth), ON, example_law, FORCE)
    answered = {fact: value for fact, value in facts_of(profile_from_data(truth)).items() if fact in asked}
    partial = assess(
        profile_from_data(profile_data({k: sorted(v) if isinstance(v, frozenset) else v for k, v in answered.items()})),
        ON,
        example_law,
        FORCE,
    )
    assert {k: f.verdict for k, f in partial.forces.items()} == {k: f.verdict for k, f in full.forces.items()}
    assert [[r.result for r in rules] for rules in partial.home.values()] == [
        [r.result for r in rules] for rules in full.home.values()
    ]


def test_an_ineligible_age_is_decided_in_fewer_questions_than_a_static_form(example_law: LawSet) -> None:
    asked = _simulate({"citizenships": ["FR"], "birth_date": "2010-01-01"}, example_law, FORCE)
    # A static form asks every fact the force reads (6); the interview stops once the age rules the person out.
    assert asked == ["citizenships", "birth_date"]
