"""A set of law packs loaded together: the law servicepath applies."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from servicepath.packs.errors import PackError, Problem
from servicepath.packs.loader import LoadedPack, check_standards, load_pack
from servicepath.packs.models import Force, HomeRule, InternationalRule, Source


@dataclass(eq=False)
class LawSet:
    packs: list[LoadedPack]
    version: str
    sources: dict[str, Source] = field(default_factory=dict)
    forces: dict[str, tuple[LoadedPack, Force]] = field(default_factory=dict)
    home_rules: list[tuple[LoadedPack, HomeRule]] = field(default_factory=list)
    international_rules: list[tuple[LoadedPack, InternationalRule]] = field(default_factory=list)
    plans: dict[Any, Any] = field(default_factory=dict)
    """Compiled law by date, filled by the engine (the law is compiled once per date and kept)."""


def default_law_dir() -> Path:
    return Path(str(resources.files("servicepath").joinpath("law")))


def pack_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.yaml")) if path.is_dir() else [path])
    return files


def load_law(paths: list[Path] | None = None) -> LawSet:
    """Load every pack under the given files or folders (default: the packs servicepath ships).
    Raise PackError naming every problem in every file."""
    files = pack_files(paths or [default_law_dir()])
    problems: list[Problem] = []
    packs: list[LoadedPack] = []
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
        try:
            packs.append(load_pack(file))
        except PackError as error:
            problems.extend(error.problems)
    law = LawSet(packs, digest.hexdigest()[:12])
    seen_packs: dict[str, str] = {}
    home_rule_packs: dict[str, str] = {}
    for pack in packs:

        def clash(kind: str, name: str, other: str, pack: LoadedPack = pack) -> None:
            problems.append(Problem(pack.file, 1, f"the {kind} '{name}' is also defined in {other}"))

        if pack.model.pack in seen_packs:
            clash("pack id", pack.model.pack, seen_packs[pack.model.pack])
        seen_packs[pack.model.pack] = pack.file
        for source_id, source in pack.model.sources.items():
            if source_id in law.sources:
                clash("source", source_id, _owner(packs, source_id, "sources"))
            law.sources[source_id] = source
        for force in pack.model.forces:
            if force.id in law.forces:
                clash("force", force.id, law.forces[force.id][0].file)
            law.forces[force.id] = (pack, force)
        for rule in pack.model.home_rules:
            if home_rule_packs.setdefault(rule.id, pack.file) != pack.file:
                clash("rule", rule.id, home_rule_packs[rule.id])
            law.home_rules.append((pack, rule))
        for international in pack.model.international_rules:
            if home_rule_packs.setdefault(international.id, pack.file) != pack.file:
                clash("rule", international.id, home_rule_packs[international.id])
            law.international_rules.append((pack, international))
    problems.extend(check_standards(packs, set(law.forces), set(law.sources)))
    if problems:
        raise PackError(problems)
    return law


def _owner(packs: list[LoadedPack], source_id: str, section: str) -> str:
    return next(pack.file for pack in packs if source_id in getattr(pack.model, section))


@functools.cache
def shipped_law() -> LawSet:
    """The packs that ship with servicepath, loaded once per process."""
    return load_law()
