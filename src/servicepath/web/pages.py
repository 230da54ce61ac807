"""The web pages: start, one question per page, check your answers, results, changes, printable report.

The session token lives in a cookie (and in the resume link the person may keep); no personal fact is ever put
in a URL. Every answer is saved before the next page is shown."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servicepath.engine.interview import InterviewStep, askable, next_step
from servicepath.i18n import LANGUAGES, negotiate
from servicepath.packs.lawset import LawSet
from servicepath.profile import Profile, ProfileError, profile_data, profile_from_data
from servicepath.questions import (
    MAX_NATIONALITIES,
    STATELESS,
    AnswerError,
    Question,
    answer_shown,
    parse_answer,
    question,
)
from servicepath.results import is_result_field
from servicepath.web.render import render
from servicepath.web.security import CSRF_COOKIE, CSRF_FIELD, csrf_token, csrf_valid
from servicepath.web.store import Interview, SessionStore
from servicepath.web.views import changes, results

SESSION_COOKIE = "sp_session"
LANGUAGE_COOKIE = "sp_lang"
router = APIRouter(include_in_schema=False)


def law_of(request: Request) -> LawSet:
    law: LawSet = request.app.state.law
    return law


def store_of(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.store
    return store


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else negotiate(request.headers.get("accept-language"))


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    language = language_of(request)
    token = csrf_token(request)
    html = render(language, template, csrf=token, csrf_field=CSRF_FIELD, here=request.url.path, **context)
    response = HTMLResponse(html, status_code=status)
    if request.cookies.get(CSRF_COOKIE) != token:
        set_cookie(response, request, CSRF_COOKIE, token)
    return response


def go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


async def posted_form(request: Request) -> dict[str, Any] | None:
    """The posted form, or None when its anti-forgery token does not match the browser's."""
    form = await request.form()
    data = {key: value for key, value in form.items() if isinstance(value, str)}
    return data if csrf_valid(request, data.get(CSRF_FIELD)) else None


def forbidden(request: Request) -> HTMLResponse:
    return page(request, "message.html", 403, kind="forbidden")


def current_interview(request: Request) -> Interview | None:
    token = request.cookies.get(SESSION_COOKIE)
    return store_of(request).get(token) if token else None


def interview_profile(interview: Interview) -> Profile:
    return profile_from_data(profile_data(interview.answers))


def _step(interview: Interview, law: LawSet) -> InterviewStep:
    today = dt.date.today()
    return next_step(interview_profile(interview), interview.as_of or today, law, interview.forces, interview.declined)


def _askable(fact: str) -> bool:
    return askable(fact) or is_result_field(fact)


def _then(request: Request, then: str | None) -> str | None:
    """Where to go after an answer: the check page, or a force's self-assessment; nothing else (no open redirect)."""
    if then == "/check":
        return then
    force = (then or "").removeprefix("/standards/").removesuffix("/question")
    return then if then and force in law_of(request).forces and then == f"/standards/{force}/question" else None


