from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.validators import validate_legal_id


class AgencyKind(models.TextChoices):
    JUDICIAL = "judicial", _("Judicial authority")
    QUASI_JUDICIAL = "quasi_judicial", _("Quasi-judicial authority")
    INSURANCE_FUND = "insurance_fund", _("Insurance fund")
    SUPPORT_RELIEF = "support_relief", _("Support or relief organization")
    PUBLIC_BODY = "public_body", _("Other public body")


class Agency(models.Model):
    """An external agency that may, under an MoU, inquire about insured persons."""

    name = models.CharField(_("agency name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    legal_id = models.CharField(
        _("legal-entity national ID"),
        max_length=11,
        unique=True,
        validators=[validate_legal_id],
        error_messages={"unique": _("An agency with this legal-entity national ID exists.")},
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The organization's code on the old isinsured site; empty for agencies that never used it.
    # isinsured matched agencies by legal ID, else by this code.
    legacy_code = models.CharField(
        _("isinsured organization code"), max_length=50, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
