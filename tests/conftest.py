from __future__ import annotations

from pathlib import Path

import pytest

from servicepath.packs.lawset import LawSet, load_law

EXAMPLE_PACKS = Path(__file__).parent / "packs" / "example"
RESIDENT_TAJIK = {
    "birth_date": "1990-03-15",
    "citizenships": ["TJ"],
    "languages": {"ru": "B2"},
    "criminal_record": False,
    "residence": {"country": "AQ", "status": "permanent_resident"},
}
"""A Tajik citizen lawfully resident where the fictional example force recruits, with every fact it reads."""


@pytest.fixture(scope="session")
def example_law() -> LawSet:
    return load_law([EXAMPLE_PACKS])
