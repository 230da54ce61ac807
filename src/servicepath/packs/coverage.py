"""What the loaded law packs cover: forces, nationalities with home law, international rules, and how well
the cited items are sourced. Used by `servicepath packs coverage`.

Confidence of a cited item (a requirement, term, citizenship path, application channel, warning, home rule or
international rule; each dated version counts once): two counts are given.

- `shown`: the confidence the answers show for the item, which is that of the BEST source behind it (the engine's
  rule, `engine/plan.py`): a press report backed by a statute is shown as primary.
- `weakest`: the confidence of the WEAKEST source it cites: how much of the law rests, even in part, on weaker
  sources.

Sources are also counted by their own confidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from servicepath.packs.lawset import LawSet
from servicepath.packs.models import CONFIDENCE_ORDER, Cited, Confidence

SECTIONS: tuple[str, ...] = (
    "requirements",
    "terms",
    "citizenship_paths",
    "how_to_apply",
    "warnings",
    "home_rules",
    "international_rules",
)


@dataclass
class Coverage:
    packs: int
    packs_version: str
    forces: dict[str, str]
    """Force id to the force's country."""
    home_law: dict[str, Counter[str]]
    """Nationality to the number of its home rules by kind (criminal, citizenship_loss, other)."""
    international_rules: list[str]
    items_shown: dict[str, Counter[Confidence]] = field(default_factory=dict)
    """Section to cited items by the confidence the answers show (best source)."""
    items_weakest: dict[str, Counter[Confidence]] = field(default_factory=dict)
    """Section to cited items by the confidence of their weakest source."""
    sources: Counter[Confidence] = field(default_factory=Counter)


def _cited_items(law: LawSet) -> Iterator[tuple[str, Cited]]:
    for _, force in law.forces.values():
        for section in SECTIONS[:5]:
            for item in getattr(force, section):
                yield section, item
    for _, rule in law.home_rules:
        yield "home_rules", rule
    for _, international in law.international_rules:
        yield "international_rules", international


def _confidences(law: LawSet, item: Cited) -> list[Confidence]:
    return [law.sources[source].confidence for source in item.sources if source in law.sources]


def coverage(law: LawSet) -> Coverage:
    """Count what the law set covers."""
    home: dict[str, Counter[str]] = {}
    for _, rule in law.home_rules:
        home.setdefault(rule.country, Counter())[rule.kind] += 1
    result = Coverage(
        packs=len(law.packs),
        packs_version=law.version,
        forces={force_id: force.country for force_id, (_, force) in sorted(law.forces.items())},
        home_law=dict(sorted(home.items())),
        international_rules=sorted({rule.id for _, rule in law.international_rules}),
        items_shown={section: Counter() for section in SECTIONS},
        items_weakest={section: Counter() for section in SECTIONS},
        sources=Counter(source.confidence for source in law.sources.values()),
    )
    for section, item in _cited_items(law):
        levels = _confidences(law, item)
        if not levels:
            continue
        ranked = sorted(levels, key=CONFIDENCE_ORDER.index)
        result.items_shown[section][ranked[-1]] += 1
        result.items_weakest[section][ranked[0]] += 1
    return result


def _levels(counts: Counter[Confidence]) -> dict[str, int]:
    return {level: counts[level] for level in reversed(CONFIDENCE_ORDER)}


def _total(by_section: dict[str, Counter[Confidence]]) -> Counter[Confidence]:
    total: Counter[Confidence] = Counter()
    for counts in by_section.values():
        total.update(counts)
    return total


def coverage_json(result: Coverage) -> dict[str, Any]:
    """The coverage as plain JSON data (the `--format json` output)."""
    return {
        "packs": result.packs,
        "packs_version": result.packs_version,
        "forces": {"count": len(result.forces), "ids": list(result.forces), "countries": result.forces},
        "home_law": {
            "count": len(result.home_law),
            "countries": {
                country: {"rules": sum(kinds.values()), "kinds": dict(sorted(kinds.items()))}
                for country, kinds in result.home_law.items()
            },
        },
        "international_rules": {"count": len(result.international_rules), "ids": result.international_rules},
        "confidence": {
            "levels": list(reversed(CONFIDENCE_ORDER)),
            "rule": (
                "shown: the confidence the answers show for a cited item (its best source); "
                "weakest: the confidence of its weakest source"
            ),
            "items_shown": _levels(_total(result.items_shown)),
            "items_weakest": _levels(_total(result.items_weakest)),
            "by_section": {
                section: {
                    "shown": _levels(result.items_shown[section]),
                    "weakest": _levels(result.items_weakest[section]),
                }
                for section in SECTIONS
            },
            "sources": _levels(result.sources),
        },
    }
