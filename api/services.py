"""The API's actions: an inquiry and a certificate redemption for a client, each answered once
per idempotency key. The work itself is the panel's: `inquiries.services.look_up_person` and
`documents.redemptions.redeem_access_code`, called for the client's responsible staff member.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.answers import inquiry_result, redemption_result
from api.models import AnswerKind, ApiAnswer
from api.problems import Problem
from api.tokens import Caller
from documents import redemptions
from documents.gov_views import refusal_message
from inquiries import limits
from inquiries.limits import LimitKind
from inquiries.scoping import ScopedResult
from inquiries.services import Lookup, LookupRefused, look_up_person
from portal.rows import insert_instance

SECONDS_PER_DAY = 24 * 3600


@dataclass(frozen=True)
class Answered:
    answer: ApiAnswer
    replayed: bool


def request_digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _answer_once(
    *,
    caller: Caller,
    kind: AnswerKind,
    key: str | None,
    payload: dict[str, Any],
    work: Callable[[], tuple[int, dict[str, Any], int | None]],
) -> Answered:
    """Run `work` and keep its answer, in the work's transaction, unless this key was answered
    before.

    With a key, its row is inserted before the work: a concurrent request with the same key
    blocks on the unique index until the first one ends; if that committed, the insert fails
    and the stored answer is returned; if it rolled back, this one does the work. Without a key
    nothing can collide, and the answer is one INSERT after the work.
    """
    digest = request_digest(payload)
    with transaction.atomic():
        if key is None:
            status_code, body, disclosure_id = work()
            answer = _new_answer(caller, kind, digest)
            answer.status_code, answer.body, answer.disclosure_id = status_code, body, disclosure_id
            insert_instance(answer)
            return Answered(answer=answer, replayed=False)
        answer = _new_answer(caller, kind, digest, key=key)
        try:
            with transaction.atomic():
                answer.save()
        except IntegrityError:
            earlier = ApiAnswer.objects.get(client=caller.client, kind=kind, idempotency_key=key)
            if earlier.request_digest != digest:
                raise Problem(
                    "idempotency-key-reused",
                    _("This idempotency key was used for a different request."),
                ) from None
            return Answered(answer=earlier, replayed=True)
        answer.status_code, answer.body, answer.disclosure_id = work()
        answer.save(update_fields=["status_code", "body", "disclosure"])
    return Answered(answer=answer, replayed=False)


def _new_answer(caller: Caller, kind: AnswerKind, digest: str, key: str | None = None) -> ApiAnswer:
    return ApiAnswer(
        client=caller.client,
        kind=kind,
        idempotency_key=key,
        request_digest=digest,
        created_at=timezone.now(),
    )


def _seconds_to_retry(kind: LimitKind) -> int:
    now = timezone.localtime()
    if kind == LimitKind.PER_MINUTE:
        return 60 - now.second
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0)
    return max(int((midnight - now).total_seconds()), 1)


def make_inquiry(
    *,
    caller: Caller,
    fields: dict[str, Any],
    key: str | None,
    client_ip: str,
) -> Answered:
    """Look a person up for the client (fields already validated by the panel's form)."""
    client = caller.client
    # A retry whose key was answered gets that answer back (below) and is not counted again.
    answered_before = (
        key is not None
        and ApiAnswer.objects.filter(
            client=client, kind=AnswerKind.INQUIRY, idempotency_key=key
        ).exists()
    )
    exceeded = (
        None
        if answered_before
        else limits.count_lookup(
            staff_member_id=client.responsible_id,
            mou=client.mou,
            api_client_id=client.pk,
            also_count=[caller.tally.calls_counter()],
        )
    )
    if exceeded is not None:
        raise Problem(
            "rate-limited",
            _("The inquiry limit (%(limit)s per %(period)s) is reached.")
            % {
                "limit": exceeded.limit,
                "period": _("minute") if exceeded.kind == LimitKind.PER_MINUTE else _("day"),
            },
            headers={"Retry-After": str(_seconds_to_retry(exceeded.kind))},
            extra={"limit": exceeded.kind.value},
        )

    def look_up(answer_row: Callable[[ScopedResult], ApiAnswer] | None = None) -> Lookup:
        try:
            return look_up_person(
                staff_member=client.responsible,
                mou=client.mou,
                agency_kind=client.agency.kind,
                client_ip=client_ip,
                api_client_id=client.pk,
                client_scopes=client.scopes,
                answer_row=answer_row,
                **fields,
            )
        except LookupRefused as refused:
            raise Problem("lookup-refused", str(refused)) from None

    if key is None:
        # Nothing to collide with: the answer is written with its disclosure record, in the
        # same statement (its id and time are the row's: ApiAnswer.document).
        def answer_row(result: ScopedResult) -> ApiAnswer:
            answer = _new_answer(caller, AnswerKind.INQUIRY, request_digest(fields))
            answer.status_code, answer.body = 200, {"result": inquiry_result(result)}
            return answer

        answer = cast(ApiAnswer, look_up(answer_row).answer_row)
        return Answered(answer=answer, replayed=False)

    def work() -> tuple[int, dict[str, Any], int | None]:
        lookup = look_up()
        return 200, {"result": inquiry_result(lookup.result)}, lookup.disclosure.pk

    return _answer_once(caller=caller, kind=AnswerKind.INQUIRY, key=key, payload=fields, work=work)


def redeem_certificate(
    *,
    caller: Caller,
    national_code: str,
    access_code: str,
    key: str | None,
    client_ip: str,
    pdf_url: Callable[[int], str],
) -> Answered:
    """Open a holder's certificate with its access code, for the client. A refusal is an answer
    too (kept under the key, so a retry does not spend another attempt)."""
    client = caller.client

    def work() -> tuple[int, dict[str, Any], int | None]:
        try:
            redemption = redemptions.redeem_access_code(
                staff_member=client.responsible,
                mou=client.mou,
                national_code=national_code,
                code=access_code,
                client_ip=client_ip,
                api_client_id=client.pk,
            )
        except redemptions.RedemptionThrottled as throttled:
            raise Problem(
                "rate-limited",
                _("Too many failed attempts; try again later."),
                headers={"Retry-After": str(throttled.retry_after)},
                extra={"limit": throttled.limit.value},
            ) from None
        except redemptions.RedemptionRefused:
            refusal = Problem("document-refused", refusal_message())
            return refusal.status, refusal.document(), None
        return (
            200,
            redemption_result(redemption, pdf_url=pdf_url(redemption.pk)),
            (redemption.disclosure_id),
        )

    payload = {
        "national_code": national_code,
        "access_code_digest": request_digest({"c": access_code}),
    }
    return _answer_once(
        caller=caller, kind=AnswerKind.REDEMPTION, key=key, payload=payload, work=work
    )


def past_inquiry(*, caller: Caller, answer_id: int) -> ApiAnswer:
    """One of this client's own inquiry answers, while kept; any other id is not found."""
    kept_since = timezone.now() - datetime.timedelta(hours=settings.API_ANSWER_KEEP_HOURS)
    answer = ApiAnswer.objects.filter(
        pk=answer_id,
        client=caller.client,
        kind=AnswerKind.INQUIRY,
        created_at__gte=kept_since,
    ).first()
    if answer is None:
        raise Problem("not-found", _("No inquiry of this client has this id."))
    return answer
