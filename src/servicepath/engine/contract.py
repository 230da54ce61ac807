"""The JSON contract of an assessment (docs/json-contract.md). Its keys are stable; its version says so."""

from __future__ import annotations

from typing import Any

from servicepath.engine.assessment import (
    CONTRACT_VERSION,
    Assessment,
    ForceResult,
    HomeResult,
    PathResult,
    json_value,
)
from servicepath.engine.standards import Margin, MinimumResult, StandardResult, StandardsAssessment
from servicepath.i18n import LANGUAGES
from servicepath.i18n.measures import margin_text
from servicepath.logic.kleene import truth_name
from servicepath.packs.models import Text


def _text(text: Text | None, language: str | None) -> Any:
    if text is None:
        return None
    return text.get(language) if language else text.model_dump(exclude_none=True)


def _path_json(path: PathResult, language: str | None) -> dict[str, Any]:
    return {
        **path.cited.json(language),
        "earliest": json_value(path.earliest),
        "service_start": json_value(path.service_start),
        "service_start_assumed": path.service_start_assumed,
        "requires": truth_name(path.requires),
        "missing_facts": path.missing_facts,
    }


def _home_json(rule: HomeResult, language: str | None) -> dict[str, Any]:
    penalty = rule.penalty
    return {
        "rule": rule.cited.id,
        **{key: value for key, value in rule.cited.json(language).items() if key != "id"},
        "kind": rule.kind,
        "result": truth_name(rule.result),
        "by_force": {force: truth_name(value) for force, value in rule.by_force.items()},
        "penalty": (penalty.get(language) if language else penalty.model_dump(exclude_none=True)) if penalty else None,
        "missing_facts": rule.missing_facts,
        "law_gaps": rule.law_gaps,
    }


def force_json(force: ForceResult, assessment: Assessment, language: str | None) -> dict[str, Any]:
    return {
        "name": force.name.get(language) if language else force.name.model_dump(exclude_none=True),
        "country": force.country,
        "verdict": force.verdict,
        "requirements": [
            {
                **item.cited.json(language),
                "result": truth_name(item.result),
                "missing_facts": item.missing_facts,
                "law_gaps": item.law_gaps,
            }
            for item in force.requirements
        ],
        "missing_facts": force.missing_facts,
        "terms": [
            {**term.cited.json(language), "value": json_value(term.value), "applies": truth_name(term.applies)}
            for term in force.terms
        ],
        "citizenship_paths": [_path_json(path, language) for path in force.citizenship_paths],
        "home_risks": {
            country: [
                {"rule": rule.cited.id, "kind": rule.kind, "result": truth_name(rule.by_force[force.id])}
                for rule in rules
                if force.id in rule.by_force
            ]
            for country, rules in assessment.home.items()
        },
        "international_status": [
            {"rule": rule.cited.id, "kind": rule.kind, "result": truth_name(rule.by_force[force.id])}
            for rule in assessment.international
            if force.id in rule.by_force
        ],
        "how_to_apply": [item.json(language) for item in force.how_to_apply],
        "warnings": [item.json(language) for item in force.warnings],
    }


def _minimum_json(minimum: MinimumResult) -> dict[str, Any]:
    return {
        "value": minimum.shown,
        "sources": minimum.sources,
        "confidence": minimum.confidence,
        "sex": minimum.sex,
        "age": None if minimum.age is None else {"min": minimum.age[0], "max": minimum.age[1]},
        "credential": minimum.credential,
        "applies": truth_name(minimum.applies),
        "meets": truth_name(minimum.meets),
        **({"note": minimum.note} if minimum.note else {}),
    }


def _margin(margin: Margin | None, language: str | None) -> Any:
    if margin is None:
        return None
    if language:
        return margin_text(margin, language)
    return {code: margin_text(margin, code) for code in LANGUAGES}


def _standard_json(standard: StandardResult, language: str | None) -> dict[str, Any]:
    return {
        "id": standard.id,
        "kind": standard.kind,
        "test": _text(standard.test, language),
        "text": _text(standard.text, language),
        "result_name": standard.result,
        "unit": standard.unit,
        "direction": standard.direction,
        "result": standard.status,
        "reason": standard.reason,
        "person": standard.person,
        "margin": _margin(standard.margin, language),
        "disputed": standard.disputed,
        "spread": None if standard.spread is None else {"lenient": standard.spread[0], "strict": standard.spread[1]},
        "minimums": [_minimum_json(minimum) for minimum in standard.minimums],
        "missing_facts": standard.missing_facts,
        "sources": standard.sources,
        "confidence": standard.confidence,
        **({"note": standard.note} if standard.note else {}),
    }


def standards_json(assessment: StandardsAssessment, language: str | None = None) -> dict[str, Any]:
    """The `standards` key of the contract: for each force, where the person stands against each entry standard."""
    return {
        force_id: {
            "name": _text(force.name, language),
            "standards": [_standard_json(standard, language) for standard in force.standards],
            "missing_results": force.missing_results,
        }
        for force_id, force in assessment.forces.items()
    }


def standards_document(assessment: StandardsAssessment, language: str | None = None) -> dict[str, Any]:
    """`servicepath standards --format json`: the contract's header, the `standards` key and the sources cited."""
    return {
        "contract": CONTRACT_VERSION,
        "as_of": assessment.as_of.isoformat(),
        "packs_version": assessment.packs_version,
        "standards": standards_json(assessment, language),
        "sources": {
            source_id: source.model_dump(mode="json", exclude_none=True)
            for source_id, source in sorted(assessment.sources.items())
        },
    }


def assessment_json(
    assessment: Assessment, language: str | None = None, standards: StandardsAssessment | None = None
) -> dict[str, Any]:
    """The assessment as the documented JSON contract; texts in one language, or every language if None. With
    `standards` (engine.standards.assess_standards for the same person and date), the `standards` key is added and
    their sources join `sources`."""
    data = _assessment_json(assessment, language)
    if standards is not None:
        data["standards"] = standards_json(standards, language)
        for source_id, source in standards.sources.items():
            data["sources"].setdefault(source_id, source.model_dump(mode="json", exclude_none=True))
        data["sources"] = dict(sorted(data["sources"].items()))
    return data


def _assessment_json(assessment: Assessment, language: str | None) -> dict[str, Any]:
    return {
        "contract": CONTRACT_VERSION,
        "as_of": assessment.as_of.isoformat(),
        "packs_version": assessment.packs_version,
        "forces": {force_id: force_json(force, assessment, language) for force_id, force in assessment.forces.items()},
        "home": {country: [_home_json(rule, language) for rule in rules] for country, rules in assessment.home.items()},
        "home_missing_facts": assessment.home_missing_facts,
        "international": [_home_json(rule, language) for rule in assessment.international],
        "sources": {
            source_id: source.model_dump(mode="json", exclude_none=True)
            for source_id, source in sorted(assessment.sources.items())
        },
    }
