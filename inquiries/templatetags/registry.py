"""Labels for the registry's codes, for status dataclasses that carry the raw values."""

from django import template

from inquiries.models import CoverageKind, PensionKind, PensionRole, PensionStatus

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
