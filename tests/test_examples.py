"""The issue's two example people, assessed on the shipped law: every force with its verdict, and the law of
each nationality beside it, cited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from servicepath.engine.assess import assess
from servicepath.engine.contract import assessment_json
from servicepath.packs.lawset import shipped_law
from servicepath.profile import read_profile

EXAMPLES = Path(__file__).parent.parent / "examples"
ON = dt.date(2026, 11, 25)


def _assessed(name: str) -> dict[str, object]:
    return assessment_json(assess(read_profile(EXAMPLES / name), ON, shipped_law()), "en")


def test_nepali_worker_in_qatar() -> None:
    data = _assessed("nepali-in-qatar.yaml")
    forces = data["forces"]
    assert isinstance(forces, dict) and set(forces) == set(shipped_law().forces)
    # law/fr/foreign-legion.yaml: men of any nationality, 17 to 40 (Code de la défense L4142-1).
    assert forces["fr-foreign-legion"]["verdict"] == "eligible"
    # law/es/armed-forces.yaml: only nationals of the listed Spanish-speaking countries and Equatorial Guinea.
    assert forces["es-armed-forces"]["verdict"] == "ineligible"
    home = data["home"]
    assert isinstance(home, dict) and set(home) == {"NP"}
    assert home["NP"] and all(rule["sources"] for rule in home["NP"])
    # Beside each verdict: what Nepal's law says of that service.
    assert set(forces["ru-armed-forces"]["home_risks"]) == {"NP"}


def test_irish_british_citizen_in_spain() -> None:
    data = _assessed("irish-british-in-spain.yaml")
    forces = data["forces"]
    assert isinstance(forces, dict)
    # law/gb/british-army.yaml: British, Irish and Commonwealth citizens (Commons Library CBP-8625).
    assert forces["gb-british-army"]["verdict"] == "eligible"
    assert forces["es-armed-forces"]["verdict"] == "ineligible"
    # Each nationality is listed, even one the packs hold no rule for (Ireland): the page says so.
    home = data["home"]
    assert isinstance(home, dict) and set(home) == {"GB", "IE"}
    assert [rule["rule"] for rule in home["GB"]] == ["gb-fea-1870-s4-enlistment"]
    assert home["IE"] == []
