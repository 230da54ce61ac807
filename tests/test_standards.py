"""Entry standards: self-assessment results in people's units, the standards pack format and its load errors, the
engine's meets / does not meet / unknown with margins and spreads, the JSON contract and the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servicepath.cli import app
from servicepath.engine.assess import UnknownForce, assess
from servicepath.engine.contract import assessment_json, standards_document, standards_json
from servicepath.engine.standards import assess_standards
from servicepath.packs.errors import PackError
from servicepath.packs.lawset import LawSet, load_law
from servicepath.profile import PROFILE_SCHEMA_VERSION, ProfileError, json_schema, profile_from_data
from servicepath.results import RESULTS, format_quantity, quantity, result_quantity
from tests.conftest import EXAMPLE_PACKS, RESIDENT_TAJIK

runner = CliRunner()
FORCE = "aq-example-guard"

STANDARDS = """pack: aq-example-standards
sources:
  aq-std-a: {url: "https://example.org/a", title: A, quote: "at least 10", confidence: primary, retrieved: 2026-11-25}
  aq-std-b: {url: "https://example.org/b", title: B, quote: "at least 12", confidence: press, retrieved: 2026-11-25}
standards:
  - id: push-ups
    force: aq-example-guard
    kind: physical
    test: {en: Push-ups, ru: Отжимания}
    result: push_ups
    unit: repetition
    direction: at_least
    minimums:
      - {value: 30, sex: male, age: {max: 29}, sources: [aq-std-a]}
      - {value: 25, sex: male, age: {min: 30}, sources: [aq-std-a]}
      - {value: 15, sex: female, sources: [aq-std-a]}
  - id: run
    force: aq-example-guard
    kind: physical
    test: {en: 3 km run, ru: Бег 3 км}
    result: run_3km
    unit: minute
    direction: at_most
    minimums:
      - {value: 14, sources: [aq-std-a], until: 2020-01-01}
      - {value: "13:30", sources: [aq-std-a], from: 2020-01-01}
      - {value: "13:00", sources: [aq-std-b], from: 2020-01-01}
  - id: height
    force: aq-example-guard
    kind: medical
    test: {en: Height, ru: Рост}
    result: height
    unit: centimetre
    direction: at_least
    minimums:
      - {value: 160, sources: [aq-std-a]}
  - id: selection
    force: aq-example-guard
    kind: selection
    test: {en: Selection, ru: Отбор}
    text: {en: About two weeks, ru: Около двух недель}
    sources: [example-statute]
