"""The self-assessment pages: a person's own results against each entry standard of one force, one question per
page like the interview, then a table of where they stand, each line with its source and confidence."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from servicepath.engine.contract import standards_json
from servicepath.engine.interview import next_result_fact
from servicepath.engine.standards import StandardsAssessment, assess_standards
from servicepath.packs.lawset import LawSet
from servicepath.questions import question
from servicepath.web.pages import (
    SESSION_COOKIE,
    current_interview,
    forbidden,
    go,
    interview_profile,
    language_of,
    law_of,
    page,
    posted_form,
    question_page,
    set_cookie,
    store_of,
)
from servicepath.web.store import Interview

router = APIRouter(include_in_schema=False)


def _forces_with_standards(law: LawSet) -> list[str]:
    return sorted({standard.force for pack in law.packs for standard in pack.model.standards})


def _standards_of(request: Request, force: str) -> tuple[Interview, StandardsAssessment] | Response:
    """The session's standards for one force today, or the page to show instead (no session, no such force)."""
    interview = current_interview(request)
    if interview is None:
        return go("/standards")
    law = law_of(request)
    if force not in law.forces:
        return page(request, "message.html", 404, kind="not_found")
    return interview, assess_standards(interview_profile(interview), dt.date.today(), law, [force])


@router.get("/standards", response_class=HTMLResponse)
def choose_force(request: Request) -> HTMLResponse:
    law = law_of(request)
    forces = [(force_id, law.forces[force_id][1]) for force_id in _forces_with_standards(law)]
    return page(request, "standards_start.html", forces=forces)


@router.post("/standards/start")
async def start(request: Request) -> Response:
    form = await posted_form(request)
    if form is None:
        return forbidden(request)
    force = str(form.get("force") or "")
    if force not in _forces_with_standards(law_of(request)):
        return page(request, "message.html", 404, kind="not_found")
    response = go(f"/standards/{force}/question")
    if current_interview(request) is None:
        interview = store_of(request).create([])
        set_cookie(response, request, SESSION_COOKIE, interview.token, max_age=60 * 60 * 24 * 90)
    return response


@router.get("/standards/{force}/question", response_class=HTMLResponse)
def next_question(request: Request, force: str) -> Response:
    found = _standards_of(request, force)
    if isinstance(found, Response):
        return found
    interview, standards = found
    fact = next_result_fact(standards, force, interview.declined)
    if fact is None:
        return go(f"/standards/{force}/results")
    asked = question(fact, language_of(request), law_of(request))
    return question_page(request, interview, asked, then=f"/standards/{force}/question")


@router.get("/standards/{force}/results", response_class=HTMLResponse)
def results(request: Request, force: str) -> Response:
    found = _standards_of(request, force)
    if isinstance(found, Response):
        return found
    assessed = found[1]
    language = language_of(request)
    shown = standards_json(assessed, language)[force]
    numbers = {source_id: number for number, source_id in enumerate(sorted(assessed.sources), start=1)}
    return page(
        request,
        "standards_results.html",
        force=shown,
        force_id=force,
        sources={source_id: assessed.sources[source_id] for source_id in sorted(assessed.sources)},
        source_numbers=numbers,
        as_of=assessed.as_of,
    )
