"""The answer for one person on one date, and its JSON contract (docs/json-contract.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from servicepath.language import ast
from servicepath.language.values import Duration, Money
from servicepath.packs.models import CONFIDENCE_ORDER, Confidence, Source, Text

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


def confidence_of(source_ids: list[str], sources: dict[str, Source]) -> Confidence:
    """An item is as sure as the best source behind it."""
    ranks = [CONFIDENCE_ORDER.index(sources[source].confidence) for source in source_ids if source in sources]
    return CONFIDENCE_ORDER[max(ranks, default=0)]


@dataclass
class Item:
    """A cited line of the answer."""

    id: str
    text: Text
    sources: list[str]
    confidence: Confidence
    note: str | None = None

    def item_json(self, language: str | None) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text.get(language) if language else self.text.model_dump(exclude_none=True),
            "sources": self.sources,
            "confidence": self.confidence,
            **({"note": self.note} if self.note else {}),
        }


@dataclass
class RequirementResult(Item):
    result: bool | None = None
    missing_facts: list[str] = field(default_factory=list)
    law_gaps: list[str] = field(default_factory=list)


@dataclass
class TermResult(Item):
    value: ast.Value = None
    applies: bool | None = True


@dataclass
class PathResult(Item):
    earliest: dt.date | None = None
    service_start: dt.date | None = None
    service_start_assumed: bool = False
    requires: bool | None = True
    missing_facts: list[str] = field(default_factory=list)


@dataclass
class HomeResult(Item):
    country: str = ""
    kind: str = ""
    result: bool | None = None
    by_force: dict[str, bool | None] = field(default_factory=dict)
    penalty: Text | None = None
    missing_facts: list[str] = field(default_factory=list)
    law_gaps: list[str] = field(default_factory=list)


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
    how_to_apply: list[Item]
    warnings: list[Item]


@dataclass
class Assessment:
    as_of: dt.date
    packs_version: str
    forces: dict[str, ForceResult]
    home: dict[str, list[HomeResult]]
    home_missing_facts: list[str]
    sources: dict[str, Source]
