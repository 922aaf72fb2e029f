from allauth.core.internal.ratelimit import parse_rates
from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def code_resend_seconds() -> int:
    """How soon after one SMS code another may be asked for (ACCOUNT_RATE_LIMITS), so the page
    can say so instead of letting the person meet the limit."""
    rates = parse_rates(settings.ACCOUNT_RATE_LIMITS["verify_phone"])
    return int(min(rate.duration for rate in rates))
