"""Persian is complete: the catalogue has no gaps and Persian pages show no English text."""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Words that are English on purpose on a Persian page: the switch to the English version.
ALLOWED_LATIN = {"English"}
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "value"}


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            # An <input type=submit> shows its value; a <button>'s value is never shown.
            is_button_value = (
                name == "value"
                and tag == "input"
                and dict(attrs).get("type") in {"submit", "button"}
            )
            if value and name in VISIBLE_ATTRIBUTES and (name != "value" or is_button_value):
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.texts.append(data)


def latin_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return {word for text in parser.texts for word in LATIN_WORD.findall(text)} - ALLOWED_LATIN


def test_the_persian_catalogue_is_complete():
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale/fa/LC_MESSAGES/django.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == []
    assert fuzzy == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/"])
def test_persian_pages_show_no_english(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert latin_words(response.content.decode()) == set()
