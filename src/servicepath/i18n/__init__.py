"""Translations: the interface's own texts from Babel catalogues (.po, compiled when first used), and the names
of countries and languages from pycountry's ISO catalogues. Law texts carry their own translations in the packs."""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

import pycountry
from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("en", "ru", "fr")
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The interface's catalogue for a language; English is the source language, so it needs none."""
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT_LANGUAGE or not po_file.exists():
        return gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext_for(language: str) -> gettext.NullTranslations:
    return translations(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for a browser's Accept-Language header (English when nothing matches)."""
    wanted: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, weight = part.strip().partition(";q=")
        try:
            quality = float(weight) if weight else 1.0
        except ValueError:
            continue
        if tag:
            wanted.append((quality, tag.replace("-", "_")))
    preferred = [tag for _, tag in sorted(wanted, key=lambda item: -item[0])]
    return negotiate_locale(preferred, LANGUAGES) or DEFAULT_LANGUAGE


@functools.cache
def _iso_catalogue(domain: str, language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_name(code: str, language: str) -> str:
    """A country's name in the language, from its ISO 3166-1 alpha-2 code (XK: Kosovo, user-assigned)."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return {"ru": "Косово", "fr": "Kosovo"}.get(language, "Kosovo") if code == "XK" else code
    name = getattr(country, "common_name", None) or country.name
    return _iso_catalogue("iso3166-1", language).gettext(name)


def language_name(code: str, language: str) -> str:
    """A language's name in the interface language, from its ISO 639-1 code."""
    found = pycountry.languages.get(alpha_2=code)
    if found is None:
        return code
    return _iso_catalogue("iso639-3", language).gettext(found.name)
