"""Writing disclosure records, and what a record is as a leaf of the transparency log.

A lookup or redemption only INSERTs its record, in its own transaction: nothing shared is
locked for long, so disclosures do not queue behind each other. The sequencer
(`inquiries.transparency.seal`) later gives committed records their leaf indexes, in id order.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from agencies.models import Mou
from inquiries.models import DisclosureChannel, DisclosureRecord
from portal.rows import insert_instance, insert_locked

# PostgreSQL advisory lock keys. Writers hold WRITERS shared until they commit; the sequencer
# takes it exclusively for a moment to learn the highest id no open transaction can undercut
# (`inquiries.transparency.sealable_up_to`).
WRITERS_LOCK = 0x6469_7363_6C6F_7365  # "disclose"
SEQUENCER_LOCK = 0x6469_7363_7365_616C  # "discseal"


def record_disclosure(
    *,
    national_code: str,
    staff_member: User,
    mou: Mou,
    channel: DisclosureChannel,
    scopes: Iterable[str],
    record_found: bool,
    purpose: str,
    purpose_detail: str = "",
    case_reference: str = "",
    confidential: bool = False,
    client_ip: str | None = None,
    api_client_id: int | None = None,
    then: Model | None = None,
) -> DisclosureRecord:
    """Write one disclosure record, in the caller's transaction if there is one; the sequencer
    seals it later. `then`, a row of the caller's with a `disclosure` foreign key (the API's
    answer), is written with it and pointing at it: the two stand or fall together.

    On PostgreSQL the writers' lock, the record and `then` are one statement: shared, so writers
    never wait for each other, only (for a moment) for the sequencer.
    """
    record = DisclosureRecord(
        national_code=national_code,
        agency_id=mou.agency_id,
        staff_member=staff_member,
        mou=mou,
        channel=channel,
        api_client_id=api_client_id,
        scopes=sorted(scopes),
        record_found=record_found,
        purpose=purpose,
        purpose_detail=purpose_detail,
        case_reference=case_reference,
        confidential=confidential,
        client_ip=client_ip,
        created_at=timezone.now(),
    )
    if connection.vendor == "postgresql":
        insert_locked(record, lock=WRITERS_LOCK, then=then, link="disclosure")
        return record
    # No savepoint: a disclosure that fails takes the caller's whole transaction down with it.
    with transaction.atomic(savepoint=False):
        insert_instance(record)
        if then is not None:
            setattr(then, "disclosure", record)  # noqa: B010 (any model with that foreign key)
            insert_instance(then)
    return record


def _canonical(content: dict) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_record(record: DisclosureRecord) -> str:
    """The leaf's content: what the person may see in clear (the agency's system too, for an API
    record), and a salted hash of what only the
    agency and the organization see (staff member, client address, case reference), so the
    person can check their own leaf without learning those."""
    internal = _canonical(
        {
            "salt": record.salt,
            "staff_member": record.staff_member_id,
            "client_ip": record.client_ip,
            "case_reference": record.case_reference,
        }
    )
    content = {
        "v": 1,
        "id": record.pk,
        "national_code": record.national_code,
        "agency": record.agency_id,
        "mou": record.mou_id,
        "channel": record.channel,
        "scopes": sorted(record.scopes),
        "record_found": record.record_found,
        "purpose": record.purpose,
        "purpose_detail": record.purpose_detail,
        "confidential": record.confidential,
        "created_at": record.created_at.astimezone(datetime.UTC).isoformat(),
        "salt": record.salt,
        "internal": hashlib.sha256(internal.encode()).hexdigest(),
    }
    if record.api_client_id is not None:
        # Only API records carry the key, so every leaf sealed before the API keeps its hash.
        content["api_client"] = record.api_client_id
    return _canonical(content)
