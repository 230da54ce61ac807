"""What the results and changes pages show, built from the engine's JSON contract and the law's diff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from servicepath.engine.assess import assess
from servicepath.engine.contract import assessment_json
from servicepath.i18n import gettext_for
from servicepath.logic.kleene import any_of, truth_name
from servicepath.packs.diff import SECTIONS, diff
from servicepath.packs.lawset import LawSet
from servicepath.packs.models import Cited
from servicepath.profile import Profile
from servicepath.questions import fact_name
from servicepath.web.timeline import Timeline, timeline


def _timeline(force: dict[str, Any], as_of: dt.date, language: str) -> Timeline | None:
    _ = gettext_for(language).gettext
    events: list[tuple[str, dt.date, bool]] = [(_("Date asked about"), as_of, False)]
    starts = {path["service_start"] for path in force["citizenship_paths"] if path["service_start"]}
    assumed = any(path["service_start_assumed"] for path in force["citizenship_paths"])
    for start in starts:
        if not assumed:
            events.append((_("Service starts"), dt.date.fromisoformat(start), False))
    for number, path in enumerate(force["citizenship_paths"], start=1):
        if path["earliest"]:
            label = _("Route {number}: earliest application").format(number=number)
            events.append((label, dt.date.fromisoformat(path["earliest"]), path["requires"] != "true"))
    return timeline(events) if len(events) > 1 else None


def results(
    profile: Profile, as_of: dt.date, law: LawSet, forces: Sequence[str] | None, language: str
) -> dict[str, Any]:
    data = assessment_json(assess(profile, as_of, law, forces or None), language)
    rules = {rule["rule"]: rule for rules in data["home"].values() for rule in rules}
    rules.update({rule["rule"]: rule for rule in data["international"]})
    return {
        "data": data,
        "rules": rules,
        "timelines": {force_id: _timeline(force, as_of, language) for force_id, force in data["forces"].items()},
        "source_numbers": {source_id: number for number, source_id in enumerate(data["sources"], start=1)},
        "fact_names": {fact: fact_name(fact, language) for fact in _facts_named(data)},
        "risk_summary": {force_id: _risk_summary(force) for force_id, force in data["forces"].items()},
    }


def _risk_summary(force: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per nationality and kind of consequence, whether any rule applies (Kleene OR), for the comparison table."""
    summary: dict[str, dict[str, str]] = {}
    for country, risks in force["home_risks"].items():
        kinds: dict[str, list[bool | None]] = {}
        for risk in risks:
            kinds.setdefault(risk["kind"], []).append({"true": True, "false": False}.get(risk["result"]))
        summary[country] = {kind: truth_name(any_of(results)) for kind, results in kinds.items()}
    return summary


def _facts_named(data: dict[str, Any]) -> set[str]:
    facts = set(data["home_missing_facts"])
    for force in data["forces"].values():
        facts.update(force["missing_facts"])
        for path in force["citizenship_paths"]:
            facts.update(path["missing_facts"])
    for rules in (*data["home"].values(), data["international"]):
        for rule in rules:
            facts.update(rule["missing_facts"])
    return facts


def _texts(items: Sequence[Cited], on: dt.date, language: str) -> dict[str, str]:
    return {item.id: item.text.get(language) for item in items if item.in_force(on)}


def changes(law: LawSet, start: dt.date, end: dt.date, forces: Sequence[str] | None, language: str) -> dict[str, Any]:
    """The diff between two dates, with each changed line's text in the interface language."""
    found = diff(law, start, end, forces or None)
    shown: dict[str, Any] = {}
    for force_id, entry in found["forces"].items():
        _, force = law.forces[force_id]
        sections = {}
        for section in SECTIONS:
            if section in entry:
                before = _texts(getattr(force, section), start, language)
                after = _texts(getattr(force, section), end, language)
                sections[section] = {
                    kind: [(before if kind == "removed" else after)[item] for item in ids]
                    for kind, ids in entry[section].items()
                }
        shown[force_id] = {
            "name": force.name.get(language),
            "open": entry.get("open_to_foreigners"),
            "sections": sections,
            "parameters": entry.get("parameters", {}),
        }
    rules = [rule for _, rule in law.home_rules]
    before, after = _texts(rules, start, language), _texts(rules, end, language)
    return {
        "from": start,
        "to": end,
        "forces": shown,
        "home_rules": {
            kind: [(before if kind == "removed" else after)[item] for item in ids]
            for kind, ids in found["home_rules"].items()
        },
        "sources": found["sources"],
    }
