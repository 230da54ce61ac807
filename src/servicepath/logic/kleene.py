"""Kleene's strong three-valued logic; None stands for unknown."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

Truth = bool | None


def all_of(values: Iterable[Truth]) -> Truth:
    """`and`: false if any is false, else unknown if any is unknown, else true."""
    unknown = False
    for value in values:
        if value is False:
            return False
        if value is None:
            unknown = True
    return None if unknown else True


def any_of(values: Iterable[Truth]) -> Truth:
    """`or`: true if any is true, else unknown if any is unknown, else false."""
    unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            unknown = True
    return None if unknown else False


def negate(value: Truth) -> Truth:
    return None if value is None else not value


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, all_requirements: Truth) -> Verdict:
        if all_requirements is None:
            return cls.UNKNOWN
        return cls.ELIGIBLE if all_requirements else cls.INELIGIBLE


def truth_name(value: Truth) -> str:
    """How a three-valued result is written in the JSON contract."""
    return "unknown" if value is None else ("true" if value else "false")
