"""The API's own records: bearer tokens (stored as digests) and the answers it gave, which make
idempotency keys and `GET /api/v1/inquiries/{id}` work."""

import hashlib
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def token_digest(token: str) -> str:
    """A token is 32 random bytes; SHA-256 is enough to store it and fast to look up."""
    return hashlib.sha256(token.encode()).hexdigest()


class AccessToken(models.Model):
    """A short-lived bearer token of a client, from the client-credentials grant. It is only a
    handle: every call checks the client, the secret that got it and the MoU again."""

    digest = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(
        "agencies.ApiClient", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    secret = models.ForeignKey(
        "agencies.ApiClientSecret",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("secret"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    client_ip = models.GenericIPAddressField(_("client IP address"), null=True)
    # RFC 8705 `cnf` `x5t#S256`: the certificate the token was issued to; every call must
    # present it. Empty for a client that is not bound to a certificate.
    cert_thumbprint = models.CharField(
        _("certificate thumbprint (SHA-256)"), max_length=43, blank=True, default=""
    )

    class Meta:
        verbose_name = _("API access token")
        verbose_name_plural = _("API access tokens")

    def __str__(self) -> str:
        return f"{self.client_id} {self.issued_at:%Y-%m-%d %H:%M}"


class AnswerKind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    REDEMPTION = "redemption", _("Certificate redemption")


class ApiAnswer(models.Model):
    """What the API answered to one inquiry or redemption of a client.

    With an `Idempotency-Key`, the row is inserted first, in the work's transaction: a retry
    with the same key waits on the unique index until the first commits, then reads this answer
    instead of doing the work again (one key, one disclosure record).
    """

    client = models.ForeignKey(
        "agencies.ApiClient", on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AnswerKind.choices)
    # NULL, not "", when the request had no key: the unique constraint leaves those out.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=200, null=True
    )
    # SHA-256 of the request body: the same key with another body is refused.
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    disclosure = models.OneToOneField(
        "inquiries.DisclosureRecord",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("API answer")
        verbose_name_plural = _("API answers")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "kind", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="api_answer_one_per_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    def document(self) -> dict[str, Any]:
        """The JSON answered: an inquiry's id and time are this row's own."""
        if self.kind == AnswerKind.INQUIRY and self.status_code == 200:
            return {"id": self.pk, "created_at": self.created_at.isoformat(), **self.body}
        return self.body
