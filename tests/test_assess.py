"""assess(): verdicts, missing facts that would decide them, citizenship paths, home risks, and the JSON contract."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from servicepath.engine.assess import UnknownForce, assess
from servicepath.engine.contract import assessment_json
from servicepath.packs.lawset import LawSet
from servicepath.profile import profile_from_data
from tests.conftest import RESIDENT_TAJIK

FULL = RESIDENT_TAJIK


def _answer(law: LawSet, data: dict[str, object], on: dt.date = dt.date(2017, 6, 1)) -> dict[str, object]:
    return assessment_json(assess(profile_from_data(data), on, law), "en")


def test_contract_keys_and_types(example_law: LawSet) -> None:
    answer = _answer(example_law, FULL)
    assert set(answer) == {
        "contract",
        "as_of",
        "packs_version",
        "forces",
        "home",
        "home_missing_facts",
        "international",
        "sources",
    }
    assert answer["contract"] == "servicepath.assessment/1" and answer["as_of"] == "2017-06-01"
    force = answer["forces"]["aq-example-guard"]  # type: ignore[index]
    assert set(force) == {
        "name",
        "country",
        "verdict",
        "requirements",
        "missing_facts",
        "terms",
        "citizenship_paths",
        "home_risks",
        "international_status",
        "how_to_apply",
        "warnings",
    }
    assert set(force["requirements"][0]) == {
        "id",
        "text",
        "sources",
        "confidence",
        "result",
        "missing_facts",
        "law_gaps",
    }
    json.dumps(answer)  # everything is JSON-ready
    for source_id in force["requirements"][0]["sources"]:
        assert source_id in answer["sources"]  # type: ignore[operator]


def test_eligible_with_every_fact(example_law: LawSet) -> None:
    force = _answer(example_law, FULL)["forces"]["aq-example-guard"]  # type: ignore[index]
    assert force["verdict"] == "eligible" and force["missing_facts"] == []
    assert force["requirements"][0]["text"] == "Aged 18 to 30"  # the parameter in force on the date is shown


def test_one_false_requirement_decides_even_with_unknowns(example_law: LawSet) -> None:
    force = _answer(example_law, {"criminal_record": True})["forces"]["aq-example-guard"]  # type: ignore[index]
    assert force["verdict"] == "ineligible"
    assert force["missing_facts"] == []


def test_unknown_names_only_the_facts_that_could_decide(example_law: LawSet) -> None:
    partial = {key: value for key, value in FULL.items() if key != "languages"}
    force = _answer(example_law, partial)["forces"]["aq-example-guard"]  # type: ignore[index]
    assert force["verdict"] == "unknown"
    assert force["missing_facts"] == ["languages.ru"]
    nothing = _answer(example_law, {})["forces"]["aq-example-guard"]  # type: ignore[index]
    assert nothing["missing_facts"] == [
        "birth_date",
        "criminal_record",
        "languages.ru",
        "residence.country",
        "residence.status",
    ]


def test_citizenship_paths_from_a_service_start(example_law: LawSet) -> None:
    person = {**FULL, "service": {"start": "2016-02-29", "wounded_in_action": True}}
    paths = {p["id"]: p for p in _answer(example_law, person)["forces"]["aq-example-guard"]["citizenship_paths"]}  # type: ignore[index]
    assert paths["after-contract"]["earliest"] == "2021-02-28"  # five years on, no 29 February in 2021
    assert paths["after-contract"]["service_start_assumed"] is False
    assert paths["wounded"]["earliest"] == "2016-02-29" and paths["wounded"]["requires"] == "true"


def test_citizenship_path_without_service_assumes_the_date_asked_about(example_law: LawSet) -> None:
    paths = _answer(example_law, FULL, dt.date(2023, 1, 10))["forces"]["aq-example-guard"]["citizenship_paths"]  # type: ignore[index]
    after = next(p for p in paths if p["id"] == "after-contract")
    assert after["service_start_assumed"] is True
    assert after["earliest"] == "2024-01-10"  # one-year first contract from 2022-09-24


def test_home_risks_for_each_nationality_beside_each_force(example_law: LawSet) -> None:
    before_war = _answer(example_law, FULL, dt.date(2021, 1, 1))
    at_war = _answer(example_law, FULL, dt.date(2023, 1, 1))
    rule = lambda answer: next(r for r in answer["home"]["TJ"] if r["rule"] == "tj-example-enlistment")  # noqa: E731
    assert rule(before_war)["result"] == "unknown" and rule(before_war)["law_gaps"] == ["unknown"]
    assert rule(at_war)["result"] == "true" and rule(at_war)["by_force"] == {"aq-example-guard": "true"}
    risks = at_war["forces"]["aq-example-guard"]["home_risks"]  # type: ignore[index]
    assert {"rule": "tj-example-enlistment", "kind": "criminal", "result": "true"} in risks["TJ"]
    officer = _answer(example_law, {**FULL, "service": {"rank": "officer"}})
    assert next(r for r in officer["home"]["TJ"] if r["rule"] == "tj-example-citizenship")["result"] == "true"  # type: ignore[index]


def test_no_home_rules_without_citizenships(example_law: LawSet) -> None:
    answer = _answer(example_law, {"birth_date": "1990-03-15"})
    assert answer["home"] == {} and answer["home_missing_facts"] == ["citizenships"]


def test_unknown_force_is_a_clear_error(example_law: LawSet) -> None:
    with pytest.raises(UnknownForce, match="no force is called 'xx-nothing'"):
        assess(profile_from_data(FULL), dt.date(2020, 1, 1), example_law, ["xx-nothing"])


def test_texts_in_russian(example_law: LawSet) -> None:
    answer = assessment_json(assess(profile_from_data(FULL), dt.date(2017, 6, 1), example_law), "ru")
    assert answer["forces"]["aq-example-guard"]["requirements"][0]["text"] == "Возраст от 18 до 30 лет"


def test_international_law_applies_whatever_the_nationality(example_law: LawSet) -> None:
    answer = _answer(example_law, {}, dt.date(2023, 1, 1))
    rule = answer["international"][0]  # type: ignore[index]
    assert rule["rule"] == "example-mercenary-status" and rule["kind"] == "status"
    assert rule["result"] == "false"  # under the example, a member of a state's armed forces is no mercenary
    status = answer["forces"]["aq-example-guard"]["international_status"]  # type: ignore[index]
    assert status == [{"rule": "example-mercenary-status", "kind": "status", "result": "false"}]
