"""Persian is complete: the catalogue has no gaps, Persian pages show no English text, and every
Persian message the portal shows, its own or a package's, writes «می» and «ها» as formal Persian
does."""

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import allauth
import django
import polib
import pytest
from django.conf import settings
from django.utils import translation

from tests.persian_text import missing_zero_width_non_joiners

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


# The packages' catalogues whose messages reach the portal's pages: Django's forms and models,
# its admin (the committee's and IT's pages), and allauth's accounts, two-factor and sessions.
DJANGO_CATALOGUES = ("conf", "contrib/admin", "contrib/auth", "contrib/contenttypes")
ALLAUTH_PARTS = ("account/", "mfa/", "usersessions/", "templates/account/", "templates/mfa/",
                 "templates/usersessions/", "templates/allauth/", "core/")  # fmt: skip
# Django messages the portal never shows, left as Django writes them: its CSRF failure page
# (the portal has its own, CSRF_FAILURE_VIEW), its DEBUG welcome page, a model field's
# description for developers, and the username rules of an account model without a username.
NEVER_SHOWN = (
    "You are seeing this message because",
    "You are seeing this page because",
    "The install worked successfully!",
    "Foreign Key (type determined by related field)",
    "Enter a valid username.",
)


def package_messages() -> Iterator[polib.POEntry]:
    django_root = Path(django.__file__).parent
    for catalogue in DJANGO_CATALOGUES:
        for entry in polib.pofile(str(django_root / catalogue / "locale/fa/LC_MESSAGES/django.po")):
            if not entry.msgid.startswith(NEVER_SHOWN):
                yield entry
    allauth_catalogue = Path(allauth.__file__).parent / "locale/fa/LC_MESSAGES/django.po"
    for entry in polib.pofile(str(allauth_catalogue)):
        if any(path.startswith(ALLAUTH_PARTS) for path, _line in entry.occurrences):
            yield entry


def shown_in_persian(entry: polib.POEntry) -> list[str]:
    """The message as a Persian page shows it: the portal's catalogue before the package's."""
    with translation.override("fa"):
        if entry.msgid_plural:
            return [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2, 5)]
        if entry.msgctxt:
            return [translation.pgettext(entry.msgctxt, entry.msgid)]
        return [translation.gettext(entry.msgid)]


def test_persian_messages_join_their_prefixes_and_suffixes_with_the_non_joiner():
    ours = polib.pofile(str(Path(settings.BASE_DIR) / "locale/fa/LC_MESSAGES/django.po"))
    faults = {
        entry.msgid: words
        for entry in ours
        if (
            words := missing_zero_width_non_joiners(
                " ".join([entry.msgstr, *entry.msgstr_plural.values()])
            )
        )
    }
    faults |= {
        entry.msgid: words
        for entry in package_messages()
        if (entry.msgstr or entry.msgstr_plural)
        and (words := missing_zero_width_non_joiners(" ".join(shown_in_persian(entry))))
    }
    assert faults == {}


def test_every_third_party_message_the_catalogue_translates_is_kept_for_makemessages():
    """`makemessages --no-obsolete` keeps a msgid only if our sources hold it: each package
    message the catalogue translates is written in portal/third_party_strings.py."""
    source = (Path(settings.BASE_DIR) / "portal/third_party_strings.py").read_text()
    written = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale/fa/LC_MESSAGES/django.po"))
    third_party = [entry for entry in catalogue if "third-party msgid" in entry.comment]
    assert len(third_party) > 20
    assert [entry.msgid for entry in third_party if entry.msgid not in written] == []
