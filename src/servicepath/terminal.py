"""The interview in a terminal: the same planner and questions as the web app, answered at a prompt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from servicepath.engine.interview import next_step
from servicepath.i18n import gettext_for
from servicepath.packs.lawset import LawSet
from servicepath.profile import Profile, ProfileError, profile_data, profile_from_data
from servicepath.questions import STATELESS, AnswerError, Question, parse_answer, question

DONT_KNOW = ("", "?")


def _form(asked: Question, typed: str) -> dict[str, Any]:
    """What was typed as the web form's fields: dates YYYY-MM-DD, countries as codes, choices by number or value."""
    if asked.kind == "date":
        year, _, rest = typed.partition("-")
        month, _, day = rest.partition("-")
        return {"day": day, "month": month, "year": year}
    if asked.kind == "countries":
        if typed.lower() == STATELESS:
            return {STATELESS: "on"}
        codes = [code.strip() for code in typed.replace(";", ",").split(",") if code.strip()]
        return {f"country{index}": code for index, code in enumerate(codes)}
    if typed.isdigit() and asked.kind != "country" and 1 <= int(typed) <= len(asked.choices):
        return {"value": asked.choices[int(typed) - 1].value}
    if asked.kind == "yes_no":
        return {"value": {"y": "yes", "n": "no"}.get(typed.lower(), typed.lower())}
    return {"value": typed}


def _prompt_text(asked: Question, language: str) -> str:
    _ = gettext_for(language).gettext
    lines = [asked.label]
    if asked.hint and asked.kind != "date":
        lines.append(asked.hint)
    if asked.kind in ("choice", "yes_no"):
        lines += [f"  {number}. {choice.label}" for number, choice in enumerate(asked.choices, start=1)]
    elif asked.kind == "date":
        lines.append(_("Write the date as YYYY-MM-DD."))
    elif asked.kind == "country":
        lines.append(_("Write the country's two-letter code, e.g. TJ."))
    else:
        lines.append(_("Write the two-letter codes separated by commas (e.g. TJ, RU), or “stateless”."))
    lines.append(_("Press Enter alone, or type ?, for “I don't know”."))
    return "\n".join(lines)


def run_interview(
    law: LawSet,
    as_of: dt.date,
    forces: Sequence[str] | None,
    language: str,
    ask: Callable[[str], str],
    say: Callable[[str], None],
) -> Profile:
    """Ask until no answer could change a verdict; return the profile the answers make."""
    answers: dict[str, Any] = {}
    declined: list[str] = []
    while True:
        profile = profile_from_data(profile_data(answers))
        step = next_step(profile, as_of, law, forces, declined)
        if step.next_fact is None:
            return profile
        asked = question(step.next_fact, language, law)
        typed = ask(_prompt_text(asked, language)).strip()
        if typed in DONT_KNOW:
            declined.append(asked.fact)
            continue
        try:
            value = parse_answer(asked, _form(asked, typed), language)
            profile_from_data(profile_data({**answers, asked.fact: value}))
        except (AnswerError, ProfileError) as error:
            say(str(error))
            continue
        answers[asked.fact] = value
