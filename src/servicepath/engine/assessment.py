"""The answer for one person on one date, and its JSON contract (docs/json-contract.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from servicepath.language import ast
from servicepath.language.values import Duration, Money
from servicepath.packs.models import Confidence, Source, Text

CONTRACT_VERSION = "servicepath.assessment/1"


def json_value(value: ast.Value) -> Any:
    """How a rule value is written in JSON: dates ISO, durations and money as text, sets as sorted lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Duration | Money):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, frozenset):
        return sorted(value)
    return value


@dataclass(slots=True)
class Citation:
    """A cited line of the law on a date: its text (parameters filled in), sources and confidence.
    Built once per date and shared by every assessment on it; treat it as read-only."""

    id: str
    text: Text
    sources: list[str]
    confidence: Confidence
    note: str | None = None
    _json: dict[str | None, dict[str, Any]] = field(default_factory=dict)

    def json(self, language: str | None) -> dict[str, Any]:
        """Its JSON form (callers copy it before adding keys), rendered once per language."""
        found = self._json.get(language)
        if found is None:
            found = self._json[language] = self._render(language)
        return found

    def _render(self, language: str | None) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text.get(language) if language else self.text.model_dump(exclude_none=True),
            "sources": self.sources,
            "confidence": self.confidence,
            **({"note": self.note} if self.note else {}),
        }


@dataclass(slots=True)
class RequirementResult:
    cited: Citation
    result: bool | None
    missing_facts: list[str] = field(default_factory=list)
    law_gaps: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.cited.id


@dataclass(slots=True)
class TermResult:
    cited: Citation
    value: ast.Value
    applies: bool | None


@dataclass(slots=True)
class PathResult:
    cited: Citation
    earliest: dt.date | None
    service_start: dt.date | None
    service_start_assumed: bool
    requires: bool | None
    missing_facts: list[str]


@dataclass(slots=True)
class HomeResult:
    cited: Citation
    country: str | None
    kind: str
    result: bool | None
    by_force: dict[str, bool | None]
    penalty: Text | None
    missing_facts: list[str]
    law_gaps: list[str]


@dataclass
class ForceResult:
    id: str
    country: str
    name: Text
    verdict: str
    requirements: list[RequirementResult]
    missing_facts: list[str]
    terms: list[TermResult]
    citizenship_paths: list[PathResult]
    how_to_apply: list[Citation]
    warnings: list[Citation]


@dataclass
class Assessment:
    as_of: dt.date
    packs_version: str
    forces: dict[str, ForceResult]
    home: dict[str, list[HomeResult]]
    home_missing_facts: list[str]
    international: list[HomeResult]
    sources: dict[str, Source]
