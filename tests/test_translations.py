"""Every interface text exists in Russian and French (Babel catalogues), placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from servicepath.i18n import LOCALE_DIR, negotiate

PACKAGE = Path(__file__).parent.parent / "src" / "servicepath"
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")


def _extracted() -> set[str]:
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"}},
        keywords={**DEFAULT_KEYWORDS, "N_": None},
    )
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


@pytest.mark.parametrize("language", ["ru", "fr"])
def test_every_text_is_translated_with_its_placeholders(language: str) -> None:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {message.id: message.string for message in catalog if message.id and not message.fuzzy}
    texts = _extracted()
    assert len(texts) > 150
    missing = sorted(text for text in texts if not translated.get(text))
    assert not missing, f"untranslated in {language}: {missing} (see docs/translations.md)"
    for text in texts:
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(str(translated[text]))), text


@pytest.mark.parametrize(
    ("header", "language"),
    [("ru-RU,ru;q=0.9,en;q=0.8", "ru"), ("de-DE,fr;q=0.7", "fr"), ("de-DE", "en"), ("", "en"), ("en;q=bad", "en")],
)
def test_the_browser_language_is_followed_where_we_have_it(header: str, language: str) -> None:
    assert negotiate(header) == language
