"""Browser and system from a User-Agent string, for the devices page: a few well-known names in
the order that tells them apart (Edge and Opera also say "Chrome", Chrome also says "Safari").
A string matching none of them is shown as it is, cut short."""

import re

_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(?:OPR|Opera)/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iOS", re.compile(r"\b(?:iPhone|iPod)\b")),
    ("iPadOS", re.compile(r"\biPad\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def _first(patterns: tuple[tuple[str, re.Pattern[str]], ...], agent: str) -> str:
    return next((name for name, pattern in patterns if pattern.search(agent)), "")


def describe(agent: str) -> tuple[str, str]:
    """(browser, system), each "" when not recognised."""
    agent = agent[:512]
    return _first(_BROWSERS, agent), _first(_SYSTEMS, agent)
