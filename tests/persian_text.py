"""What a Persian page may show: the rule the Persian walk enforces.

- Persian text carries Persian digits only: "۵ مورد", "ردیف ۲", "۹۰ روز".
- Codes and numbers that must stay as typed (national codes, certificate numbers, access codes,
  mobile numbers, insurance numbers, URLs) are shown left-to-right: in an element marked
  `dir="ltr"` or of class `ltr` (portal.css isolates it), or inside a message between the
  isolating marks U+2066 and U+2069. There ASCII digits are allowed, and the bidi algorithm
  cannot reorder them ("+98…" never becomes "…98+"). A code never mixes scripts ("P۰۰۰۰۴۸").
- What a person typed stays as typed: values of inputs and text areas are not checked.
- No English sentence: Latin words only inside `dir="ltr"` or `lang="en"` elements (a code, the
  "English" switch), or as stored data (a name someone typed in Latin letters is theirs).

And what a Persian message may say (`missing_zero_width_non_joiners`, for the catalogues): the
verb prefix «می» and the suffixes «ها», «های», «اند», «ای» are joined to their word by the
zero-width non-joiner, as formal Persian writes them («می‌توانید», «فیلدهای» but «مدل‌ها»,
«شده‌اند»), never by a space or glued to a letter that joins the next.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

PERSIAN_LETTER = re.compile(r"[\u0600-\u06ff]")
ASCII_DIGIT = re.compile(r"[0-9]")
# A word of Latin letters and Persian or Arabic-Indic digits: "P۰۰۰۰۴۸", "INS-AAA-۱۱۱".
_LOCAL_DIGIT = "[\u06f0-\u06f9\u0660-\u0669]"
MIXED_SCRIPTS = re.compile(f"(?=\\S*[A-Za-z])(?=\\S*{_LOCAL_DIGIT})\\S+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# A left-to-right isolate inside a translated message (LRI ... PDI): "\u2066+98912…\u2069".
ISOLATED = re.compile("\u2066[^\u2069]*\u2069")
# Names of formats and algorithms, written the same in Persian technical text.
TECHNICAL_NAMES = re.compile(r"\b(?:PDF|CSV|JSON|JPEG|PNG|IP|SHA-256|UTF-8|sha256sum)\b")
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
ZWNJ = "\u200c"
_LETTER = "\u0600-\u06ff"
# Letters that join the next one: after them «ها» glued on would read as one word («مدلها»).
_JOINING = "بپتثجچحخسشصضطظعغفقکگلمنهیئ"
_MISSING_ZWNJ = (
    re.compile(f"(?<![{_LETTER}{ZWNJ}])ن?می [{_LETTER}]+"),  # «می تواند»
    re.compile(f"(?<![{_LETTER}{ZWNJ}])ن?می[{_LETTER}]{{2,}}"),  # «میتواند»
    # «آیتم ها», «شده اند», and after a placeholder: «%(verbose_name_plural)s های»
    re.compile(f"\\S+ (?:ها|های|هایی|اند)(?![{_LETTER}{ZWNJ}])"),
    re.compile(f"[{_LETTER}]*ه ای(?![{_LETTER}{ZWNJ}])"),  # «دومرحله ای»
    re.compile(f"[{_LETTER}]*[{_JOINING}](?:ها|های|هایی)(?![{_LETTER}{ZWNJ}])"),  # «مدلها»
)
# Words those patterns would take for a verb or a plural: «میان», «میزان», «تنها», «تنهایی».
_NOT_PREFIXED = ("میان", "میز", "میل", "میهن", "میدان", "میوه", "میراث", "تنها")
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass
class Finding:
    kind: str  # "latin digit", "mixed scripts", "english"
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text.strip()[:120]!r}"


@dataclass
class _Element:
    tag: str
    ltr: bool  # inside a dir="ltr" element: codes and numbers as typed
    english: bool  # inside a lang="en" element


class _PersianPageText(HTMLParser):
    def __init__(self, data: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.data = data
        self.stack: list[_Element] = [_Element("root", ltr=False, english=False)]
        self.findings: list[Finding] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        parent = self.stack[-1]
        direction = names.get("dir")
        element = _Element(
            tag,
            ltr=direction == "ltr"
            or "ltr" in (names.get("class") or "").split()
            or (parent.ltr and direction != "rtl"),
            english=(names.get("lang") or "").startswith("en")
            or (parent.english and "lang" not in names),
        )
        if tag in {"script", "style", "template"}:
            self._skip += 1
        if self._skip == 0 and "hidden" not in names:
            for name, value in attrs:
                if value and name in VISIBLE_ATTRIBUTES:
                    self._check(value, element)
            if tag == "input" and names.get("type") in {"submit", "button"} and names.get("value"):
                self._check(names["value"] or "", element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"}:
            self._skip = max(0, self._skip - 1)
        # Close up to the matching element (browsers forgive unclosed <p>, <li>, <option>).
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, text: str) -> None:
        if self._skip or self.stack[-1].tag == "textarea":
            return
        self._check(text, self.stack[-1])

    def _check(self, text: str, element: _Element) -> None:
        if not text.strip():
            return
        if MIXED_SCRIPTS.search(text):
            self.findings.append(Finding("mixed scripts", text))
        if element.ltr:
            return
        for stored in self.data:
            text = text.replace(stored, " ")
        text = TECHNICAL_NAMES.sub(" ", ISOLATED.sub(" ", text))
        if ASCII_DIGIT.search(text):
            self.findings.append(Finding("latin digit", text))
        if not element.english and LATIN_WORD.search(text):
            self.findings.append(Finding("english", text))


def persian_text_findings(html: str, *, data: frozenset[str] = frozenset()) -> list[Finding]:
    """What breaks the rule above on one Persian page. `data`: stored values (names and free
    text people typed) that may show as they are; a stored value with digits and no space is a
    code, and codes must still be shown left-to-right."""
    names = sorted(
        (v for v in data if " " in v or not ASCII_DIGIT.search(v)), key=len, reverse=True
    )
    parser = _PersianPageText(names)
    parser.feed(html)
    parser.close()
    return parser.findings


def missing_zero_width_non_joiners(text: str) -> list[str]:
    """The words of a Persian message whose «می» or «ها» is not joined by the non-joiner."""
    return [
        match.group(0)
        for pattern in _MISSING_ZWNJ
        for match in pattern.finditer(text)
        if not match.group(0).lstrip("ن").startswith(_NOT_PREFIXED)
    ]
