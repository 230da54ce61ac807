"""The profile: the issue's example validates as it stands; bad input names each field and echoes no value."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicepath.profile import ProfileError, facts_of, json_schema, profile_from_data, read_profile

EXAMPLE = """birth_date: 1990-03-15
citizenships: [TJ]
residence: {country: RU, status: temporary_residence_permit}
languages: {ru: B2}
criminal_record: false
sex: male
"""


def test_the_issue_example_validates(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(EXAMPLE)
    facts = facts_of(read_profile(path))
    assert facts["citizenships"] == frozenset({"TJ"})
    assert facts["languages.ru"] == "B2" and facts["residence.status"] == "temporary_residence_permit"
    assert "sex" in facts and "service.start" not in facts  # missing stays missing, never a default


def test_json_profiles_read_too(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"birth_date": "1990-03-15", "citizenships": ["FR", "TJ"], "service": {"rank": "officer"}}')
    assert facts_of(read_profile(path))["service.rank"] == "officer"


def test_every_bad_field_is_named_and_no_value_is_echoed() -> None:
    with pytest.raises(ProfileError) as error:
        profile_from_data(
            {
                "birth_date": "15/03/1990",
                "citizenships": ["UK"],
                "languages": {"ru": "B7"},
                "criminal_record": "secret-detail",
                "hobby": "x",
            }
        )
    problems = "\n".join(error.value.problems)
    assert "birth_date: must be a date written YYYY-MM-DD" in problems
    assert "citizenships.0: 'UK' is not an ISO 3166-1 alpha-2 country code" in problems
    assert "languages.ru:" in problems and "criminal_record:" in problems
    assert "hobby: is not a profile field" in problems
    assert "secret-detail" not in problems


def test_unreadable_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read the file"):
        read_profile(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("birth_date: [\n")
    with pytest.raises(ProfileError, match="not valid YAML or JSON"):
        read_profile(bad)


def test_schema_is_versioned_and_documents_fields() -> None:
    schema = json_schema()
    assert schema["$id"].endswith("profile-v2.json")
    assert {
        "birth_date",
        "citizenships",
        "residence",
        "languages",
        "criminal_record",
        "sex",
        "service",
        "recruitment_country",
    } <= set(schema["properties"])
