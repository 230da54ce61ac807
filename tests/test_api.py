"""The REST API: every endpoint with good and bad input; invalid input is a 422 naming the field, never the value."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from servicepath.packs.lawset import LawSet, shipped_law
from tests.conftest import RESIDENT_TAJIK
from tests.web_support import client_for


@pytest.fixture
def api(example_law: LawSet, tmp_path: Path) -> TestClient:
    return client_for(example_law, tmp_path / "sessions.db")


def test_assess_returns_the_json_contract(api: TestClient) -> None:
    response = api.post("/api/assess", json={"profile": RESIDENT_TAJIK, "as_of": "2024-06-01", "language": "en"})
    assert response.status_code == 200
    data = response.json()
    assert data["contract"] == "servicepath.assessment/1"
    assert data["forces"]["aq-example-guard"]["verdict"] == "eligible"
    assert {rule["rule"] for rule in data["home"]["TJ"]} == {"tj-example-enlistment", "tj-example-citizenship"}


def test_invalid_profile_names_each_field_and_never_echoes_the_value(api: TestClient) -> None:
    response = api.post(
        "/api/assess",
        json={"profile": {"birth_date": "15/03/1990", "criminal_record": "theft-2019", "citizenships": ["UK"]}},
    )
    assert response.status_code == 422
    problems = {item["field"]: item["problem"] for item in response.json()["detail"]}
    assert problems["profile.birth_date"] == "must be a date written YYYY-MM-DD"
    assert set(problems) == {"profile.birth_date", "profile.criminal_record", "profile.citizenships.0"}
    assert "theft-2019" not in response.text and "15/03/1990" not in response.text


def test_unknown_force_is_a_422_on_that_field(api: TestClient) -> None:
    response = api.post("/api/assess", json={"profile": {}, "forces": ["xx-nowhere"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "forces"


def test_explain_gives_the_trace_of_each_requirement(api: TestClient) -> None:
    response = api.post(
        "/api/explain", json={"profile": RESIDENT_TAJIK, "as_of": "2024-06-01", "force": "aq-example-guard"}
    )
    assert response.status_code == 200
    age = next(item for item in response.json()["requirements"] if item["id"] == "age")
    assert age["result"] == "true"
    assert "birth_date" in str(age["trace"])
    closed = api.post("/api/explain", json={"profile": {}, "as_of": "2010-01-01", "force": "aq-example-guard"})
    assert closed.status_code == 422 and "does not admit" in closed.json()["detail"][0]["problem"]


def test_next_question_then_done(api: TestClient) -> None:
    first = api.post("/api/next-question", json={"profile": {}, "as_of": "2024-06-01", "language": "ru"}).json()
    assert first["done"] is False
    assert first["question"]["fact"] == "citizenships"
    assert first["question"]["kind"] == "countries"
    assert {"value": "TJ", "label": "Таджикистан"} in first["question"]["choices"]
    done = api.post(
        "/api/next-question",
        json={
            "profile": {**RESIDENT_TAJIK, "service": {"rank": "enlisted"}},
            "as_of": "2024-06-01",
            "forces": ["aq-example-guard"],
        },
    ).json()
    assert done["done"] is True and done["question"] is None
    assert api.post("/api/next-question", json={"profile": {}, "declined": "birth_date"}).status_code == 422


def test_diff_lists_what_changed(api: TestClient) -> None:
    response = api.get("/api/diff", params={"from": "2019-06-01", "to": "2024-06-01"})
    assert response.status_code == 200
    assert response.json()["forces"]["aq-example-guard"]["parameters"]["max_age"] == {
        "from": 30,
        "to": 40,
        "sources": ["example-decree"],
    }
    bad = api.get("/api/diff", params={"from": "yesterday", "to": "2024-06-01"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "from"


def test_forces_and_sources(api: TestClient) -> None:
    forces = api.get("/api/forces", params={"as_of": "2010-01-01"}).json()
    assert forces == [
        {
            "id": "aq-example-guard",
            "country": "AQ",
            "name": {"en": "Example Guard", "ru": "Пример гвардии"},
            "admits_foreigners": False,
            "pack": "example-guard",
        }
    ]
    assert api.get("/api/forces", params={"as_of": "soon"}).status_code == 422
    sources = api.get("/api/sources").json()
    assert sources["example-statute"]["confidence"] == "unconfirmed"


def test_openapi_is_served_and_no_page_loads_from_a_cdn(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()
    assert {"/api/assess", "/api/explain", "/api/next-question", "/api/diff", "/api/forces", "/api/sources"} <= set(
        schema["paths"]
    )
    assert api.get("/docs").status_code == 404


def test_assess_carries_the_entry_standards(tmp_path: Path) -> None:
    """law/fr/entry-standards.yaml: Legion pull-ups reported as 3, 4, 5 or 7, so 8 meets every figure."""
    api = client_for(shipped_law(), tmp_path / "sessions.db")
    body = {"profile": {"results": {"pull_ups": 8}}, "forces": ["fr-foreign-legion"], "language": "en"}
    data = api.post("/api/assess", json=body).json()
    pull_ups = next(item for item in data["standards"]["fr-foreign-legion"]["standards"] if item["id"] == "pull-ups")
    assert (pull_ups["result"], pull_ups["margin"]) == ("meets", "1 repetition above the minimum")
    assert set(pull_ups["sources"]) <= set(data["sources"])
