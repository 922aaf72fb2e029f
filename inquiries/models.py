"""The coverage registry: insured persons, their coverage periods and their pension records.

The registry is filled by operators from the organization's files (`import_coverage`); the
portal only reads it. Each table has a natural key the files share, so an import can match rows.
"""

import secrets
from typing import Any, NoReturn

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.jalali import format_date
from portal.validators import validate_national_code


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class CoverageKind(models.TextChoices):
    MANDATORY = "mandatory", _("Mandatory")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    VOLUNTARY = "voluntary", _("Voluntary")
    SPECIAL = "special", _("Special")


class PensionRole(models.TextChoices):
    MAIN = "main", _("Main pensioner")
    DEPENDENT = "dependent", _("Dependent pensioner")


class PensionKind(models.TextChoices):
    RETIREMENT = "retirement", _("Retirement")
    DISABILITY = "disability", _("Disability")
    SURVIVOR = "survivor", _("Survivor")


class PensionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class InsuredPerson(models.Model):
    """A person the organization knows: insured now or before, or a pensioner."""

    national_code = models.CharField(
        _("national code"), max_length=10, validators=[validate_national_code]
    )
    insurance_number = models.CharField(_("insurance number"), max_length=16, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    father_name = models.CharField(_("father's name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)

    class Meta:
        verbose_name = _("insured person")
        verbose_name_plural = _("insured persons")
        constraints = [
            # The natural key; its index serves every lookup by national code.
            models.UniqueConstraint(fields=["national_code"], name="insured_person_national_code"),
            models.CheckConstraint(
                condition=Q(gender__in=Gender.values), name="insured_person_gender_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.national_code})"


class CoveragePeriod(models.Model):
    """A stretch of insurance at one workshop, as the workshop reported it."""

    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.CASCADE,
        related_name="coverage_periods",
        verbose_name=_("insured person"),
        # The natural key's index starts with the person; a second one only slows imports.
        db_index=False,
    )
    workshop_code = models.CharField(_("workshop code"), max_length=20)
    workshop_name = models.CharField(_("workshop name"), max_length=200, blank=True)
    coverage_kind = models.CharField(
        _("coverage kind"), max_length=16, choices=CoverageKind.choices
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Empty while the coverage continues.")
    )
    # What the workshop reported; status totals count calendar days instead (inquiries/status.py).
    days = models.PositiveIntegerField(_("days credited"))
    monthly_wage = models.PositiveBigIntegerField(_("monthly wage (rials)"), null=True, blank=True)

    class Meta:
        verbose_name = _("coverage period")
        verbose_name_plural = _("coverage periods")
        ordering = ["start_date", "workshop_code"]
        constraints = [
            # The natural key; it also indexes "all periods of a person".
            models.UniqueConstraint(
                fields=["person", "workshop_code", "start_date"],
                name="coverage_period_natural_key",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="coverage_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(coverage_kind__in=CoverageKind.values),
                name="coverage_period_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop_code} {self.start_date}–{self.end_date or '…'}"


class PensionRecord(models.Model):
    """A pension paid to a person, as its main pensioner or as a dependent of one."""

    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.CASCADE,
        related_name="pension_records",
        verbose_name=_("pensioner"),
        # `pension_record_person` starts with the person; a second index only slows imports.
        db_index=False,
    )
    pension_number = models.CharField(_("pension number"), max_length=20)
    role = models.CharField(_("role"), max_length=10, choices=PensionRole.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=PensionKind.choices)
    start_date = models.DateField(_("start date"))
    status = models.CharField(_("status"), max_length=10, choices=PensionStatus.choices)
    main_national_code = models.CharField(
        _("main pensioner's national code"),
        max_length=10,
        blank=True,
        validators=[validate_national_code],
        help_text=_("Only for a dependent pensioner."),
    )

    class Meta:
        verbose_name = _("pension record")
        verbose_name_plural = _("pension records")
        ordering = ["start_date", "pension_number"]
        constraints = [
            # The natural key, pension number first as the organization files it.
            models.UniqueConstraint(
                fields=["pension_number", "person"], name="pension_record_natural_key"
            ),
            models.CheckConstraint(
                condition=(
                    Q(role=PensionRole.MAIN, main_national_code="")
                    | (Q(role=PensionRole.DEPENDENT) & ~Q(main_national_code=""))
                ),
                name="pension_record_main_code_only_for_dependents",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PensionKind.values), name="pension_record_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PensionStatus.values), name="pension_record_status_known"
            ),
        ]
        indexes = [
            # A person's pensions (the natural key's index starts with the pension number).
            models.Index(fields=["person", "start_date"], name="pension_record_person"),
        ]

    def __str__(self) -> str:
        return f"{self.pension_number} ({self.get_role_display()})"


class DisclosureChannel(models.TextChoices):
    DIRECT_INQUIRY = "direct_inquiry", _("Direct inquiry")
    CERTIFICATE = "certificate", _("Certificate redemption")
    API = "api", _("Agency system (API)")


class LookupPurpose(models.TextChoices):
    """Why an agency looks a person up; stored in `DisclosureRecord.purpose`, shown to them."""

    JUDICIAL_CASE = "judicial_case", _("A judicial or quasi-judicial case")
    BENEFIT_ELIGIBILITY = "benefit_eligibility", _("Eligibility for support or relief")
    FUND_COORDINATION = "fund_coordination", _("Coordination between insurance funds")
    EMPLOYMENT_CHECK = "employment_check", _("Checking an employment or insurance claim")
    OTHER = "other", _("Other (explained below)")


class DisclosureQuerySet(models.QuerySet["DisclosureRecord"]):
    """Disclosure records are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Disclosure records are never updated.")

    def delete(self) -> NoReturn:
        raise PermissionError("Disclosure records are never deleted.")


def new_salt() -> str:
    return secrets.token_hex(16)


class DisclosureRecord(models.Model):
    """One view of a person's data by an agency: who, which agency, whom, what, why, when.

    Append-only: the application refuses updates and deletes (even through `_base_manager`),
    and on PostgreSQL triggers refuse them for every role (migration 0005). A sequencer makes
    each committed record a leaf of the transparency log (`inquiries.transparency`), whose
    signed checkpoints outsiders keep. Written only by `inquiries.disclosures.record_disclosure`.
    """

    # Both are found through the indexes below (their first column); an index of their own would
    # be two more to update on every lookup (three with the national code's LIKE index).
    national_code = models.CharField(_("national code"), max_length=10)
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency"),
        db_index=False,
    )
    staff_member = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    mou = models.ForeignKey(
        "agencies.Mou", on_delete=models.PROTECT, related_name="+", verbose_name=_("MoU")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=DisclosureChannel.choices)
    # The agency's system that asked, for the API channel; `staff_member` is its responsible one.
    api_client = models.ForeignKey(
        "agencies.ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency system"),
    )
    scopes = models.JSONField(_("scopes disclosed"), default=list)
    # False when the registry had no record for the national code: "no record" is disclosed too.
    record_found = models.BooleanField(_("record found"))
    purpose = models.CharField(_("purpose"), max_length=40)
    purpose_detail = models.CharField(_("purpose in words"), max_length=500, blank=True)
    case_reference = models.CharField(_("case reference"), max_length=100, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    client_ip = models.GenericIPAddressField(_("client IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"))
    # Random bytes in the leaf, so that a published hash cannot be matched against guessed
    # records (a national code is only a billion guesses).
    salt = models.CharField(_("salt"), max_length=32, default=new_salt, editable=False)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("disclosure record")
        verbose_name_plural = _("disclosure records")
        ordering = ["-created_at", "-pk"]
        # Related lookups and `_base_manager` use the guarded queryset too.
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["national_code", "-created_at"], name="disclosure_person_time"),
            models.Index(fields=["agency", "-created_at"], name="disclosure_agency_time"),
        ]

    def __str__(self) -> str:
        return f"{format_date(self.created_at, with_time=True)} → \u2066{self.national_code}\u2069"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Disclosure records are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Disclosure records are never deleted.")


class AppendOnlyQuerySet(models.QuerySet):
    """The transparency log's tables only grow (triggers enforce it on PostgreSQL)."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("The transparency log is never updated.")

    def delete(self) -> NoReturn:
        raise PermissionError("The transparency log is never deleted from.")


class LogLeaf(models.Model):
    """A sealed record's place in the transparency log: leaf `index` is `record`, whose leaf hash
    (RFC 9162: SHA-256 of 0x00 and the canonical record) was `hash` when it was sealed."""

    index = models.BigIntegerField(primary_key=True)
    record = models.OneToOneField(
        DisclosureRecord, on_delete=models.DO_NOTHING, related_name="leaf", db_constraint=False
    )
    hash = models.BinaryField(max_length=32)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("transparency log leaf")
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.index}"


class LogNode(models.Model):
    """A complete subtree of the log: 2**level leaves from index * 2**level on (level >= 1).

    Complete subtrees never change, so they are written once; any root or proof needs O(log n)
    of them. `key` packs (level, index) so a proof's nodes come in one primary-key query.
    """

    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("transparency log node")
        base_manager_name = "objects"

    def __str__(self) -> str:
        level, index = self.split_key(self.key)
        return f"{level}/{index}"

    @staticmethod
    def key_of(level: int, index: int) -> int:
        return (level << 56) | index

    @staticmethod
    def split_key(key: int) -> tuple[int, int]:
        return key >> 56, key & ((1 << 56) - 1)


class Checkpoint(models.Model):
    """A signed statement of the log's size and root (c2sp.org/tlog-checkpoint)."""

    tree_size = models.BigIntegerField(_("tree size"), unique=True)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    created_at = models.DateTimeField(_("time"))
    note = models.TextField(_("signed note"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["-tree_size"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.tree_size}"


class Witness(models.Model):
    """The newest checkpoint size a witness (TRANSPARENCY_WITNESS_URLS) has cosigned."""

    url = models.URLField(unique=True, max_length=500)
    tree_size = models.BigIntegerField(default=0)
    cosignature = models.TextField(blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.url