"""


@pytest.fixture(scope="module")
def standards_law(tmp_path_factory: pytest.TempPathFactory) -> LawSet:
    path = tmp_path_factory.mktemp("standards") / "standards.yaml"
    path.write_text(STANDARDS, encoding="utf-8")
    return load_law([EXAMPLE_PACKS, path])


def _standard(law: LawSet, profile: dict[str, object], standard: str, on: str = "2025-01-01") -> dict[str, object]:
    person = profile_from_data(profile)
    answer = standards_json(assess_standards(person, dt.date.fromisoformat(on), law, [FORCE]), "en")
    return next(item for item in answer[FORCE]["standards"] if item["id"] == standard)


# --- the profile: versioned results in people's units --------------------------------------------------------------


def test_a_version_1_profile_still_loads_and_version_2_is_current() -> None:
    assert profile_from_data({**RESIDENT_TAJIK, "schema_version": 1}).schema_version == 1
    assert profile_from_data({"results": {"afqt": 50}}).schema_version == PROFILE_SCHEMA_VERSION == 2
    with pytest.raises(ProfileError, match="need schema_version 2"):
        profile_from_data({"schema_version": 1, "results": {"afqt": 50}})
    assert "results" in json_schema()["properties"]


@pytest.mark.parametrize(
    ("name", "raw", "unit", "expected"),
    [
        ("run_2km", "9:30", "second", 570),
        ("run_2km", "9 min 30 s", "second", 570),
        ("run_3km", "1:02:03", "second", 3723),
        ("cooper_12min", "1.6 mi", "metre", 2574.9504),
        ("cooper_12min", "2.6 km", "metre", 2600),
        ("height", "5 ft 9 in", "centimetre", 175.26),
        ("height", "5'9\"", "centimetre", 175.26),
        ("height", "175 cm", "metre", 1.75),
        ("weight", "154 lb", "kilogram", 69.853),
        ("medicine_ball_throw", "2,9 m", "metre", 2.9),
        ("push_ups", 40, "repetition", 40),
        ("afqt", "55", "percentile", 55),
    ],
)
def test_results_are_read_in_the_units_people_know(name: str, raw: object, unit: str, expected: float) -> None:
    assert quantity(RESULTS[name], raw).to(unit).magnitude == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize(
    ("results", "fragment"),
    [
        ({"run_2km": 570}, "give the unit"),
        ({"run_2km": "9:75"}, "seconds must be under 60"),
        ({"height": "9:30"}, "is a time, not a length"),
        ({"weight": "70 m"}, "is not a mass"),
        ({"height": "5 zorks"}, "is not a unit"),
        ({"afqt": 100}, "from 1 to 99"),
        ({"pull_ups": -1}, "zero or more"),
        ({"shuttle_run_level": 7.1}, "as text LEVEL.SHUTTLE"),
        ({"bench_press": 3}, "not a profile field"),
    ],
)
def test_results_that_cannot_be_read_name_the_field_and_the_fix(results: dict[str, object], fragment: str) -> None:
    with pytest.raises(ProfileError) as error:
        profile_from_data({"results": results})
    assert fragment in str(error.value)


def test_body_mass_index_is_derived_from_height_and_weight() -> None:
    results = profile_from_data({"results": {"height": "180 cm", "weight": "81 kg"}}).results
    assert result_quantity(results, "bmi").magnitude == pytest.approx(25.0)
    assert result_quantity(profile_from_data({"results": {"height": "180 cm"}}).results, "bmi") is None


def test_shuttle_levels_compare_by_level_then_shuttle() -> None:
    kind = RESULTS["shuttle_run_level"]
    assert quantity(kind, "7.10") > quantity(kind, "7.9") > quantity(kind, "7.1") > quantity(kind, "7")
    assert format_quantity(quantity(kind, "7.10"), "shuttle_level") == "7.10"


def test_results_are_not_facts_rules_can_read() -> None:
    from servicepath.profile import facts_of

    assert not any(name.startswith("results") for name in facts_of(profile_from_data({"results": {"afqt": 50}})))


# --- the engine ------------------------------------------------------------------------------------------------------


def test_the_cell_follows_sex_and_age_band(standards_law: LawSet) -> None:
    man_25 = {"sex": "male", "birth_date": "2000-01-01", "results": {"push_ups": 29}}
    item = _standard(standards_law, man_25, "push-ups")
    assert (item["result"], item["margin"]) == ("does_not_meet", "1 repetition short of the minimum")
    assert [minimum["value"] for minimum in item["minimums"]] == ["30"]
    man_30 = {**man_25, "birth_date": "1995-01-01"}
    assert _standard(standards_law, man_30, "push-ups")["result"] == "meets"
    woman = {"sex": "female", "results": {"push_ups": 15}}
    assert _standard(standards_law, woman, "push-ups")["margin"] == "exactly at the minimum"


def test_a_fact_the_cell_needs_is_listed_when_it_would_decide(standards_law: LawSet) -> None:
    item = _standard(standards_law, {"results": {"push_ups": 20}}, "push-ups")
    assert (item["result"], item["reason"], item["disputed"]) == ("unknown", "missing_facts", False)
    assert item["missing_facts"] == ["birth_date", "sex"]
    assert item["spread"] == {"lenient": "15", "strict": "30"}
    # a result above every cell's minimum needs no more facts
    assert _standard(standards_law, {"results": {"push_ups": 31}}, "push-ups")["result"] == "meets"


def test_a_disputed_minimum_is_a_spread_and_its_date_is_respected(standards_law: LawSet) -> None:
    inside = _standard(standards_law, {"results": {"run_3km": "13:15"}}, "run")
    assert (inside["result"], inside["reason"], inside["disputed"]) == ("unknown", "disputed", True)
    assert inside["spread"] == {"lenient": "13:30", "strict": "13:00"}
    assert {m["value"]: m["confidence"] for m in inside["minimums"]} == {"13:30": "primary", "13:00": "press"}
    assert _standard(standards_law, {"results": {"run_3km": "12:58"}}, "run")["margin"] == "2 s under the limit"
    slow = _standard(standards_law, {"results": {"run_3km": "13:31"}}, "run")
    assert (slow["result"], slow["margin"]) == ("does_not_meet", "1 s over the limit")
    before = _standard(standards_law, {"results": {"run_3km": "13:45"}}, "run", on="2019-12-31")
    assert (before["result"], before["disputed"], before["margin"]) == ("meets", False, "15 s under the limit")


def test_units_convert_between_the_result_and_the_standard(standards_law: LawSet) -> None:
    short = _standard(standards_law, {"results": {"height": "5 ft 2 in"}}, "height")
    assert (short["result"], short["margin"], short["person"]) == (
        "does_not_meet",
        "0.03 m short of the minimum",
        "1.57 m",
    )
    assert _standard(standards_law, {"results": {"height": "5 ft 3 in"}}, "height")["result"] == "meets"  # 160.02 cm
    assert _standard(standards_law, {"results": {"height": "160 cm"}}, "height")["margin"] == "exactly at the minimum"
    assert _standard(standards_law, {"results": {"height": "1.61 m"}}, "height")["result"] == "meets"


def test_missing_results_stay_unknown_and_are_listed(standards_law: LawSet) -> None:
    answer = standards_json(assess_standards(profile_from_data({}), dt.date(2025, 1, 1), standards_law, [FORCE]))
    entry = answer[FORCE]
    assert entry["missing_results"] == ["height", "push_ups", "run_3km"]
    assert {item["id"]: item["reason"] for item in entry["standards"]} == {
        "push-ups": "no_result",
        "run": "no_result",
        "height": "no_result",
        "selection": "descriptive",
    }
    assert all(item["result"] == "unknown" for item in entry["standards"])


def test_the_answer_never_urges(standards_law: LawSet) -> None:
    text = json.dumps(standards_document(assess_standards(profile_from_data({}), dt.date(2025, 1, 1), standards_law)))
    assert "should apply" not in text.lower() and "apply now" not in text.lower()


def test_an_unknown_force_is_refused(standards_law: LawSet) -> None:
    with pytest.raises(UnknownForce):
        assess_standards(profile_from_data({}), dt.date(2025, 1, 1), standards_law, ["zz-nowhere"])


def test_the_contract_gains_a_standards_key(standards_law: LawSet) -> None:
    profile, on = profile_from_data({**RESIDENT_TAJIK, "results": {"push_ups": 40}}), dt.date(2025, 1, 1)
    plain = assessment_json(assess(profile, on, standards_law), "en")
    assert "standards" not in plain
    data = assessment_json(assess(profile, on, standards_law), "en", assess_standards(profile, on, standards_law))
    assert data["standards"][FORCE]["standards"][0]["result"] == "meets"
    assert "aq-std-a" in data["sources"] and set(plain["sources"]) <= set(data["sources"])


def test_the_shipped_standards_load_and_name_existing_forces() -> None:
    law = load_law()
    forces = {standard.force for pack in law.packs for standard in pack.model.standards}
    assert {"fr-foreign-legion", "us-armed-forces", "ru-armed-forces"} <= forces
    assert forces <= set(law.forces)


# --- load errors name the file, the line and the reason --------------------------------------------------------------

HEAD = """pack: aq-broken-standards
sources:
  s1: {url: "https://example.org/a", title: "t", quote: "q", confidence: press, retrieved: 2026-11-25}
