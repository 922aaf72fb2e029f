from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from documents.selectors import unread_notice_count


def inbox(request: HttpRequest) -> dict:
    """`inbox_unread_count` for the navigation; queried only by a page that shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread_count": SimpleLazyObject(lambda: unread_notice_count(user))}
