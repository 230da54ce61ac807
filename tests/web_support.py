"""Shared by the web tests: an app on the fictional example pack with its own SQLite file, and form helpers."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from servicepath.packs.lawset import LawSet
from servicepath.web.app import create_app


def client_for(law: LawSet, database: Path, language: str = "en") -> TestClient:
    return TestClient(create_app(law, f"sqlite:///{database}"), headers={"Accept-Language": language})


def csrf(client: TestClient) -> str:
    token = client.cookies.get("sp_csrf")
    if token is None:
        client.get("/")
        token = client.cookies.get("sp_csrf")
    assert token
    return token


def asked_fact(html: str) -> str:
    found = re.search(r'name="fact" value="([^"]+)"', html)
    assert found, "the page asks no question"
    return found.group(1)