def _date(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    law = law_of(request)
    today = dt.date.today()
    forces = [(force_id, force) for force_id, (_, force) in sorted(law.forces.items()) if force.in_force(today)]
    return page(request, "start.html", forces=forces, interview=current_interview(request))


@router.post("/start")
async def start(request: Request) -> Response:
    form = await request.form()
    if not csrf_valid(request, str(form.get(CSRF_FIELD) or "")):
        return forbidden(request)
    law = law_of(request)
    chosen = [str(value) for value in form.getlist("force") if str(value) in law.forces]
    interview = store_of(request).create(chosen)
    response = go("/question")
    set_cookie(response, request, SESSION_COOKIE, interview.token, max_age=60 * 60 * 24 * 90)
    return response


def question_page(
    request: Request,
    interview: Interview,
    asked: Question,
    status: int = 200,
    error: str | None = None,
    given: dict[str, Any] | None = None,
    then: str | None = None,
) -> HTMLResponse:
    previous = interview.before(asked.fact)
    back = f"/question/{previous}" + (f"?then={quote(then)}" if then else "") if previous else "/"
    return page(
        request,
        "question.html",
        status,
        question=asked,
        back=back,
        error=error,
        given=given if given is not None else _given(asked, interview.answers.get(asked.fact)),
        declined=asked.fact in interview.declined,
        then=then,
        max_nationalities=MAX_NATIONALITIES,
        stateless=STATELESS,
    )


def _given(asked: Question, value: Any) -> dict[str, Any]:
    """A saved answer as the form's fields, so a question asked again shows what was given."""
    if value is None:
        return {}
    if asked.kind == "date":
        year, month, day = str(value).split("-")
        return {"day": str(int(day)), "month": str(int(month)), "year": year}
    if asked.kind == "countries":
        return {STATELESS: "on"} if value == [] else {f"country{i}": code for i, code in enumerate(value)}
    if asked.kind == "yes_no":
        return {"value": "yes" if value else "no"}
    return {"value": str(value)}


@router.get("/question", response_class=HTMLResponse)
def next_question(request: Request) -> Response:
    interview = current_interview(request)
    if interview is None:
        return go("/")
    law = law_of(request)
    step = _step(interview, law)
    if step.next_fact is None:
        return go("/check")
    return question_page(request, interview, question(step.next_fact, language_of(request), law))


@router.get("/question/{fact}", response_class=HTMLResponse)
def one_question(request: Request, fact: str, then: str | None = None) -> Response:
    interview = current_interview(request)
    if interview is None:
        return go("/")
    if not _askable(fact):
        return page(request, "message.html", 404, kind="not_found")
    asked = question(fact, language_of(request), law_of(request))
    return question_page(request, interview, asked, then=_then(request, then))


@router.post("/answer")
async def answer(request: Request) -> Response:
    form = await posted_form(request)
    if form is None:
        return forbidden(request)
    interview = current_interview(request)
    if interview is None:
        return go("/")
    fact = str(form.get("fact") or "")
    then = _then(request, form.get("then"))
    if not _askable(fact):
        return page(request, "message.html", 404, kind="not_found")
    language = language_of(request)
    asked = question(fact, language, law_of(request))
    if form.get("action") == "dont_know":
        interview.decline(fact)
    else:
        try:
            value = parse_answer(asked, form, language)
            profile_from_data(profile_data({**interview.answers, fact: value}))
        except (AnswerError, ProfileError) as error:
            return question_page(request, interview, asked, 400, str(error), form, then)
        interview.record(fact, value)
    store_of(request).save(interview)
    return go(then or "/question")


@router.get("/check", response_class=HTMLResponse)
def check(request: Request) -> Response:
    interview = current_interview(request)
    if interview is None:
        return go("/")
    language, law = language_of(request), law_of(request)
    rows = []
    for fact in interview.asked:
        asked = question(fact, language, law)
        shown = answer_shown(asked, interview.answers[fact], language) if fact in interview.answers else None
        rows.append((asked, shown))
    step = _step(interview, law)
    return page(
        request,
        "check.html",
        rows=rows,
        more=not step.done,
        resume=str(request.url_for("resume", token=interview.token)),
    )


@router.get("/results", response_class=HTMLResponse)
def results_page(request: Request, as_of: str | None = None) -> Response:
    return _results(request, "results.html", as_of)


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, as_of: str | None = None) -> Response:
    return _results(request, "report.html", as_of)


def _results(request: Request, template: str, as_of: str | None) -> Response:
    interview = current_interview(request)
    if interview is None:
        return go("/")
    on = _date(as_of, interview.as_of or dt.date.today())
    shown = results(interview_profile(interview), on, law_of(request), interview.forces, language_of(request))
    return page(request, template, as_of=on, today=dt.date.today(), **shown)


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, start: str | None = None, end: str | None = None) -> Response:
    interview = current_interview(request)
    today = dt.date.today()
    first, last = _date(start, dt.date(today.year - 5, 1, 1)), _date(end, today)
    if last < first:
        first, last = last, first
    forces = interview.forces if interview else None
    found = changes(law_of(request), first, last, forces, language_of(request))
    return page(request, "changes.html", changes=found)


@router.post("/delete")
async def delete(request: Request) -> Response:
    if await posted_form(request) is None:
        return forbidden(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        store_of(request).delete(token)
    response = page(request, "message.html", kind="deleted")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/resume/{token}", name="resume")
def resume(request: Request, token: str) -> Response:
    interview = store_of(request).get(token)
    if interview is None:
        return page(request, "message.html", 404, kind="no_session")
    response = go("/check")
    set_cookie(response, request, SESSION_COOKIE, interview.token, max_age=60 * 60 * 24 * 90)
    return response


@router.get("/language/{code}")
def choose_language(request: Request, code: str, back: str = "/") -> Response:
    target = urlsplit(back)
    safe = back if back.startswith("/") and not back.startswith("//") and not target.netloc else "/"
    response = go(safe)
    if code in LANGUAGES:
        set_cookie(response, request, LANGUAGE_COOKIE, code, max_age=60 * 60 * 24 * 365)
    return response
