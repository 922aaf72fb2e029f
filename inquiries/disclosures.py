"""The disclosure log: writing records into the hash chain, and checking the chain.

Each record's hash is SHA-256 over a canonical JSON of its content and the previous record's
hash. Editing a record changes its content but not its stored hash; deleting one leaves the next
record pointing at a hash that is no longer there. `verify_chain` finds both.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Mou
from inquiries.models import DisclosureChainHead, DisclosureChannel, DisclosureRecord

GENESIS_HASH = "0" * 64


def content_hash(record: DisclosureRecord) -> str:
    content = {
        "national_code": record.national_code,
        "agency": record.agency_id,
        "staff_member": record.staff_member_id,
        "mou": record.mou_id,
        "channel": record.channel,
        "scopes": sorted(record.scopes),
        "record_found": record.record_found,
        "purpose": record.purpose,
        "purpose_detail": record.purpose_detail,
        "case_reference": record.case_reference,
        "confidential": record.confidential,
        "client_ip": record.client_ip,
        "created_at": record.created_at.astimezone(datetime.UTC).isoformat(),
        "previous_hash": record.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# No savepoint: a disclosure that fails must take the caller's whole transaction (the lookup it
# records) down with it, and a savepoint would cost two more round trips on every lookup.
@transaction.atomic(savepoint=False)
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
) -> DisclosureRecord:
    """Append one disclosure to the chain, in the caller's transaction.

    The chain head is locked until the caller commits, so concurrent disclosures queue here
    and each links to the one before it. The lock is taken as late as possible: after the
    caller's reads, just before the two writes.
    """
    previous_hash = _lock_chain_head()
    record = DisclosureRecord(
        national_code=national_code,
        agency_id=mou.agency_id,
        staff_member=staff_member,
        mou=mou,
        channel=channel,
        scopes=sorted(scopes),
        record_found=record_found,
        purpose=purpose,
        purpose_detail=purpose_detail,
        case_reference=case_reference,
        confidential=confidential,
        client_ip=client_ip,
        created_at=timezone.now(),
        previous_hash=previous_hash,
    )
    record.record_hash = content_hash(record)
    record.save()
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE_HEAD, [record.record_hash])
    return record


# Fixed statements on every lookup: plain SQL spares the ORM's query building (the table name
# comes from the model, nothing from input).
_HEAD_TABLE = DisclosureChainHead._meta.db_table
_READ_HEAD = f"SELECT last_hash FROM {_HEAD_TABLE} WHERE id = 1"  # noqa: S608
_UPDATE_HEAD = f"UPDATE {_HEAD_TABLE} SET last_hash = %s WHERE id = 1"  # noqa: S608


def _lock_chain_head() -> str:
    """Lock the chain head until the transaction ends; the newest record's hash.

    SQLite (the embedded development database) has no row locks: it lets one writer at a time
    into the whole database, which serialises the chain just as well.
    """
    lock = _READ_HEAD + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with connection.cursor() as cursor:
        cursor.execute(lock)
        row = cursor.fetchone()
        if row is None:  # the very first disclosure: make the head, then lock it like any other
            DisclosureChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS_HASH})
            cursor.execute(lock)
            row = cursor.fetchone()
    return row[0]


@dataclass(frozen=True)
class ChainBreak:
    record_id: int
    problem: str


def verify_chain(*, batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Walk the chain oldest first; return how many records were checked and the first break."""
    previous = GENESIS_HASH
    checked = 0
    records = DisclosureRecord.objects.order_by("pk").iterator(chunk_size=batch_size)
    for record in records:
        if record.previous_hash != previous:
            return checked, ChainBreak(
                record.pk,
                "its previous hash is not the hash of the record before it (deleted or changed)",
            )
        if content_hash(record) != record.record_hash:
            return checked, ChainBreak(
                record.pk, "its content does not match its hash (it was edited)"
            )
        previous = record.record_hash
        checked += 1
    head = DisclosureChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        return checked, ChainBreak(
            0, "the newest record is missing (deleted after the last one checked)"
        )
    return checked, None
