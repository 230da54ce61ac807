"""The shape of a law pack (docs/law-packs.md), validated by Pydantic."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from servicepath.profile import CountryCode

Confidence = Literal["primary", "secondary", "press", "unconfirmed"]
CONFIDENCE_ORDER: tuple[Confidence, ...] = ("unconfirmed", "press", "secondary", "primary")
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Expression = Annotated[str, Field(min_length=1)]
SourceIds = Annotated[list[str], Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Model):
    en: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    fr: str | None = None

    def get(self, language: str) -> str:
        return str(getattr(self, language, None) or self.en)


class Source(_Model):
    url: str = Field(pattern=r"^https?://\S+$")
    title: str = Field(min_length=1)
    quote: str = Field(min_length=1, max_length=600)
    confidence: Confidence
    retrieved: dt.date
    note: str | None = None


class Dated(_Model):
    """In force from `from` (inclusive) until `until` (exclusive); open at either end when not given."""

    from_: dt.date | None = Field(None, alias="from")
    until: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Dated:
        if self.from_ and self.until and self.until <= self.from_:
            raise ValueError(f"'until' ({self.until}) must come after 'from' ({self.from_})")
        return self

    def in_force(self, on: dt.date) -> bool:
        return (self.from_ is None or self.from_ <= on) and (self.until is None or on < self.until)


def _as_expression(value: Any) -> Any:
    """YAML reads `value: 5` or `rule: true` as numbers and booleans; rules are always text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | dt.date):
        return str(value)
    return value


class DatedValue(Dated):
    from_: dt.date = Field(alias="from")
    value: Any
    sources: SourceIds
    note: str | None = None


class Parameter(_Model):
    text: Text | None = None
    values: Annotated[list[DatedValue], Field(min_length=1)]


class Cited(Dated):
    id: Identifier
    text: Text
    sources: SourceIds
    note: str | None = None


class Requirement(Cited):
    rule: Expression

    _coerce = field_validator("rule", mode="before")(_as_expression)


class Term(Cited):
    value: Expression
    when: Expression | None = None

    _coerce = field_validator("value", "when", mode="before")(_as_expression)


class CitizenshipPath(Cited):
    earliest: Expression
    requires: Expression | None = None

    _coerce = field_validator("earliest", "requires", mode="before")(_as_expression)


class Notice(Cited):
    """An application channel or a warning: cited text, no rule."""


class Force(Dated):
    id: str = Field(pattern=r"^[a-z]{2}-[a-z0-9-]+$")
    country: CountryCode
    name: Text
    attributes: dict[Identifier, Parameter] = {}
    requirements: list[Requirement] = []
    terms: list[Term] = []
    citizenship_paths: list[CitizenshipPath] = []
    how_to_apply: list[Notice] = []
    warnings: list[Notice] = []


class ServiceRule(Cited):
    """A rule about serving in a force, evaluated once per force the person is assessed for."""

    applies: Expression
    penalty: Text | None = None

    _coerce = field_validator("applies", mode="before")(_as_expression)


class HomeRule(ServiceRule):
    """What a nationality's own law says about serving in a foreign force."""

    country: CountryCode
    kind: Literal["criminal", "citizenship_loss", "other"]


class InternationalRule(ServiceRule):
    """International law that binds whatever the person's nationality (e.g. who is a mercenary)."""

    kind: Literal["status", "criminal", "other"]


StandardKind = Literal["physical", "cognitive", "medical", "education", "language", "selection"]
Direction = Literal["at_least", "at_most"]
Sex = Literal["male", "female"]
SchoolCredential = Literal["diploma", "equivalency", "none"]


class AgeBand(_Model):
    """Whole years of age on the date asked about, both ends inclusive."""

    min: int | None = Field(None, ge=0, le=120)
    max: int | None = Field(None, ge=0, le=120)

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.min is None and self.max is None:
            raise ValueError("an age band needs 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"'max' ({self.max}) must not be below 'min' ({self.min})")
        return self

    def contains(self, age: int) -> bool:
        return (self.min is None or age >= self.min) and (self.max is None or age <= self.max)


class Minimum(Dated):
    """One reported minimum (or maximum time) for one cell: a sex, an age band, a school credential.
    Several values for the same cell from different sources make the standard disputed."""

    value: Any
    sources: SourceIds
    sex: Sex | None = None
    age: AgeBand | None = None
    credential: list[SchoolCredential] | None = Field(None, min_length=1)
    note: str | None = None


class Standard(Dated):
    """An entry standard of a force (docs/law-packs.md, "Entry standards"): a measured test with cited minimums,
    or a descriptive standard (medical, selection) with text and sources only."""

    id: Identifier
    force: str = Field(pattern=r"^[a-z]{2}-[a-z0-9-]+$")
    kind: StandardKind
    test: Text
    text: Text | None = None
    result: str | None = None
    unit: str | None = None
    direction: Direction | None = None
    minimums: list[Minimum] = []
    sources: list[str] = []
    note: str | None = None

    @model_validator(mode="after")
    def _measured_or_descriptive(self) -> Standard:
        measured = (self.result, self.unit, self.direction)
        if any(part is not None for part in measured) or self.minimums:
            missing = [
                name for name, part in zip(("result", "unit", "direction"), measured, strict=True) if part is None
            ]
            if missing or not self.minimums:
                raise ValueError(
                    "a measured standard needs 'result', 'unit', 'direction' and 'minimums' (missing: "
                    + ", ".join(missing + ([] if self.minimums else ["minimums"]))
                    + "); a descriptive one has none of them"
                )
        elif not self.sources or self.text is None:
            raise ValueError("a descriptive standard (no 'result') needs 'text' and 'sources'")
        return self


class Settings(_Model):
    leap_day_birthday: Literal["feb28", "mar1"] = "feb28"


class Pack(_Model):
    pack: Identifier
    title: Text | None = None
    settings: Settings = Settings()
    sources: dict[str, Source] = {}
    parameters: dict[Identifier, Parameter] = {}
    definitions: dict[Identifier, Expression] = {}
    forces: list[Force] = []
    home_rules: list[HomeRule] = []
    international_rules: list[InternationalRule] = []
    standards: list[Standard] = []

    _coerce = field_validator("definitions", mode="before")(
        lambda value: {k: _as_expression(v) for k, v in value.items()} if isinstance(value, dict) else value
    )
