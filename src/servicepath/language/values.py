"""Runtime values of the rule language that Python has no type for."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"


@dataclass(frozen=True, slots=True, order=True)
class Duration:
    """A calendar duration; years are kept apart from months only for display."""

    months: int = 0
    days: int = 0

    @classmethod
    def of(cls, amount: int, unit: str) -> Duration:
        unit = unit.rstrip("s")
        if unit == "year":
            return cls(months=12 * amount)
        if unit == "month":
            return cls(months=amount)
        return cls(days=amount)

    def __str__(self) -> str:
        parts: list[str] = []
        years, months = divmod(self.months, 12)
        for amount, unit in ((years, "year"), (months, "month"), (self.days, "day")):
            if amount:
                parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
        return " ".join(parts) or "0 days"

    def __add__(self, other: Duration) -> Duration:
        return Duration(self.months + other.months, self.days + other.days)

    def __sub__(self, other: Duration) -> Duration:
        return Duration(self.months - other.months, self.days - other.days)
