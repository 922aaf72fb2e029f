"""For the government panel's templates: the sections that exist in this installation."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The panel's sections, served by later apps; each appears once its URL exists.
SECTIONS = [
    ("gov:inquiry", _("Status inquiry")),
    ("gov:documents", _("Document inquiry")),
    ("gov:history", _("Our agency's history")),
]


@register.simple_tag
def panel_sections() -> list[tuple[str, str]]:
    links = []
    for name, label in SECTIONS:
        try:
            links.append((reverse(name), str(label)))
        except NoReverseMatch:
            continue
    return links
