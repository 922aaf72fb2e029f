from typing import Any

from django import template

from accounts.services import claim_migration_notice

register = template.Library()


@register.simple_tag(takes_context=True)
def isinsured_first_visit(context: dict[str, Any]) -> bool:
    """Whether to show the "your access moved from isinsured" notice: once per migrated user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and claim_migration_notice(user=user)
