"""Sessions follow the account: a new clock at sign-in, and every session ends at sign-out and
when the account is deactivated, however it is (the admin, a service, a script)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts import services
from accounts.models import User


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    services.start_session_clock(request, user=user)


@receiver(user_logged_out)
def end_sessions_on_logout(
    sender: Any, request: HttpRequest, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        services.end_all_sessions(user=user)


@receiver(post_save, sender=User)
def end_sessions_of_inactive_account(
    sender: Any, instance: User, update_fields: frozenset[str] | None, **kwargs: Any
) -> None:
    if not instance.is_active and (update_fields is None or "is_active" in update_fields):
        services.end_all_sessions(user=instance)
