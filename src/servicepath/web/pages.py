"""The web pages: start, one question per page, check your answers, results, changes, printable report.

The session token lives in a cookie (and in the resume link the person may keep); no personal fact is ever put
in a URL. Every answer is saved before the next page is shown."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from servicepath.engine.interview import askable, next_step
from servicepath.i18n import LANGUAGES, negotiate
from servicepath.packs.lawset import LawSet
from servicepath.profile import Profile, ProfileError, profile_from_data
from servicepath.questions import (
    MAX_NATIONALITIES,
    STATELESS,
    AnswerError,
    Question,
    answer_shown,
    parse_answer,
    profile_data,
    question,
)
from servicepath.web.render import render
from servicepath.web.security import CSRF_COOKIE, CSRF_FIELD, csrf_token, csrf_valid
from servicepath.web.store import Interview, SessionStore
from servicepath.web.views import changes, results

SESSION_COOKIE = "sp_session"
LANGUAGE_COOKIE = "sp_lang"
router = APIRouter(include_in_schema=False)


def _law(request: Request) -> LawSet:
    law: LawSet = request.app.state.law
    return law


def _store(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.store
    return store


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else negotiate(request.headers.get("accept-language"))


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
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
        _cookie(response, request, CSRF_COOKIE, token)
    return response


def _go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


async def _form(request: Request) -> dict[str, Any] | None:
    """The posted form, or None when its anti-forgery token does not match the browser's."""
    form = await request.form()
    data = {key: value for key, value in form.items() if isinstance(value, str)}
    return data if csrf_valid(request, data.get(CSRF_FIELD)) else None


def _forbidden(request: Request) -> HTMLResponse:
    return page(request, "message.html", 403, kind="forbidden")


def _interview(request: Request) -> Interview | None:
    token = request.cookies.get(SESSION_COOKIE)
    return _store(request).get(token) if token else None


def _profile(interview: Interview) -> Profile:
    return profile_from_data(profile_data(interview.answers))


def _date(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    law = _law(request)
    today = dt.date.today()
    forces = [(force_id, force) for force_id, (_, force) in sorted(law.forces.items()) if force.in_force(today)]
    return page(request, "start.html", forces=forces, interview=_interview(request))


@router.post("/start")
async def start(request: Request) -> Response:
    form = await request.form()
    if not csrf_valid(request, str(form.get(CSRF_FIELD) or "")):
        return _forbidden(request)
    law = _law(request)
    chosen = [str(value) for value in form.getlist("force") if str(value) in law.forces]
    interview = _store(request).create(chosen)
    response = _go("/question")
    _cookie(response, request, SESSION_COOKIE, interview.token, max_age=60 * 60 * 24 * 90)
    return response


def _question_page(
    request: Request,
    interview: Interview,
    asked: Question,
    status: int = 200,
    error: str | None = None,
    given: dict[str, Any] | None = None,
    then_check: bool = False,
) -> HTMLResponse:
    previous = interview.before(asked.fact)
    return page(
        request,
        "question.html",
        status,
        question=asked,
        back=f"/question/{previous}" if previous else "/",
        error=error,
        given=given if given is not None else _given(asked, interview.answers.get(asked.fact)),
        declined=asked.fact in interview.declined,
        then_check=then_check,
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
    interview = _interview(request)
    if interview is None:
        return _go("/")
    law = _law(request)
    step = next_step(_profile(interview), interview.as_of or dt.date.today(), law, interview.forces, interview.declined)
    if step.next_fact is None:
        return _go("/check")
    return _question_page(request, interview, question(step.next_fact, language_of(request), law))


@router.get("/question/{fact}", response_class=HTMLResponse)
def one_question(request: Request, fact: str, then: str | None = None) -> Response:
    interview = _interview(request)
    if interview is None:
        return _go("/")
    if not askable(fact):
        return page(request, "message.html", 404, kind="not_found")
    asked = question(fact, language_of(request), _law(request))
    return _question_page(request, interview, asked, then_check=then == "check")


@router.post("/answer")
async def answer(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        return _forbidden(request)
    interview = _interview(request)
    if interview is None:
        return _go("/")
    fact = str(form.get("fact") or "")
    if not askable(fact):
        return page(request, "message.html", 404, kind="not_found")
    language = language_of(request)
    asked = question(fact, language, _law(request))
    if form.get("action") == "dont_know":
        interview.decline(fact)
    else:
        try:
            value = parse_answer(asked, form, language)
            profile_from_data(profile_data({**interview.answers, fact: value}))
        except (AnswerError, ProfileError) as error:
            return _question_page(request, interview, asked, 400, str(error), form, form.get("then") == "check")
        interview.record(fact, value)
    _store(request).save(interview)
    return _go("/check" if form.get("then") == "check" else "/question")


@router.get("/check", response_class=HTMLResponse)
def check(request: Request) -> Response:
    interview = _interview(request)
    if interview is None:
        return _go("/")
    language, law = language_of(request), _law(request)
    rows = []
    for fact in interview.asked:
        asked = question(fact, language, law)
        shown = answer_shown(asked, interview.answers[fact], language) if fact in interview.answers else None
        rows.append((asked, shown))
    step = next_step(_profile(interview), interview.as_of or dt.date.today(), law, interview.forces, interview.declined)
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
    interview = _interview(request)
    if interview is None:
        return _go("/")
    on = _date(as_of, interview.as_of or dt.date.today())
    shown = results(_profile(interview), on, _law(request), interview.forces, language_of(request))
    return page(request, template, as_of=on, today=dt.date.today(), **shown)


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, start: str | None = None, end: str | None = None) -> Response:
    interview = _interview(request)
    today = dt.date.today()
    first, last = _date(start, dt.date(today.year - 5, 1, 1)), _date(end, today)
    if last < first:
        first, last = last, first
    forces = interview.forces if interview else None
    found = changes(_law(request), first, last, forces, language_of(request))
    return page(request, "changes.html", changes=found)


@router.post("/delete")
async def delete(request: Request) -> Response:
    if await _form(request) is None:
        return _forbidden(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        _store(request).delete(token)
    response = page(request, "message.html", kind="deleted")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/resume/{token}", name="resume")
def resume(request: Request, token: str) -> Response:
    interview = _store(request).get(token)
    if interview is None:
        return page(request, "message.html", 404, kind="no_session")
    response = _go("/check")
    _cookie(response, request, SESSION_COOKIE, interview.token, max_age=60 * 60 * 24 * 90)
    return response


@router.get("/language/{code}")
def choose_language(request: Request, code: str, back: str = "/") -> Response:
    target = urlsplit(back)
    safe = back if back.startswith("/") and not back.startswith("//") and not target.netloc else "/"
    response = _go(safe)
    if code in LANGUAGES:
        _cookie(response, request, LANGUAGE_COOKIE, code, max_age=60 * 60 * 24 * 365)
    return response
