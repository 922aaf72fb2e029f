from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()
SLASH_THEN_BREAK = SafeString("/<wbr>")


@register.filter
def breakable_at_slashes(value: object) -> SafeString:
    """A path or URL (escaped) that a phone's narrow column breaks after a slash, not inside a
    word."""
    return format_html_join(SLASH_THEN_BREAK, "{}", ((part,) for part in str(value).split("/")))
