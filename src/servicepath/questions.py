"""The interview's questions: one per profile fact, worded for people, in the interface language.

The planner (engine/interview.py) picks which fact to ask; this module says how to ask it and turns the
person's answer back into a profile value. Texts are Babel messages (see docs/translations.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from servicepath.i18n import N_, country_name, gettext_for, language_name
from servicepath.i18n.measures import result_label
from servicepath.language import types as t
from servicepath.packs.lawset import LawSet
from servicepath.profile import CEFR_LEVELS, country_codes, fact_type
from servicepath.results import RESULTS, ResultValueError, is_result_field, quantity

AnswerKind = Literal["yes_no", "date", "choice", "country", "countries", "measure"]
MAX_NATIONALITIES = 3
STATELESS = "stateless"

LABELS: dict[str, tuple[str, str | None]] = {
    "citizenships": (
        N_("Which nationalities (citizenships) do you hold?"),
        N_("Choose every one you hold. If you hold none, choose “I am stateless”."),
    ),
    "birth_date": (N_("What is your date of birth?"), N_("For example: 15 3 1990")),
    "residence.country": (N_("In which country do you live now?"), None),
    "residence.status": (N_("What is your legal status in the country where you live?"), None),
    "sex": (N_("Which sex is written in your passport?"), None),
    "education": (N_("What is the highest level of education you have completed?"), None),
    "criminal_record": (
        N_("Do you have a criminal conviction that is not yet spent or expunged?"),
        N_("A conviction that has been expunged or is spent under the law of the country that gave it does not count."),
    ),
    "under_criminal_investigation": (N_("Are you under criminal investigation or on trial now?"), None),
    "recruitment_country": (N_("In which country would you sign up or be recruited?"), None),
    "intends_to_give_up_citizenship": (
        N_("Would you serve with the intention of giving up one of your nationalities?"),
        None,
    ),
    "service.force": (N_("Which force do you serve in, did you serve in, or are you thinking about?"), None),
    "service.start": (N_("When did that service start, or when would it start?"), None),
    "service.end": (N_("When did that service end?"), None),
    "service.honourable": (N_("Was your service honourable (no dishonourable discharge)?"), None),
    "service.rank": (N_("Were you, or would you be, an officer or enlisted?"), None),
    "service.wounded_in_action": (N_("Were you wounded in action during that service?"), None),
    "service.in_combat_zone": (
        N_("Does that service take place in an armed conflict or a period of hostilities?"),
        N_("Answer for the service you did, or the service you are thinking about."),
    ),
}
LANGUAGE_LABEL = N_("How well do you speak {language}?")
RESULT_LABEL = N_("Your result: {test}")
MEASURE_HINTS: dict[str, str] = {
    "time": N_("Minutes and seconds, for example 9:30."),
    "length": N_("With its unit, for example 175 cm, 5 ft 9 in, 2.6 km or 1.6 mi."),
    "mass": N_("With its unit, for example 70 kg or 154 lb."),
    "count": N_("A number, for example 12."),
    "percentile": N_("A percentile from 1 to 99."),
    "score": N_("A number, for example 26."),
    "shuttle_level": N_("The level and the shuttle, for example 7.1 (level 7, shuttle 1)."),
}
SCHOOL_CREDENTIAL = "results.school_credential"
CREDENTIAL_LABELS: dict[str, str] = {
    "diploma": N_("A school-leaving diploma"),
    "equivalency": N_("An equivalency certificate (such as the GED)"),
    "none": N_("Neither"),
}

FACT_NAMES: dict[str, str] = {
    "citizenships": N_("your nationalities"),
    "birth_date": N_("your date of birth"),
    "residence.country": N_("the country you live in"),
    "residence.status": N_("your legal status where you live"),
    "sex": N_("your sex"),
    "education": N_("your education"),
    "criminal_record": N_("a criminal conviction"),
    "under_criminal_investigation": N_("a criminal investigation or trial"),
    "recruitment_country": N_("where you would be recruited"),
    "intends_to_give_up_citizenship": N_("whether you would give up a nationality"),
    "service.force": N_("the force you serve in"),
    "service.start": N_("when your service starts"),
    "service.end": N_("when your service ended"),
    "service.honourable": N_("whether your service was honourable"),
    "service.rank": N_("your rank"),
    "service.wounded_in_action": N_("whether you were wounded in action"),
    "service.in_combat_zone": N_("whether the service is in an armed conflict"),
}
LANGUAGE_FACT_NAME = N_("your level of {language}")

CHOICE_LABELS: dict[str, str] = {
    "citizen": N_("Citizen"),
    "permanent_resident": N_("Permanent resident"),
    "temporary_residence_permit": N_("Temporary residence permit"),
    "residence_permit": N_("Residence permit"),
    "work_patent": N_("Work patent or work permit"),
    "visa": N_("Visa"),
    "visa_free_stay": N_("Visa-free stay"),
    "refugee": N_("Refugee"),
    "asylum_seeker": N_("Asylum seeker"),
    "no_lawful_status": N_("No lawful status"),
    "other": N_("Other"),
    "male": N_("Male"),
    "female": N_("Female"),
    "none": N_("No schooling"),
    "primary": N_("Primary school"),
    "lower_secondary": N_("Lower secondary school"),
    "upper_secondary": N_("Upper secondary school (school-leaving certificate)"),
    "vocational": N_("Vocational training"),
    "higher": N_("University or other higher education"),
    "enlisted": N_("Enlisted"),
    "officer": N_("Officer"),
    "A1": N_("A few words and phrases (A1)"),
    "A2": N_("Simple everyday exchanges (A2)"),
    "B1": N_("Everyday conversation (B1)"),
    "B2": N_("Fluent on most topics (B2)"),
    "C1": N_("Fluent and precise, also at work (C1)"),
    "C2": N_("As well as an educated native speaker (C2)"),
    "native": N_("It is my first language"),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    fact: str
    kind: AnswerKind
    label: str
    hint: str | None
    choices: tuple[Choice, ...] = ()


class AnswerError(ValueError):
    """An answer that cannot be used; the message is in the interface language and says what to write."""


def _countries(language: str) -> tuple[Choice, ...]:
    choices = [Choice(code, country_name(code, language)) for code in country_codes()]
    return tuple(sorted(choices, key=lambda choice: choice.label.casefold()))


def _result_question(fact: str, language: str) -> Question:
    _ = gettext_for(language).gettext
    name = fact.removeprefix("results.")
    label = _(RESULT_LABEL).format(test=result_label(name, language))
    if fact == SCHOOL_CREDENTIAL:
        choices = tuple(Choice(value, _(text)) for value, text in CREDENTIAL_LABELS.items())
        return Question(fact, "choice", label, None, choices)
    return Question(fact, "measure", label, _(MEASURE_HINTS[RESULTS[name].dimension]))


def fact_name(fact: str, language: str) -> str:
    """A fact as a short phrase, for "would be decided by ..."."""
    _ = gettext_for(language).gettext
    if fact.startswith("languages."):
        return _(LANGUAGE_FACT_NAME).format(language=language_name(fact.removeprefix("languages."), language))
    return _(FACT_NAMES[fact]) if fact in FACT_NAMES else fact


def question(fact: str, language: str, law: LawSet) -> Question:
    """How to ask for one fact, in the interface language."""
    if is_result_field(fact):
        return _result_question(fact, language)
    kind_of = fact_type(fact)
    if kind_of is None:
        raise KeyError(fact)
    _ = gettext_for(language).gettext
    if fact.startswith("languages."):
        label = _(LANGUAGE_LABEL).format(language=language_name(fact.removeprefix("languages."), language))
        levels = tuple(Choice(level, _(CHOICE_LABELS[level])) for level in CEFR_LEVELS)
        return Question(fact, "choice", label, None, levels)
    label_id, hint_id = LABELS[fact]
    label, hint = _(label_id), _(hint_id) if hint_id else None
    if fact == "citizenships":
        return Question(fact, "countries", label, hint, _countries(language))
    if fact == "service.force":
        forces = tuple(Choice(force_id, force.name.get(language)) for force_id, (_, force) in law.forces.items())
        return Question(fact, "choice", label, hint, forces)
    if kind_of.kind is t.Kind.BOOL:
        return Question(fact, "yes_no", label, hint, (Choice("yes", _("Yes")), Choice("no", _("No"))))
    if kind_of.kind is t.Kind.DATE:
        return Question(fact, "date", label, hint)
    if kind_of.domain is not None and kind_of.domain.name == "country code":
        return Question(fact, "country", label, hint, _countries(language))
    assert kind_of.domain is not None, f"no question is written for the fact {fact}"
    values = kind_of.domain.values
    return Question(fact, "choice", label, hint, tuple(Choice(value, _(CHOICE_LABELS[value])) for value in values))


def parse_answer(asked: Question, form: Mapping[str, Any], language: str) -> Any:
    """The profile value of an answer given in a form (web) or at a prompt (terminal), as JSON-ready data."""
    _ = gettext_for(language).gettext
    if asked.kind == "date":
        return _date(form, _)
    if asked.kind == "countries":
        if form.get(STATELESS):
            return []
        codes = [str(form.get(f"country{index}") or "").strip().upper() for index in range(MAX_NATIONALITIES)]
        chosen = list(dict.fromkeys(code for code in codes if code))
        if not chosen:
            raise AnswerError(_("Choose at least one nationality, or “I am stateless”."))
        return _known_codes(chosen, {choice.value for choice in asked.choices}, _)
    value = str(form.get("value") or "").strip()
    if asked.kind == "measure":
        return _measure(asked, value, _)
    if not value:
        raise AnswerError(_("Choose one of the answers, or “I don't know”."))
    if asked.kind == "yes_no":
        if value not in ("yes", "no"):
            raise AnswerError(_("Choose one of the answers, or “I don't know”."))
        return value == "yes"
    if asked.kind == "country":
        return _known_codes([value.upper()], {choice.value for choice in asked.choices}, _)[0]
    if value not in {choice.value for choice in asked.choices}:
        raise AnswerError(_("Choose one of the answers, or “I don't know”."))
    return value


def _measure(asked: Question, value: str, _: Any) -> str:
    try:
        quantity(RESULTS[asked.fact.removeprefix("results.")], value)
    except ResultValueError:
        raise AnswerError(_("This result cannot be read.") + " " + (asked.hint or "")) from None
    return value


def _known_codes(codes: list[str], known: set[str], _: Any) -> list[str]:
    if any(code not in known for code in codes):
        raise AnswerError(_("Choose a country from the list."))
    return codes


def _date(form: Mapping[str, Any], _: Any) -> str:
    parts = [str(form.get(name) or "").strip() for name in ("day", "month", "year")]
    if not all(part.isdigit() for part in parts):
        raise AnswerError(_("Write the day, month and year as numbers, for example 15 3 1990."))
    day, month, year = (int(part) for part in parts)
    if not 1850 <= year <= 2200:
        raise AnswerError(_("Write the year with four digits, for example 1990."))
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise AnswerError(_("This date does not exist. Check the day and the month.")) from None


def answer_shown(asked: Question, value: Any, language: str) -> str:
    """An answer as the person would read it back on the check-your-answers page."""
    _ = gettext_for(language).gettext
    labels = {choice.value: choice.label for choice in asked.choices}
    if asked.kind == "countries":
        return ", ".join(labels.get(code, code) for code in value) if value else _("I am stateless")
    if asked.kind == "yes_no":
        return _("Yes") if value else _("No")
    if asked.kind == "date":
        return dt.date.fromisoformat(value).strftime("%d.%m.%Y")
    return labels.get(value, str(value))
