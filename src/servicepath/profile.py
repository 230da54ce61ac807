"""The person's facts: the profile model (versioned, exported as JSON Schema) and the facts rules can read."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import pycountry
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from servicepath.language import types as t
from servicepath.language.ast import Value
from servicepath.results import Results

PROFILE_SCHEMA_VERSION: Literal[2] = 2
"""Version 2 added `results` (self-assessment results); version 1 profiles load unchanged."""


@functools.cache
def country_codes() -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes, with XK (Kosovo), which is user-assigned but in wide use."""
    return tuple(sorted({country.alpha_2 for country in pycountry.countries} | {"XK"}))


@functools.cache
def language_codes() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def _country(code: str) -> str:
    if code not in country_codes():
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code (e.g. RU, TJ, FR)")
    return code


def _languages(levels: dict[str, str]) -> dict[str, str]:
    for code in levels:
        if code not in language_codes():
            raise ValueError(f"'{code}' is not an ISO 639-1 language code (e.g. ru, fr, en)")
    return levels


CountryCode = Annotated[str, AfterValidator(_country)]
CefrLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2", "native"]
CEFR_LEVELS: tuple[str, ...] = get_args(CefrLevel)
ResidenceStatus = Literal[
    "citizen",
    "permanent_resident",
    "temporary_residence_permit",
    "residence_permit",
    "work_patent",
    "visa",
    "visa_free_stay",
    "refugee",
    "asylum_seeker",
    "no_lawful_status",
    "other",
]
RESIDENCE_STATUSES: tuple[str, ...] = get_args(ResidenceStatus)
Education = Literal["none", "primary", "lower_secondary", "upper_secondary", "vocational", "higher"]
EDUCATION_LEVELS: tuple[str, ...] = get_args(Education)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Residence(_Strict):
    country: CountryCode | None = Field(None, description="Country of residence (ISO 3166-1 alpha-2).")
    status: ResidenceStatus | None = Field(None, description="Lawful status in that country.")


class Service(_Strict):
    force: str | None = Field(None, description="Force id of the service the person is in, did, or plans.")
    start: dt.date | None = Field(None, description="Date the service started (or would start).")
    end: dt.date | None = Field(None, description="Date the service ended.")
    honourable: bool | None = Field(None, description="Served honourably (no dishonourable discharge).")
    rank: Literal["enlisted", "officer"] | None = None
    wounded_in_action: bool | None = None
    in_combat_zone: bool | None = Field(
        None, description="Served during a designated period of hostilities or in an armed conflict."
    )


class Profile(_Strict):
    """The facts a person can give. Every field is optional: a missing fact is unknown, never a default."""

    schema_version: Literal[1, 2] = PROFILE_SCHEMA_VERSION
    birth_date: dt.date | None = None
    citizenships: list[CountryCode] | None = Field(
        None, description="Every nationality the person holds (ISO 3166-1 alpha-2); [] means stateless."
    )
    residence: Residence | None = None
    languages: Annotated[dict[str, CefrLevel], AfterValidator(_languages)] | None = Field(
        None, description="ISO 639-1 language code to CEFR level (A1 to C2, or native)."
    )
    criminal_record: bool | None = Field(None, description="Has an unexpunged (unspent) criminal conviction.")
    under_criminal_investigation: bool | None = Field(None, description="Under investigation or on trial now.")
    sex: Literal["male", "female"] | None = None
    education: Education | None = None
    recruitment_country: CountryCode | None = Field(
        None, description="Where the person would enlist or be recruited (ISO 3166-1 alpha-2)."
    )
    intends_to_give_up_citizenship: bool | None = Field(
        None, description="Would serve with the intention of giving up a nationality."
    )
    service: Service | None = None
    results: Results | None = Field(
        None, description="Self-assessment results (schema version 2), in the units the person knows."
    )

    @model_validator(mode="after")
    def _results_need_version_2(self) -> Profile:
        if self.results is not None and self.schema_version < 2:
            raise ValueError("results: need schema_version 2 (or leave schema_version out)")
        return self


