"""What changed in the law between two dates: requirements, terms, paths, parameters, home rules, sources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from servicepath.engine.assessment import json_value
from servicepath.engine.scope import value_on
from servicepath.packs.lawset import LawSet
from servicepath.packs.models import Cited

SECTIONS = ("requirements", "terms", "citizenship_paths", "how_to_apply", "warnings")


def _versions(items: Sequence[Cited], on: dt.date) -> dict[str, Cited]:
    return {item.id: item for item in items if item.in_force(on)}


def _compare(before: dict[str, Cited], after: dict[str, Cited]) -> dict[str, list[str]]:
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(key for key in set(before) & set(after) if before[key] != after[key]),
    }


def _cited_on(law: LawSet, on: dt.date, force_ids: Sequence[str]) -> set[str]:
    cited: set[str] = set()
    for force_id in force_ids:
        pack, force = law.forces[force_id]
        if not force.in_force(on):
            continue
        for section in SECTIONS:
            for item in _versions(getattr(force, section), on).values():
                cited.update(item.sources)
        for _name, values in pack.parameter_values.items():
            dated = value_on(values, on)[1]
            cited.update(dated.sources if dated else ())
    for _, rule in law.home_rules:
        if rule.in_force(on):
            cited.update(rule.sources)
    return cited


def diff(law: LawSet, start: dt.date, end: dt.date, force_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """The changes between two dates, as JSON-ready data; only what differs is listed."""
    chosen = list(force_ids or law.forces)
    forces: dict[str, Any] = {}
    for force_id in chosen:
        pack, force = law.forces[force_id]
        was, now = force.in_force(start), force.in_force(end)
        entry: dict[str, Any] = {}
        if was != now:
            entry["open_to_foreigners"] = {"from": was, "to": now}
        for section in SECTIONS:
            items = getattr(force, section)
            change = _compare(_versions(items, start), _versions(items, end))
            if any(change.values()):
                entry[section] = change
        parameters = {}
        for name, values in pack.parameter_values.items():
            (before, dated_before), (after, dated_after) = value_on(values, start), value_on(values, end)
            if dated_before is not dated_after:
                parameters[name] = {
                    "from": json_value(before),
                    "to": json_value(after),
                    "sources": list(dated_after.sources if dated_after else ()),
                }
        if parameters:
            entry["parameters"] = parameters
        if entry:
            forces[force_id] = entry
    rules = [rule for _, rule in law.home_rules]
    home = _compare(
        {rule.id: rule for rule in rules if rule.in_force(start)},
        {rule.id: rule for rule in rules if rule.in_force(end)},
    )
    cited_before, cited_after = _cited_on(law, start, chosen), _cited_on(law, end, chosen)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "forces": forces,
        "home_rules": {key: value for key, value in home.items() if value},
        "sources": {
            "added": sorted(cited_after - cited_before),
            "removed": sorted(cited_before - cited_after),
        },
    }
