"""The REST API: assess, explain one force, the next interview question, diff two dates, forces and sources.
Requests carry the engine's own Profile model, so the API and the CLI validate a person's facts the same way."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from servicepath.engine.assess import assess
from servicepath.engine.assessment import json_value
from servicepath.engine.contract import assessment_json
from servicepath.engine.explain import explain
from servicepath.engine.interview import plan_step
from servicepath.engine.standards import assess_standards
from servicepath.engine.trace import TraceNode
from servicepath.packs.diff import diff
from servicepath.packs.lawset import LawSet
from servicepath.profile import Profile
from servicepath.questions import question

Language = Literal["en", "ru", "fr"]
router = APIRouter(prefix="/api", tags=["api"])


class InputProblem(ValueError):
    """Input the schema allows but the law does not know (an unknown force id): answered with a 422."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: Profile = Field(default_factory=Profile, description="The person's facts; every field is optional.")
    as_of: dt.date | None = Field(None, description="The date the law is applied on (default: today).")
    language: Language | None = Field(None, description="Texts in one language; every language when absent.")


class AssessRequest(_Request):
    forces: list[str] | None = Field(None, description="Only these force ids (default: every force).")


class ExplainRequest(_Request):
    force: str = Field(description="The force id to explain.")


class NextQuestionRequest(_Request):
    forces: list[str] | None = Field(None, description="Only these force ids (default: every force).")
    declined: list[str] = Field(default_factory=list, description="Facts the person chose not to answer.")


class Problem(BaseModel):
    field: str
    problem: str


class ProblemReport(BaseModel):
    detail: list[Problem]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ProblemReport, "description": "The body is not JSON"},
    422: {"model": ProblemReport, "description": "Invalid input: each problem names its field"},
}


def _json(data: Any) -> Response:
    """The answer written straight to JSON: an assessment is large, and FastAPI's own encoder would walk it again."""
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


def _law(request: Request) -> LawSet:
    law: LawSet = request.app.state.law
    return law


def _checked_forces(law: LawSet, forces: list[str] | None, field: str) -> list[str] | None:
    for force_id in forces or ():
        if force_id not in law.forces:
            raise InputProblem(field, f"no force is called '{force_id}'; GET /api/forces lists them")
    return forces


@router.post("/assess", responses=ERRORS, response_model=dict[str, Any])
def assess_endpoint(body: AssessRequest, request: Request) -> Response:
    """May this person enlist, on what terms, with what path to citizenship and what risk at home (JSON contract
    `servicepath.assessment/1`, docs/json-contract.md)."""
    law = _law(request)
    forces = _checked_forces(law, body.forces, "forces")
    as_of = body.as_of or dt.date.today()
    result = assess(body.profile, as_of, law, forces)
    return _json(assessment_json(result, body.language, assess_standards(body.profile, as_of, law, forces)))


def _trace_json(node: TraceNode) -> dict[str, Any]:
    return {
        "text": node.text,
        "value": json_value(node.value),
        "role": node.role,
        "children": [_trace_json(child) for child in node.children],
    }


@router.post("/explain", responses=ERRORS)
def explain_endpoint(body: ExplainRequest, request: Request) -> dict[str, Any]:
    """How each requirement of one force was decided, as a tree of the rule's parts and the facts it read."""
    law = _law(request)
    _checked_forces(law, [body.force], "force")
    as_of = body.as_of or dt.date.today()
    if not law.forces[body.force][1].in_force(as_of):
        raise InputProblem("force", f"'{body.force}' does not admit foreign citizens on {as_of} in the law packs")
    result = explain(body.profile, as_of, law, body.force)
    language = body.language or "en"
    return {
        "force": result.force_id,
        "name": result.name.get(language),
        "as_of": as_of.isoformat(),
        "verdict": result.verdict,
        "requirements": [
            {
                "id": item.id,
                "text": item.text.get(language),
                "sources": item.sources,
                "result": {True: "true", False: "false", None: "unknown"}[item.result],
                "trace": _trace_json(item.trace),
            }
            for item in result.requirements
        ],
    }


@router.post("/next-question", responses=ERRORS)
def next_question_endpoint(body: NextQuestionRequest, request: Request) -> dict[str, Any]:
    """The question expected to decide the most open verdicts, or `done` when no answer could change one."""
    law = _law(request)
    forces = _checked_forces(law, body.forces, "forces")
    step = plan_step(assess(body.profile, body.as_of or dt.date.today(), law, forces), body.declined)
    asked = question(step.next_fact, body.language or "en", law) if step.next_fact else None
    return {
        "done": step.done,
        "question": None
        if asked is None
        else {**asdict(asked), "choices": [asdict(choice) for choice in asked.choices]},
        "open_verdicts": [asdict(verdict) for verdict in step.open_verdicts],
    }


@router.get("/diff", responses=ERRORS)
def diff_endpoint(
    request: Request,
    start: Annotated[dt.date, Query(alias="from", description="The earlier date, YYYY-MM-DD.")],
    end: Annotated[dt.date, Query(alias="to", description="The later date, YYYY-MM-DD.")],
    force: Annotated[list[str] | None, Query(description="Only these force ids.")] = None,
) -> dict[str, Any]:
    """What changed in the law between two dates: requirements, terms, paths, parameters, home rules, sources."""
    law = _law(request)
    return diff(law, start, end, _checked_forces(law, force, "force"))


@router.get("/forces", responses=ERRORS)
def forces_endpoint(
    request: Request,
    as_of: Annotated[dt.date | None, Query(description="Say which forces admit foreigners on this date.")] = None,
) -> list[dict[str, Any]]:
    """Every force in the law packs, with whether it admits foreign citizens on the date."""
    on = as_of or dt.date.today()
    return [
        {
            "id": force_id,
            "country": force.country,
            "name": force.name.model_dump(exclude_none=True),
            "admits_foreigners": force.in_force(on),
            "pack": pack.model.pack,
        }
        for force_id, (pack, force) in sorted(_law(request).forces.items())
    ]


@router.get("/sources", response_model=dict[str, Any])
def sources_endpoint(request: Request) -> Response:
    """Every source the law packs cite: URL, title, a short exact quote and a confidence."""
    return _json(
        {
            source_id: source.model_dump(mode="json", exclude_none=True)
            for source_id, source in sorted(_law(request).sources.items())
        }
    )