COUNTRY = t.Domain("country code", country_codes())
CEFR = t.Domain("CEFR level", CEFR_LEVELS, ordered=True)
DOMAINS_BY_FACT: dict[str, t.Type] = {
    "birth_date": t.DATE,
    "citizenships": t.set_of(COUNTRY),
    "residence.country": t.code_of(COUNTRY),
    "residence.status": t.code_of(t.Domain("residence status", RESIDENCE_STATUSES)),
    "criminal_record": t.BOOL,
    "under_criminal_investigation": t.BOOL,
    "sex": t.code_of(t.Domain("sex", ("male", "female"))),
    "education": t.code_of(t.Domain("education level", EDUCATION_LEVELS, ordered=True)),
    "recruitment_country": t.code_of(COUNTRY),
    "intends_to_give_up_citizenship": t.BOOL,
    "service.force": t.CODE,
    "service.start": t.DATE,
    "service.end": t.DATE,
    "service.honourable": t.BOOL,
    "service.rank": t.code_of(t.Domain("rank", ("enlisted", "officer"))),
    "service.wounded_in_action": t.BOOL,
    "service.in_combat_zone": t.BOOL,
}


def fact_type(name: str) -> t.Type | None:
    """The type of a fact rules can read, or None if there is no such fact."""
    if name.startswith("languages."):
        return t.code_of(CEFR) if name.removeprefix("languages.") in language_codes() else None
    return DOMAINS_BY_FACT.get(name)


def facts_of(profile: Profile) -> dict[str, Value]:
    """The profile as the flat fact names rules read; a fact not given is simply absent (unknown)."""
    facts: dict[str, Value] = {}
    for key, value in profile:
        if value is None or key in ("schema_version", "results"):
            continue
        if key == "citizenships":
            facts[key] = frozenset(value)
        elif key == "languages":
            facts.update({f"languages.{code}": level for code, level in value.items()})
        elif isinstance(value, BaseModel):
            facts.update({f"{key}.{inner}": item for inner, item in value if item is not None})
        else:
            facts[key] = value
    return facts


def profile_data(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Flat fact names and their values as profile data: `residence.country` goes under `residence`."""
    data: dict[str, Any] = {}
    for fact, value in facts.items():
        head, _, tail = fact.partition(".")
        if tail:
            data.setdefault(head, {})[tail] = value
        else:
            data[head] = value
    return data


def json_schema() -> dict[str, Any]:
    schema = Profile.model_json_schema()
    schema["$id"] = f"https://servicepath.invalid/schemas/profile-v{PROFILE_SCHEMA_VERSION}.json"
    return schema


class ProfileError(ValueError):
    """Every problem found in a profile, each naming the field and what to fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def field_problem(detail: Any) -> str:
    """One validation error as `field: what to fix`, never echoing the value given."""
    where = ".".join(str(part) for part in detail["loc"] if not (isinstance(part, str) and "[" in part))
    kind, message = detail["type"], detail["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        message = "is not a profile field (see `servicepath schema`)"
    elif kind == "literal_error":
        message = message.replace("Input should be", "must be")
    elif kind.startswith("date"):
        message = "must be a date written YYYY-MM-DD"
    return f"{where or 'profile'}: {message}"


def profile_from_data(data: Any) -> Profile:
    """Validate profile data; raise ProfileError listing every bad field (the values are not echoed back)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError(["profile: must be a mapping of fields, such as 'birth_date: 1990-03-15'"])
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        raise ProfileError([field_problem(detail) for detail in error.errors()]) from None


def read_profile(path: Path) -> Profile:
    """Read a profile from a YAML or JSON file (JSON is YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError([f"{path}: cannot read the file ({error.__class__.__name__})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ProfileError([f"{path}{line}: not valid YAML or JSON"]) from None
    return profile_from_data(data)
