"""For the government panel's templates: the sections that exist in this installation."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The panel's sections, served by later apps; each appears once its URL exists. An app serving
# one mounts its URLconf in portal/urls.py under /gov/<section>/ with the namespace named here and
# a view named "home", every view behind agencies.gate.agency_panel_required, and its templates
# extending agencies/gov/layout.html. (agencies never imports the apps after it.)
SECTIONS = [
    ("gov_inquiry:home", _("Status inquiry")),
    ("gov_documents:home", _("Document inquiry")),
    ("gov_history:home", _("Our agency's history")),
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
