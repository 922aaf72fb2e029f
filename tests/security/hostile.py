"""Hostile values, and the reading of pages the sweep in test_hostile_input.py needs."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils import translation
from hypothesis import strategies as st

from portal.digits import local_digits

# --- What is typed -----------------------------------------------------------------------------

NATIONAL_CODES = [
    "0010000011",  # valid, ASCII
    "۰۰۱۰۰۰۰۰۱۱",  # valid, Persian digits
    "٠٠١٠٠٠٠٠١١",  # valid, Arabic-Indic digits
    "۰۰1٠-۰۰۰-۰۱۱",  # valid, all three mixed, with dashes
    "001000001",  # 9 digits
    "۰۰۱۰۰۰۰۰۱۱۱",  # 11 digits
    "١" * 100,
    "0010000012",  # wrong check digit
]
METACHARACTERS = [
    "' OR 1=1 -- \"; DROP TABLE accounts_user; --",
    "{{ 7|add:7 }}{% debug %}{% load static %} %(name)s %s",
    "<script>alert('hostile')</script>",
    '"><img src=x onerror=alert(1)>',
]
ODD_NUMBERS = ["-1", "99999999999999999999999", "1e309", "1404/13/45"]
CONTROL = [
    "\x00",
    "a\x00b",
    "\u202egnp.exe\u200f\u200e\u202a",
    "\x1b[31m\x07\x08\x7f\r\nSet-Cookie: hostile=1\ufeff",
    "  \t  ",
]
BIG = ["x" * 10_240, "\u202e۱" * 5_120]

HOSTILE_VALUES = NATIONAL_CODES + METACHARACTERS + ODD_NUMBERS + CONTROL + BIG

# Text made of anything a browser can send: every plane but lone surrogates (not UTF-8).
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
HOSTILE_TEXT = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    ANY_TEXT,
    st.tuples(st.sampled_from(HOSTILE_VALUES), ANY_TEXT).map("".join),
)

# --- What is uploaded --------------------------------------------------------------------------

UPLOADS: list[tuple[str, bytes]] = [
    ("list.csv", b"\xff\xfe\xfa\xc3\x28 not UTF-8 \x80\x81"),
    ("list.csv", b"national_code,first_name\n" + b"\xc3\x28\xa0\xa1\n"),
    ("list.csv", b"national_code,first_name,last_name,position,mobile,email\n\x00\x00\x00\n"),
    (
        "\u202evsc.exe",
        "\u202enational_code,<script>alert('hostile')</script>\n0010000011,x\n".encode(),
    ),
    ("../../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
    ("letter.pdf", b"%PDF-1.4 \xff\xfe truncated"),
    ("empty.csv", b""),
    ("big.csv", b"national_code\n" + b"0010000011\n" * 120_000),
]

# --- What comes back ---------------------------------------------------------------------------

MARKUP_PROBES = ("<script>alert('hostile')</script>", "<img src=x onerror=alert(1)>")
_ERROR_CLASSES = {"invalid-feedback", "errorlist", "alert-danger"}
# Names that read the same in a Persian sentence: formats, a product and the access code example.
TECHNICAL_WORDS = re.compile(
    r"PDF|JPEG|PNG|CSV|UTF-8|Excel|ABCDE-23456|\b[OIL]\b|PEM|X\.509|BEGIN CERTIFICATE|"
    r"national_code|first_name|last_name|position|mobile|email"
)
ASCII_LETTERS = re.compile(r"[A-Za-z]")
PERSIAN_LETTERS = re.compile(r"[\u0600-\u06ff]")


@dataclass
class FormOnPage:
    action: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> value the page gave it
    hidden: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)


class PageReader(HTMLParser):
    """Collects a page's POST forms (their fields) and the text of its error messages."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[FormOnPage] = []
        self.errors: list[str] = []
        self._form: FormOnPage | None = None
        self._error_depth = 0
        self._depth = 0
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self._depth += 1
            if self._error_depth:
                self._error_depth += 1
            elif _ERROR_CLASSES & set(attributes.get("class", "").split()):
                self._error_depth = 1
                self.errors.append("")
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            self._form = FormOnPage(action=attributes.get("action", ""))
            self.forms.append(self._form)
        if self._form is None or not attributes.get("name"):
            return
        name = attributes["name"]
        if name == "csrfmiddlewaretoken":
            return
        kind = attributes.get("type", "text").lower()
        if tag == "input" and kind == "file":
            self._form.files.add(name)
        elif tag == "input" and kind in {"checkbox", "radio"}:
            if "checked" in attributes or name not in self._form.fields:
                self._form.fields[name] = attributes.get("value", "on")
        elif tag == "input" and kind not in {"submit", "button", "image", "reset"}:
            self._form.fields[name] = attributes.get("value", "")
            if kind == "hidden":
                self._form.hidden.add(name)
        elif tag in {"select", "textarea"}:
            self._form.fields.setdefault(name, "")
            self._textarea = name if tag == "textarea" else None
        elif tag == "button":
            self._form.fields.setdefault(name, attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        if tag == "textarea":
            self._textarea = None
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self._depth -= 1
            if self._error_depth:
                self._error_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._error_depth:
            self.errors[-1] += data
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    return reader


def quoted_forms(sent: list[str]) -> list[str]:
    """The visitor's input as a message may quote it: each value as sent and as a Persian
    message writes it (Persian digits), each once, longest first. Made once per answer: an
    upload's cells are thousands of values, and a page may show dozens of messages."""
    forms: set[str] = set()
    with translation.override("fa"):
        for value in sent:
            if value := value.strip():
                forms.update((value, local_digits(value)))
    return sorted(forms, key=len, reverse=True)


def foreign_error_text(error: str, language: str, quoted: list[str]) -> str:
    """What is left of an error message in the wrong language, once the visitor's own input
    (`quoted_forms`: a message may quote it) and technical names are taken out; '' if nothing."""
    for text in quoted:
        if text in error:
            error = error.replace(text, " ")
    if language == "fa":
        error = TECHNICAL_WORDS.sub(" ", error)
        return " ".join(error.split()) if ASCII_LETTERS.search(error) else ""
    return " ".join(error.split()) if PERSIAN_LETTERS.search(error) else ""