standards:
  - id: push-ups
    kind: physical
    test: {en: Push-ups, ru: Отжимания}
"""


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        (
            "    force: aq-nowhere\n    result: push_ups\n    unit: repetition\n    direction: at_least\n"
            "    minimums: [{value: 10, sources: [s1]}]\n",
            8,
            "is for the force 'aq-nowhere', which no loaded pack defines",
        ),
        (
            "    force: aq-example-guard\n    result: bench_press\n    unit: repetition\n    direction: at_least\n"
            "    minimums: [{value: 10, sources: [s1]}]\n",
            9,
            "no self-assessment result is called 'bench_press'",
        ),
        (
            "    force: aq-example-guard\n    result: push_ups\n    unit: second\n    direction: at_least\n"
            "    minimums: [{value: 10, sources: [s1]}]\n",
            10,
            "does not measure the result 'push_ups'",
        ),
        (
            "    force: aq-example-guard\n    result: push_ups\n    unit: zorks\n    direction: at_least\n"
            "    minimums: [{value: 10, sources: [s1]}]\n",
            10,
            "is not a unit Pint knows",
        ),
        (
            "    force: aq-example-guard\n    result: run_2km\n    unit: second\n    direction: at_most\n"
            "    minimums: [{value: '11:75', sources: [s1]}]\n",
            12,
            "cannot read the minimum",
        ),
        (
            "    force: aq-example-guard\n    result: push_ups\n    unit: repetition\n    direction: at_least\n"
            "    minimums: [{value: 10, sources: [nope]}]\n",
            12,
            "no source is called 'nope' in any loaded pack",
        ),
        (
            "    force: aq-example-guard\n    result: push_ups\n    unit: repetition\n"
            "    minimums: [{value: 10, sources: [s1]}]\n",
            5,
            "a measured standard needs 'result', 'unit', 'direction' and 'minimums' (missing: direction)",
        ),
        ("    force: aq-example-guard\n", 5, "a descriptive standard (no 'result') needs 'text' and 'sources'"),
        (
            "    force: aq-example-guard\n    result: push_ups\n    unit: repetition\n    direction: at_least\n"
            "    minimums: [{value: 10, sources: [s1], age: {min: 30, max: 20}}]\n",
            12,
            "'max' (20) must not be below 'min' (30)",
        ),
        (
            "    force: aq-example-guard\n    text: {en: a, ru: a}\n    sources: [s1]\n"
            "  - id: push-ups\n    kind: physical\n    force: aq-example-guard\n    test: {en: b, ru: b}\n"
            "    text: {en: a, ru: a}\n    sources: [s1]\n",
            11,
            "is given twice for the same dates",
        ),
    ],
)
def test_load_errors_name_file_line_and_reason(tmp_path: Path, body: str, line: int, fragment: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(PackError) as error:
        load_law([EXAMPLE_PACKS, path])
    problems = [problem for problem in error.value.problems if problem.file == str(path)]
    assert any(fragment in problem.message for problem in problems), problems
    assert any(problem.line == line and fragment in problem.message for problem in problems), [
        str(problem) for problem in problems
    ]


# --- the command line ----------------------------------------------------------------------------------------------


def test_the_standards_command_prints_a_table_and_json(tmp_path: Path, standards_law: LawSet) -> None:
    packs_path = tmp_path / "standards.yaml"
    packs_path.write_text(STANDARDS, encoding="utf-8")
    person = tmp_path / "person.yaml"
    person.write_text("sex: female\nresults: {push_ups: 20, run_3km: '12:00'}\n", encoding="utf-8")
    packs = ["--packs", str(EXAMPLE_PACKS), "--packs", str(packs_path)]
    table = runner.invoke(app, ["standards", str(person), "--as-of", "2025-01-01", *packs])
    assert table.exit_code == 0, table.output
    assert "meets" in table.output and "No result given for: height" in table.output
    result = runner.invoke(
        app, ["standards", str(person), "--force", FORCE, "--format", "json", "--as-of", "2025-01-01", *packs]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["standards"][FORCE]["standards"][0]["margin"] == "5 repetitions above the minimum"
    assert data["standards"][FORCE]["standards"][1]["margin"] == "1 min under the limit"
    unknown = runner.invoke(app, ["standards", str(person), "--force", "zz-nowhere", *packs])
    assert unknown.exit_code == 2 and "no force is called" in unknown.output
