"""Self-assessment words in the interface language: what each result is, and how far a result is from a minimum."""

from __future__ import annotations

from servicepath.engine.standards import Margin
from servicepath.i18n import N_, gettext_for

RESULT_LABELS = {
    "run_1km": N_("1 km run time"),
    "run_2km": N_("2 km run time"),
    "run_3km": N_("3 km run time"),
    "cooper_12min": N_("Distance run in 12 minutes"),
    "shuttle_run_level": N_("20 m shuttle run (beep test) level"),
    "pull_ups": N_("Pull-ups"),
    "push_ups": N_("Push-ups"),
    "sit_ups": N_("Sit-ups"),
    "medicine_ball_throw": N_("Seated 4 kg medicine-ball throw"),
    "mid_thigh_pull": N_("Mid-thigh pull"),
    "afqt": N_("AFQT percentile"),
    "army_cognitive_test": N_("British Army cognitive test score"),
    "height": N_("Height"),
    "weight": N_("Weight"),
    "bmi": N_("Body mass index"),
    "school_credential": N_("School-leaving credential"),
}
PHRASES = {
    (True, "at_least"): N_("{amount} above the minimum"),
    (True, "at_most"): N_("{amount} under the limit"),
    (False, "at_least"): N_("{amount} short of the minimum"),
    (False, "at_most"): N_("{amount} over the limit"),
}


def result_label(name: str, language: str) -> str:
    return gettext_for(language).gettext(RESULT_LABELS[name])


def _number(value: float) -> str:
    rounded = round(value, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


def amount_text(amount: float, dimension: str, language: str) -> str:
    """A difference with its unit, e.g. "1 min 12 s", "3 repetitions", "0.2 m"."""
    translations = gettext_for(language)
    _, ngettext = translations.gettext, translations.ngettext
    if dimension == "time":
        minutes, seconds = divmod(round(amount, 1), 60)
        if minutes and seconds:
            return _("{minutes} min {seconds} s").format(minutes=int(minutes), seconds=_number(seconds))
        if minutes:
            return _("{minutes} min").format(minutes=int(minutes))
        return _("{seconds} s").format(seconds=_number(seconds))
    count = round(amount, 2)
    whole = int(count) if count == int(count) else 2  # a fraction takes the plural form
    shown = _number(amount)
    if dimension == "count":
        return ngettext("{n} repetition", "{n} repetitions", whole).format(n=shown)
    if dimension == "percentile":
        return ngettext("{n} percentile point", "{n} percentile points", whole).format(n=shown)
    if dimension == "score":
        return ngettext("{n} point", "{n} points", whole).format(n=shown)
    if dimension == "length":
        return _("{n} m").format(n=shown)
    if dimension == "mass":
        return _("{n} kg").format(n=shown)
    return _("{n} kg/m²").format(n=shown)


def margin_text(margin: Margin, language: str) -> str:
    """Where a result stands against the minimum, e.g. "42 s under the limit"; never advice."""
    _ = gettext_for(language).gettext
    if margin.exact:
        return _("exactly at the minimum")
    phrase = _(PHRASES[(margin.meets, margin.direction)])
    return phrase.format(amount=amount_text(margin.amount, margin.dimension, language))
