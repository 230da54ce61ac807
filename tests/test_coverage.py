"""`servicepath packs coverage`: what the packs cover, and how the cited items are sourced."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from servicepath.cli import app
from servicepath.packs.coverage import coverage, coverage_json
from servicepath.packs.lawset import LawSet, load_law
from tests.conftest import EXAMPLE_PACKS

runner = CliRunner()

MIXED = """
pack: test-mixed
sources:
  zz-statute: {url: "https://example.org/a", title: "A", quote: "a", confidence: primary, retrieved: 2026-11-25}
  zz-press: {url: "https://example.org/b", title: "B", quote: "b", confidence: press, retrieved: 2026-11-25}
home_rules:
  - id: zz-both
    country: NP
    kind: criminal
    text: {en: "Both sources", ru: "Оба источника"}
    applies: "unknown"
    sources: [zz-statute, zz-press]
  - id: zz-press-only
    country: NP
    kind: citizenship_loss
    text: {en: "Press only", ru: "Только пресса"}
    applies: "unknown"
    sources: [zz-press]
international_rules:
  - id: zz-status
    kind: status
    text: {en: "Status", ru: "Статус"}
    applies: "force.in_armed_conflict"
    sources: [zz-statute]
"""


def _mixed(tmp_path: Path) -> LawSet:
    path = tmp_path / "mixed.yaml"
    path.write_text(MIXED, encoding="utf-8")
    return load_law([path])


def test_example_pack_forces_nationalities_and_international_rules(example_law: LawSet) -> None:
    data = coverage_json(coverage(example_law))
    assert data["forces"] == {"count": 1, "ids": ["aq-example-guard"], "countries": {"aq-example-guard": "AQ"}}
    assert data["home_law"] == {
        "count": 1,
        "countries": {"TJ": {"rules": 2, "kinds": {"citizenship_loss": 1, "criminal": 1}}},
    }
    assert data["international_rules"] == {"count": 1, "ids": ["example-mercenary-status"]}
    assert data["confidence"]["sources"] == {"primary": 1, "secondary": 0, "press": 0, "unconfirmed": 1}


def test_every_cited_item_is_counted_once_in_each_view(example_law: LawSet) -> None:
    _, force = example_law.forces["aq-example-guard"]
    items = sum(
        len(getattr(force, section))
        for section in ("requirements", "terms", "citizenship_paths", "how_to_apply", "warnings")
    )
    items += len(example_law.home_rules) + len(example_law.international_rules)
    confidence = coverage_json(coverage(example_law))["confidence"]
    assert sum(confidence["items_shown"].values()) == items
    assert sum(confidence["items_weakest"].values()) == items


def test_shown_confidence_is_the_best_source_and_weakest_the_worst(tmp_path: Path) -> None:
    confidence = coverage_json(coverage(_mixed(tmp_path)))["confidence"]
    home = confidence["by_section"]["home_rules"]
    assert home["shown"] == {"primary": 1, "secondary": 0, "press": 1, "unconfirmed": 0}
    assert home["weakest"] == {"primary": 0, "secondary": 0, "press": 2, "unconfirmed": 0}
    assert confidence["by_section"]["international_rules"]["shown"]["primary"] == 1
    assert confidence["items_shown"] == {"primary": 2, "secondary": 0, "press": 1, "unconfirmed": 0}


def test_cli_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["packs", "coverage", "--format", "json", "--packs", str(EXAMPLE_PACKS)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["forces"]["ids"] == ["aq-example-guard"]
    assert list(data["home_law"]["countries"]) == ["TJ"]


def test_cli_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["packs", "coverage", "--packs", str(tmp_path / "mixed.yaml")])
    assert result.exit_code == 2  # no such pack yet: a clear error, not a crash
    _mixed(tmp_path)
    result = runner.invoke(app, ["packs", "coverage", "--packs", str(tmp_path / "mixed.yaml")])
    assert result.exit_code == 0, result.output
    assert "nationalities with home law" in result.output
    assert "NP (2)" in result.output
    assert "zz-status" in result.output


def test_shipped_packs_load_and_count() -> None:
    data = coverage_json(coverage(load_law()))
    assert data["forces"]["count"] == len(data["forces"]["ids"]) >= 1
    assert "US" in data["home_law"]["countries"]
