"""Actions of the inquiries app that change state: an agency's lookup (with its disclosure record)
and telling the operators that an agency went past its daily limit."""

from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from agencies.models import Agency, AgencyKind, Mou
from inquiries.disclosures import record_disclosure
from inquiries.models import DisclosureChannel, DisclosureRecord, LookupPurpose
from inquiries.scoping import ScopedResult, restrict_to_scopes
from inquiries.selectors import registry_record
from portal import metrics

# These agencies act on a case: every lookup names it.
CASE_REFERENCE_REQUIRED = frozenset({AgencyKind.JUDICIAL, AgencyKind.QUASI_JUDICIAL})
# Only a court may keep a lookup from the person for a while (DISCLOSURE_CONFIDENTIAL_DELAY_DAYS).
CONFIDENTIAL_ALLOWED = frozenset({AgencyKind.JUDICIAL})

# The purposes each kind of agency may state: what its mandate covers, and "other" with words.
# A fund or a relief body never states a judicial case, nor a court a fund's coordination.
PURPOSES_BY_KIND: dict[str, tuple[LookupPurpose, ...]] = {
    AgencyKind.JUDICIAL: (
        LookupPurpose.JUDICIAL_CASE,
        LookupPurpose.EMPLOYMENT_CHECK,
        LookupPurpose.OTHER,
    ),
    AgencyKind.QUASI_JUDICIAL: (
        LookupPurpose.JUDICIAL_CASE,
        LookupPurpose.EMPLOYMENT_CHECK,
        LookupPurpose.OTHER,
    ),
    AgencyKind.INSURANCE_FUND: (
        LookupPurpose.FUND_COORDINATION,
        LookupPurpose.EMPLOYMENT_CHECK,
        LookupPurpose.OTHER,
    ),
    AgencyKind.SUPPORT_RELIEF: (LookupPurpose.BENEFIT_ELIGIBILITY, LookupPurpose.OTHER),
    AgencyKind.PUBLIC_BODY: (
        LookupPurpose.EMPLOYMENT_CHECK,
        LookupPurpose.BENEFIT_ELIGIBILITY,
        LookupPurpose.OTHER,
    ),
}


def purposes_for(agency_kind: str) -> tuple[LookupPurpose, ...]:
    return PURPOSES_BY_KIND.get(agency_kind, (LookupPurpose.OTHER,))


class LookupRefused(ValueError):
    """The lookup's terms break a rule the form should have caught (a hand-made request)."""


@dataclass(frozen=True)
class Lookup:
    result: ScopedResult
    disclosure: DisclosureRecord
    answer_row: Model | None = None


def look_up_person(
    *,
    staff_member: User,
    mou: Mou,
    agency_kind: str,
    national_code: str,
    purpose: str,
    purpose_detail: str = "",
    case_reference: str = "",
    confidential: bool = False,
    client_ip: str | None = None,
    api_client_id: int | None = None,
    client_scopes: Collection[str] | None = None,
    answer_row: Callable[[ScopedResult], Model] | None = None,
) -> Lookup:
    """Look a person up for an agency, within its MoU's scopes, and record the disclosure.

    The answer is given only once its disclosure record is written: if the record cannot be
    written, the lookup fails. A national code with no record answers "no record", recorded too.
    `answer_row` makes a row of the caller's from the result (the API's kept answer), written
    with the record (`record_disclosure`'s `then`).
    """
    if purpose not in purposes_for(agency_kind):
        raise LookupRefused("this purpose does not fit the agency's kind")
    if agency_kind in CASE_REFERENCE_REQUIRED and not case_reference:
        raise LookupRefused("judicial and quasi-judicial lookups need a case reference")
    if confidential and (agency_kind not in CONFIDENTIAL_ALLOWED or not case_reference):
        raise LookupRefused("only a judicial lookup with a case reference may be confidential")
    record = registry_record(national_code)
    scopes = mou.scopes
    if client_scopes is not None:
        scopes = [scope for scope in mou.scopes if scope in client_scopes]
    result = restrict_to_scopes(record, scopes, national_code=national_code)
    disclosure = record_disclosure(
        national_code=national_code,
        staff_member=staff_member,
        mou=mou,
        channel=(
            DisclosureChannel.DIRECT_INQUIRY if api_client_id is None else DisclosureChannel.API
        ),
        api_client_id=api_client_id,
        scopes=result.scopes,
        record_found=result.found,
        purpose=purpose,
        purpose_detail=purpose_detail,
        case_reference=case_reference,
        confidential=confidential,
        client_ip=client_ip,
        then=(row := answer_row(result) if answer_row else None),
    )
    metrics.count_lookup(agency_id=mou.agency_id)
    return Lookup(result=result, disclosure=disclosure, answer_row=row)


DAILY_LIMIT_CLAIM_SECONDS = 2 * 24 * 3600


def notify_operators_of_daily_limit(*, agency_id: int, day: str, limit: int) -> bool:
    """Email the operators that an agency went past its daily lookup limit, once per agency and
    day (a second run, or a redelivered task, sends nothing)."""
    if not cache.add(f"gov-inquiry:limit-mailed:{agency_id}:{day}", 1, DAILY_LIMIT_CLAIM_SECONDS):
        return False
    agency = Agency.objects.get(pk=agency_id)
    context = {
        "agency": agency.name,
        "day": day,
        "limit": limit,
        "url": settings.SITE_URL
        + reverse("admin:inquiries_disclosurerecord_changelist")
        + f"?agency__id__exact={agency_id}",
    }
    operators = User.objects.filter(groups__name=Role.OPERATOR.value, is_active=True).exclude(
        email=""
    )
    for operator in operators:
        with translation.override(operator.language):
            send_mail(
                subject=_("%(agency)s went past its daily inquiry limit") % context,
                message=render_to_string("inquiries/emails/daily_limit_it.txt", context),
                from_email=None,
                recipient_list=[operator.email],
            )
    return True
