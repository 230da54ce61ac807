"""Scenario cases (tests/scenarios/**.yaml) against the shipped law packs, and the runner's own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicepath.packs.lawset import LawSet, load_law
from servicepath.packs.scenarios import Case, check_case, read_cases

HERE = Path(__file__).parent
CASES = [case for file in sorted((HERE / "scenarios").rglob("*.yaml")) for case in read_cases(file)]


@pytest.fixture(scope="module")
def shipped() -> LawSet:
    return load_law()


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{case.file.parent.name}/{case.file.stem}: {case.name}" for case in CASES]
)
def test_scenario(case: Case, shipped: LawSet) -> None:
    problems = check_case(case, shipped)
    assert not problems, "\n".join(problems)


def test_the_runner_passes_a_right_case_and_catches_each_wrong_one(example_law: LawSet) -> None:
    cases = {case.name: case for case in read_cases(HERE / "scenarios_example" / "runner.yaml")}
    assert check_case(cases["right"], example_law) == []
    assert check_case(cases["limited to one force, with per-force home results"], example_law) == []
    assert check_case(cases["absent before the force admitted foreigners"], example_law) == []
    assert check_case(cases["wrongly expected absent"], example_law) == [
        "forces.aq-example-guard: expected absent on 2015-01-01, but it is assessed"
    ]
    wrong = check_case(cases["wrong"], example_law)
    assert len(wrong) == 6, wrong
    assert any("verdict: expected ineligible, got eligible" in problem for problem in wrong)
    assert any("terms.first-contract: expected 1 year, got 5 years" in problem for problem in wrong)
    assert any("no 'no-such-requirement'" in problem for problem in wrong)
    assert any("the case names no source" in problem for problem in wrong)
