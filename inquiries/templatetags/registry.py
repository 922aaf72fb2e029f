"""Labels for the registry's codes, for status dataclasses that carry the raw values, and for
the disclosure log's scopes and purposes."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from agencies.scopes import scope_labels
from inquiries import selectors
from inquiries.models import (
    CoverageKind,
    DisclosureChannel,
    DisclosureRecord,
    LookupPurpose,
    PensionKind,
    PensionRole,
    PensionStatus,
)
from portal.digits import local_digits

register = template.Library()


def _label(choices: type, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.filter
def coverage_kind(value: str) -> str:
    return _label(CoverageKind, value)


@register.filter
def pension_role(value: str) -> str:
    return _label(PensionRole, value)


@register.filter
def pension_kind(value: str) -> str:
    return _label(PensionKind, value)


@register.filter
def pension_status(value: str) -> str:
    return _label(PensionStatus, value)


@register.filter
def lookup_purpose(value: str) -> str:
    return _label(LookupPurpose, value)


@register.filter
def stated_purpose(record: DisclosureRecord) -> SafeString:
    """The purpose as a person reads it: a redeemed certificate by its number, "other" by the
    agency's explanation alone, any other purpose by its label and the details given."""
    detail = record.purpose_detail.strip()
    if record.channel == DisclosureChannel.CERTIFICATE:
        return format_html('{} <span class="ltr">{}</span>', _("Certificate"), local_digits(detail))
    if record.purpose == LookupPurpose.OTHER and detail:
        return format_html("{}", detail)
    if detail:
        return format_html("{}: {}", lookup_purpose(record.purpose), detail)
    return format_html("{}", lookup_purpose(record.purpose))


@register.filter
def scope_list(values: list[str]) -> str:
    """The scopes' labels in the canonical order, as one phrase."""
    return pgettext("list separator", ", ").join(scope_labels(values))


@register.simple_tag
def greeting_name(user: User) -> str:
    """How the dashboard greets the person: by the registry's name once the account is bound
    to its person (`selectors.registry_name`), until then by the name the account typed."""
    if not user.is_authenticated:
        return ""
    return selectors.registry_name(user) or user.get_full_name()
