from django import template
from django.template.defaultfilters import truncatechars
from django.utils.translation import gettext as _

from portal.useragents import describe

register = template.Library()


@register.filter
def device_name(agent: str) -> str:
    """ "Chrome on Android" for the devices page; an unknown string as it is, cut short."""
    browser, system = describe(agent or "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or truncatechars(agent, 60) or _("Unknown device")
