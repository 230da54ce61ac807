"""Interview sessions that survive: every answer is committed as it is given (SQLite by default, PostgreSQL by
URL). A session is found by an unguessable token; the database keeps only the token's hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String, create_engine, delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool


class _Base(DeclarativeBase):
    pass


class _InterviewRow(_Base):
    __tablename__ = "interviews"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    as_of: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    forces: Mapped[list[str]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    declined: Mapped[list[str]] = mapped_column(JSON)
    asked: Mapped[list[str]] = mapped_column(JSON)


@dataclass
class Interview:
    """One person's interview: answers by fact name, the facts they declined, and the order questions came in."""

    token: str
    forces: list[str] = field(default_factory=list)
    as_of: dt.date | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    declined: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def record(self, fact: str, value: Any) -> None:
        self.answers[fact] = value
        self._mark_asked(fact, declined=False)

    def decline(self, fact: str) -> None:
        self.answers.pop(fact, None)
        self._mark_asked(fact, declined=True)

    def _mark_asked(self, fact: str, declined: bool) -> None:
        if fact in self.declined:
            self.declined.remove(fact)
        if declined:
            self.declined.append(fact)
        if fact not in self.asked:
            self.asked.append(fact)

    def before(self, fact: str | None) -> str | None:
        """The question asked before this one (the last one asked when `fact` is new), for the back link."""
        if fact in self.asked:
            index = self.asked.index(fact)
            return self.asked[index - 1] if index > 0 else None
        return self.asked[-1] if self.asked else None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    def __init__(self, url: str) -> None:
        if url in ("sqlite://", "sqlite:///:memory:"):
            # One shared connection: each new connection to an in-memory SQLite database would be a new, empty one.
            self.engine: Engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            self.engine = create_engine(url)
        _Base.metadata.create_all(self.engine)

    def create(self, forces: list[str], as_of: dt.date | None = None) -> Interview:
        interview = Interview(secrets.token_urlsafe(32), list(forces), as_of)
        self.save(interview)
        return interview

    def get(self, token: str) -> Interview | None:
        with Session(self.engine) as session:
            row = session.get(_InterviewRow, _hash(token))
            if row is None:
                return None
            return Interview(token, list(row.forces), row.as_of, dict(row.answers), list(row.declined), list(row.asked))

    def save(self, interview: Interview) -> None:
        with Session(self.engine) as session, session.begin():
            session.merge(
                _InterviewRow(
                    token_hash=_hash(interview.token),
                    updated=dt.datetime.now(dt.UTC),
                    as_of=interview.as_of,
                    forces=list(interview.forces),
                    answers=dict(interview.answers),
                    declined=list(interview.declined),
                    asked=list(interview.asked),
                )
            )

    def delete(self, token: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(_InterviewRow).where(_InterviewRow.token_hash == _hash(token)))
