from __future__ import annotations

from pathlib import Path

import pytest

from servicepath.packs.lawset import LawSet, load_law

EXAMPLE_PACKS = Path(__file__).parent / "packs" / "example"


@pytest.fixture(scope="session")
def example_law() -> LawSet:
    return load_law([EXAMPLE_PACKS])
