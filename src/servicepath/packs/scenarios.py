"""Scenario cases (docs/scenarios.md): law cases a lawyer can read, each checked against an assessment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from servicepath.engine.assess import assess
from servicepath.engine.contract import assessment_json, standards_json
from servicepath.engine.standards import assess_standards
from servicepath.packs.lawset import LawSet
from servicepath.profile import profile_from_data


@dataclass
class Case:
    file: Path
    name: str
    as_of: dt.date
    profile: dict[str, Any]
    expect: dict[str, Any]
    sources: list[str]
    forces: list[str] | None = None


def read_cases(file: Path) -> list[Case]:
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    cases = []
    for raw in data.get("cases", []):
        cases.append(
            Case(
                file,
                str(raw["name"]),
                raw["as_of"],
                raw.get("profile") or {},
                raw.get("expect") or {},
                list(raw.get("sources") or []),
                list(raw["forces"]) if raw.get("forces") else None,
            )
        )
    return cases


def _normal(value: Any) -> Any:
    """Expected values as YAML reads them, written the way the JSON contract writes them."""
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return "unknown"
    return value


def _check_items(
    where: str, expected: dict[str, Any], actual: list[dict[str, Any]], field: str, problems: list[str]
) -> None:
    by_id = {item["id"]: item for item in actual}
    for item_id, want in expected.items():
        if item_id not in by_id:
            problems.append(f"{where}: no '{item_id}' in the answer (has: {', '.join(by_id) or 'none'})")
            continue
        if isinstance(want, dict):
            for key, value in want.items():
                got = by_id[item_id].get(key)
                if _normal(value) != _normal(got):
                    problems.append(f"{where}.{item_id}.{key}: expected {_normal(value)}, got {_normal(got)}")
        elif _normal(want) != _normal(by_id[item_id][field]):
            problems.append(f"{where}.{item_id}: expected {_normal(want)}, got {_normal(by_id[item_id][field])}")


def check_case(case: Case, law: LawSet) -> list[str]:
    """Every difference between what the case expects and what servicepath answers (empty when it passes)."""
    problems: list[str] = []
    unknown_sources = [source for source in case.sources if source not in law.sources]
    if not case.sources:
        problems.append("the case names no source for its expected answer")
    if unknown_sources:
        problems.append(f"the case cites unknown sources: {', '.join(unknown_sources)}")
    profile = profile_from_data(case.profile)
    answer = assessment_json(assess(profile, case.as_of, law, case.forces), "en")
    for force_id, want in (case.expect.get("forces") or {}).items():
        force = answer["forces"].get(force_id)
        if want == "absent":
            if force is not None:
                problems.append(f"forces.{force_id}: expected absent on {case.as_of}, but it is assessed")
            continue
        if force is None:
            problems.append(f"forces.{force_id}: not in the answer on {case.as_of}")
            continue
        where = f"forces.{force_id}"
        if "verdict" in want and want["verdict"] != force["verdict"]:
            problems.append(f"{where}.verdict: expected {want['verdict']}, got {force['verdict']}")
        if "missing_facts" in want and sorted(want["missing_facts"]) != force["missing_facts"]:
            problems.append(
                f"{where}.missing_facts: expected {sorted(want['missing_facts'])}, got {force['missing_facts']}"
            )
        for section, field in (
            ("requirements", "result"),
            ("terms", "value"),
            ("citizenship_paths", "earliest"),
        ):
            _check_items(f"{where}.{section}", want.get(section) or {}, force[section], field, problems)
    international = [{**rule, "id": rule["rule"]} for rule in answer["international"]]
    _check_items("international", case.expect.get("international") or {}, international, "result", problems)
    for country, rules in (case.expect.get("home") or {}).items():
        actual = [{**rule, "id": rule["rule"]} for rule in answer["home"].get(country, [])]
        _check_items(f"home.{country}", rules, actual, "result", problems)
    expected_standards = case.expect.get("standards") or {}
    if expected_standards:
        unknown_forces = [force for force in expected_standards if force not in law.forces]
        if unknown_forces:
            problems.append(f"standards: no force is called {', '.join(unknown_forces)}")
        forces = [force for force in expected_standards if force in law.forces]
        standards = standards_json(assess_standards(profile, case.as_of, law, forces), "en")
        for force_id in forces:
            want = dict(expected_standards[force_id] or {})
            entry = standards[force_id]
            missing = want.pop("missing_results", None)
            if missing is not None and sorted(missing) != entry["missing_results"]:
                problems.append(
                    f"standards.{force_id}.missing_results: expected {sorted(missing)}, got {entry['missing_results']}"
                )
            _check_items(f"standards.{force_id}", want, entry["standards"], "result", problems)
    return problems
