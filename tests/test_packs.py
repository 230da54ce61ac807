"""Law packs: dated selection on boundary dates, and load errors that name the file and the line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from servicepath.engine.assess import assess
from servicepath.engine.contract import assessment_json
from servicepath.packs import yaml_lines
from servicepath.packs.errors import PackError
from servicepath.packs.lawset import LawSet, load_law
from servicepath.profile import profile_from_data
from tests.conftest import RESIDENT_TAJIK

TAJIK = RESIDENT_TAJIK


def _terms(law: LawSet, on: str) -> dict[str, object]:
    answer = assessment_json(assess(profile_from_data(TAJIK), dt.date.fromisoformat(on), law))
    return {term["id"]: term["value"] for term in answer["forces"]["aq-example-guard"]["terms"]}


@pytest.mark.parametrize(
    ("on", "contract"), [("2022-09-23", "5 years"), ("2022-09-24", "1 year"), ("2015-01-01", "5 years")]
)
def test_parameters_change_on_their_from_date(example_law: LawSet, on: str, contract: str) -> None:
    assert _terms(example_law, on)["first-contract"] == contract


def test_requirements_are_in_force_from_their_date(example_law: LawSet) -> None:
    def ids(on: str) -> list[str]:
        answer = assessment_json(assess(profile_from_data(TAJIK), dt.date.fromisoformat(on), example_law))
        return [item["id"] for item in answer["forces"]["aq-example-guard"]["requirements"]]

    assert "record" not in ids("2015-12-31")
    assert "record" in ids("2016-01-01")


def test_a_force_is_not_assessed_before_it_admits_foreigners(example_law: LawSet) -> None:
    answer = assessment_json(assess(profile_from_data(TAJIK), dt.date(2014, 12, 31), example_law))
    assert answer["forces"] == {}


def test_leap_day_birthday_follows_the_pack_setting(example_law: LawSet) -> None:
    # The example pack says a 29 February birthday falls on 1 March in common years.
    person = {**TAJIK, "birth_date": "2000-02-29"}

    def age_ok(on: dt.date) -> str:
        answer = assessment_json(assess(profile_from_data(person), on, example_law))
        return next(r["result"] for r in answer["forces"]["aq-example-guard"]["requirements"] if r["id"] == "age")

    assert age_ok(dt.date(2018, 2, 28)) == "false"
    assert age_ok(dt.date(2018, 3, 1)) == "true"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEAD = """pack: broken
sources:
  s1: {url: "https://example.org/a", title: "t", quote: "q", confidence: press, retrieved: 2026-11-25}
