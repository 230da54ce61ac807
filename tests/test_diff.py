"""diff: what changed in the law between two dates."""

from __future__ import annotations

import datetime as dt

from servicepath.packs.diff import diff
from servicepath.packs.lawset import LawSet


def test_diff_lists_requirements_parameters_and_sources(example_law: LawSet) -> None:
    changes = diff(example_law, dt.date(2015, 6, 1), dt.date(2023, 1, 1))
    force = changes["forces"]["aq-example-guard"]
    assert force["requirements"] == {"added": ["record"], "removed": [], "changed": []}
    assert force["parameters"]["max_age"] == {"from": 30, "to": 40, "sources": ["example-decree"]}
    assert force["parameters"]["first_contract"]["to"] == "1 year"
    assert "monthly_pay" not in force["parameters"]  # unchanged values are not listed


def test_diff_of_a_date_with_itself_is_empty(example_law: LawSet) -> None:
    changes = diff(example_law, dt.date(2020, 6, 1), dt.date(2020, 6, 1))
    assert changes["forces"] == {} and changes["home_rules"] == {}
    assert changes["sources"] == {"added": [], "removed": []}


def test_diff_shows_a_force_opening(example_law: LawSet) -> None:
    changes = diff(example_law, dt.date(2014, 1, 1), dt.date(2016, 1, 1))
    assert changes["forces"]["aq-example-guard"]["open_to_foreigners"] == {"from": False, "to": True}
