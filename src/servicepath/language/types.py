"""The static types of the rule language."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    BOOL = "boolean"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DURATION = "duration"
    CODE = "code"
    SET = "set of codes"
    ANY = "unknown"  # the type of the literal `unknown`: fits anywhere


@dataclass(frozen=True)
class Domain:
    """The values a code may take; `ordered` domains compare by rank (CEFR levels, education)."""

    name: str
    values: tuple[str, ...]
    ordered: bool = False

    def rank(self, value: str) -> int:
        return self.values.index(value)


@dataclass(frozen=True)
class Type:
    kind: Kind
    domain: Domain | None = None
    currency: str | None = None

    def __str__(self) -> str:
        if self.domain is not None:
            return f"{self.kind.value} ({self.domain.name})"
        if self.currency is not None:
            return f"money ({self.currency})"
        return self.kind.value


BOOL = Type(Kind.BOOL)
NUMBER = Type(Kind.NUMBER)
DATE = Type(Kind.DATE)
DURATION = Type(Kind.DURATION)
CODE = Type(Kind.CODE)
CODE_SET = Type(Kind.SET)
ANY = Type(Kind.ANY)


def money(currency: str) -> Type:
    return Type(Kind.MONEY, currency=currency)


def code_of(domain: Domain) -> Type:
    return Type(Kind.CODE, domain=domain)


def set_of(domain: Domain) -> Type:
    return Type(Kind.SET, domain=domain)