"""


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        (
            "forces:\n  - id: aq-x\n    country: AQ\n    name: {en: X, ru: X}\n    requirements:\n"
            "      - id: age\n        text: {en: a, ru: a}\n"
            "        rule: age_on(birth_date) >= 18\n        sources: [s1]\n",
            11,
            "age_on takes two dates",
        ),
        (
            "forces:\n  - id: aq-x\n    country: AQ\n    name: {en: X, ru: X}\n    requirements:\n"
            "      - id: age\n        text: {en: a, ru: a}\n        rule: age >=\n        sources: [s1]\n",
            11,
            "the rule ends too early",
        ),
        (
            "forces:\n  - id: aq-x\n    country: AQ\n    name: {en: X, ru: X}\n    requirements:\n"
            "      - id: age\n        text: {en: a, ru: a}\n        rule: 'true'\n        sources: [nope]\n",
            12,
            "no source is called 'nope'",
        ),
        (
            "parameters:\n  limit:\n    values:\n      - {from: 2015-01-01, value: 30, sources: [s1]}\n"
            "      - {from: 2020-01-01, value: 40, sources: [s1]}\n",
            7,
            "overlaps",
        ),
        (
            "parameters:\n  limit:\n    values:\n"
            "      - {from: 2015-01-01, until: 2016-01-01, value: 30, sources: [s1]}\n"
            "      - {from: 2020-01-01, value: 40, sources: [s1]}\n",
            7,
            "no value from 2016-01-01",
        ),
        ("forces:\n  - id: aq-x\n    country: UK\n    name: {en: X, ru: X}\n", 6, "not an ISO 3166-1"),
        ("forces:\n  - id: aq-x\n    country: AQ\n    name: {en: X}\n", 7, "forces.0.name.ru: is required"),
        ("forcez: []\n", 4, "forcez: is not a field"),
        (
            "home_rules:\n  - id: r\n    country: TJ\n    kind: criminal\n    text: {en: a, ru: a}\n"
            "    applies: force.at_war\n    sources: [s1]\n",
            9,
            "no force attribute is called 'at_war'",
        ),
        ("definitions:\n  a: rule.b\n  b: rule.a\n", 5, "in a circle"),
        (
            "parameters:\n  nordic:\n    values:\n      - {from: 2015-01-01, value: [SE, NO], sources: [s1]}\n",
            7,
            "quote codes such as 'NO'",
        ),
    ],
)
def test_load_errors_name_file_line_and_reason(tmp_path: Path, body: str, line: int, fragment: str) -> None:
    path = _write(tmp_path, GOOD_HEAD + body)
    with pytest.raises(PackError) as error:
        load_law([path])
    problem = error.value.problems[0]
    assert problem.file == str(path)
    assert fragment in problem.message, problem.message
    assert problem.line == line, str(problem)


def test_yaml_syntax_errors_and_duplicates(tmp_path: Path) -> None:
    with pytest.raises(PackError) as error:
        load_law([_write(tmp_path, "pack: x\nsources: [\n")])
    assert "not valid YAML" in str(error.value)
    with pytest.raises(PackError) as error:
        load_law([_write(tmp_path, "pack: x\npack: y\n")])
    assert error.value.problems[0].line == 2 and "given twice" in str(error.value)


def test_loading_never_builds_python_objects(tmp_path: Path) -> None:
    path = _write(tmp_path, "pack: x\ntitle: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(PackError) as error:
        load_law([path])
    assert "not valid YAML" in str(error.value)


def test_ids_clash_across_packs(tmp_path: Path, example_law: LawSet) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(
        (Path(example_law.packs[0].file)).read_text(encoding="utf-8").replace("pack: example-guard", "pack: other")
    )
    with pytest.raises(PackError) as error:
        load_law([Path(example_law.packs[0].file), copy])
    text = str(error.value)
    assert "the source 'example-statute' is also defined" in text
    assert "the force 'aq-example-guard' is also defined" in text


def test_shipped_packs_load_and_cite_every_item() -> None:
    law = load_law()
    for pack in law.packs:
        for force in pack.model.forces:
            for section in ("requirements", "terms", "citizenship_paths", "how_to_apply", "warnings"):
                for item in getattr(force, section):
                    assert item.sources, f"{pack.file}: {force.id} {section} {item.id} cites no source"
                    assert all(source in law.sources for source in item.sources)
            for name, values in pack.parameter_values.items():
                assert all(dated.sources for dated, _ in values), name
        for rule in pack.model.home_rules:
            assert rule.sources, f"{pack.file}: home rule {rule.id} cites no source"
        for source in pack.model.sources.values():
            assert source.quote.strip() and source.url.startswith("http")


def test_both_yaml_parsers_read_every_shipped_pack_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml's parser is used where PyYAML has it, PyYAML's own elsewhere: both give every shipped pack's values
    and their lines alike, and both refuse a key given twice."""
    if not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML is built without libyaml here")
    files = sorted((Path(yaml_lines.__file__).parents[1] / "law").rglob("*.yaml"))
    assert len(files) > 40
    found = {}
    for parser in (yaml.CSafeLoader, yaml.SafeLoader):
        monkeypatch.setattr(yaml_lines, "SafeLoader", parser)
        documents = [yaml_lines.load(file.read_text(encoding="utf-8")) for file in files]
        found[parser] = [(document.data, document.lines) for document in documents]
        with pytest.raises(yaml_lines.YamlProblem, match="'a' is given twice"):
            yaml_lines.load("a: 1\nb: 2\na: 3\n")
    assert found[yaml.CSafeLoader] == found[yaml.SafeLoader]
