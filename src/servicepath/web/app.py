"""The web application: the pages, the REST API (OpenAPI at /openapi.json) and the static files, all served from
this one origin. No third-party host is contacted: FastAPI's CDN-hosted /docs pages are off."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from servicepath.packs.lawset import LawSet, shipped_law
from servicepath.profile import field_problem
from servicepath.web import api, pages, selfassessment
from servicepath.web.security import SecurityHeaders
from servicepath.web.store import SessionStore

STATIC = Path(__file__).parent / "static"
DEFAULT_DATABASE = "sqlite:///servicepath-sessions.db"


def database_url() -> str:
    return os.environ.get("SERVICEPATH_DATABASE_URL", DEFAULT_DATABASE)


def _problems(errors: Any) -> list[dict[str, str]]:
    """Validation errors as field and reason; the value given is never echoed (it may be a criminal record)."""
    found = []
    for detail in errors:
        location = [part for part in detail["loc"] if part not in ("body", "query", "path")]
        problem = field_problem({**detail, "loc": location})
        field, _, reason = problem.partition(": ")
        found.append({"field": field, "problem": reason})
    return found


def create_app(law: LawSet | None = None, database: str | None = None) -> FastAPI:
    app = FastAPI(
        title="servicepath",
        summary="The law of foreign military service, as code: eligibility, terms, citizenship and risks at home.",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.law = law or shipped_law()
    app.state.store = SessionStore(database or database_url())
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(selfassessment.router)

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, error: RequestValidationError) -> Response:
        return JSONResponse({"detail": _problems(error.errors())}, status_code=422)

    @app.exception_handler(api.InputProblem)
    async def unknown_in_law(request: Request, error: api.InputProblem) -> Response:
        return JSONResponse({"detail": [{"field": error.field, "problem": error.problem}]}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if request.url.path.startswith(("/api/", "/static/")):
            return JSONResponse(
                {"detail": [{"field": "", "problem": str(error.detail)}]}, status_code=error.status_code
            )
        return pages.page(request, "message.html", error.status_code, kind="not_found")

    return app
