from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models.api_client import ApiClient
from agencies.models.request import AccessRequest


class Notice(models.Model):
    """A message to a person about their agency request or access, shown in the portal and
    also sent by SMS and email (once, by a task)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agency_notices",
        verbose_name=_("recipient"),
    )
    access_request = models.ForeignKey(
        AccessRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("request"),
    )
    # About one of the agency's systems: the notice leads to the panel's page of them.
    api_client = models.ForeignKey(
        ApiClient,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("API client"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered by SMS/email at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject
