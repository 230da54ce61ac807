"""The command line as a person uses it: exit codes, clear errors, and the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from servicepath.cli import app
from tests.conftest import EXAMPLE_PACKS

runner = CliRunner()
PACKS = ["--packs", str(EXAMPLE_PACKS)]


def _profile(tmp_path: Path, text: str) -> str:
    path = tmp_path / "person.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


PERSON = (
    "birth_date: 1990-03-15\ncitizenships: [TJ]\nlanguages: {ru: B2}\ncriminal_record: false\n"
    "residence: {country: AQ, status: permanent_resident}\n"
)


def test_assess_json(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["assess", _profile(tmp_path, PERSON), "--as-of", "2017-06-01", "--format", "json", *PACKS]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["forces"]["aq-example-guard"]["verdict"] == "eligible"
    assert data["home"]["TJ"][0]["rule"] == "tj-example-enlistment"


def test_assess_table_shows_verdict_sources_and_home_law(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", _profile(tmp_path, PERSON), "--as-of", "2023-01-01", *PACKS])
    assert result.exit_code == 0, result.output
    assert "Verdict: eligible" in result.output
    assert "[example-statute; unconfirmed]" in result.output
    assert "Law of TJ on serving abroad" in result.output


def test_bad_profile_names_the_field(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", _profile(tmp_path, "citizenships: [UK]\n"), *PACKS])
    assert result.exit_code == 2
    assert "citizenships.0: 'UK' is not an ISO 3166-1 alpha-2 country code" in result.output
    assert "Traceback" not in result.output


def test_bad_date_and_unknown_force(tmp_path: Path) -> None:
    person = _profile(tmp_path, PERSON)
    result = runner.invoke(app, ["assess", person, "--as-of", "01/06/2017", *PACKS])
    assert result.exit_code == 2 and "write it as YYYY-MM-DD" in result.output
    result = runner.invoke(app, ["explain", person, "--force", "xx-none", *PACKS])
    assert result.exit_code == 2 and "no force is called 'xx-none'" in result.output


def test_explain_tree(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "explain",
            _profile(tmp_path, "birth_date: 1990-03-15\n"),
            "--force",
            "aq-example-guard",
            "--as-of",
            "2017-06-01",
            *PACKS,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "verdict unknown" in result.output
    assert "age_on(birth_date, as_of) = 27" in result.output
    assert "languages.ru = unknown (not given)" in result.output


def test_diff_json() -> None:
    result = runner.invoke(app, ["diff", "--from", "2015-06-01", "--to", "2023-01-01", *PACKS])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["forces"]["aq-example-guard"]["parameters"]["max_age"]["to"] == 40


def test_packs_check(tmp_path: Path) -> None:
    result = runner.invoke(app, ["packs", "check", str(EXAMPLE_PACKS)])
    assert result.exit_code == 0 and "ok: 1 pack file(s), 1 force(s)" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "pack: b\nforces:\n  - id: aq-b\n    country: AQ\n    name: {en: B, ru: B}\n    requirements:\n"
        "      - {id: a, text: {en: a, ru: a}, rule: 'age >', sources: [x]}\n"
    )
    result = runner.invoke(app, ["packs", "check", str(broken)])
    assert result.exit_code == 2
    assert f"{broken}:7:" in result.output and "the rule ends too early" in result.output


def test_schema_is_json() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0 and json.loads(result.output)["title"] == "Profile"
