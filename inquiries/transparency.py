"""The transparency log of disclosures: the sequencer that seals records into an RFC 9162 tree,
signed checkpoints, proofs, the archive and witnesses, and the audit of it all.

Leaf order: records get leaf indexes in id order, but only ids no open transaction can still
undercut. Writers hold a shared advisory lock until they commit (`record_disclosure`); the
sequencer takes it exclusively for one statement to read the highest committed id: every
transaction that could commit a lower id has then finished (docs/adr/0009).
"""

import base64
import datetime
import logging
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone

from inquiries import merkle
from inquiries.disclosures import SEQUENCER_LOCK, WRITERS_LOCK, canonical_record
from inquiries.models import Checkpoint, DisclosureRecord, LogLeaf, LogNode, Witness
from inquiries.notes import CheckpointBody, NoteError, SignerKey, VerifierKey, open_checkpoint

logger = logging.getLogger(__name__)
T = TypeVar("T")
# The public checkpoint's cache entry (inquiries.transparency_views); a new checkpoint drops it.
CHECKPOINT_CACHE_KEY = "transparency:checkpoint"


# --- Keys ----------------------------------------------------------------------------------------


def signing_key() -> SignerKey:
    path = Path(settings.TRANSPARENCY_SIGNING_KEY_FILE)
    try:
        return SignerKey.parse(path.read_text(encoding="utf-8"))
    except (OSError, NoteError) as error:
        raise ImproperlyConfigured(
            f"TRANSPARENCY_SIGNING_KEY_FILE ({path}) holds no signer key: {error}. "
            "`python manage.py transparency_keygen` makes one."
        ) from error


def verifier_keys() -> list[VerifierKey]:
    """The current key first, then the retired ones (TRANSPARENCY_OLD_VERIFIER_KEYS), so
    checkpoints signed before a rotation still verify."""
    keys = [VerifierKey.parse(text) for text in settings.TRANSPARENCY_OLD_VERIFIER_KEYS]
    try:
        keys.insert(0, signing_key().verifier)
    except ImproperlyConfigured:
        if not keys:
            raise
    return keys


# --- Reading the stored tree ---------------------------------------------------------------------


def tree_size() -> int:
    last = LogLeaf.objects.order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def _stored_node(level: int, index: int) -> bytes:
    if level == 0:
        return bytes(LogLeaf.objects.values_list("hash", flat=True).get(index=index))
    return bytes(
        LogNode.objects.values_list("hash", flat=True).get(key=LogNode.key_of(level, index))
    )


def with_stored_nodes(compute: Callable[[merkle.NodeSource], T]) -> T:
    """Run a root or proof computation on the stored nodes, fetched in (at most) two queries."""
    wanted = merkle.nodes_needed(compute)
    leaves = [index for level, index in wanted if level == 0]
    keys = [LogNode.key_of(level, index) for level, index in wanted if level]
    found: dict[tuple[int, int], bytes] = {
        (0, index): bytes(value)
        for index, value in LogLeaf.objects.filter(index__in=leaves).values_list("index", "hash")
    }
    for key, value in LogNode.objects.filter(key__in=keys).values_list("key", "hash"):
        found[LogNode.split_key(key)] = bytes(value)
    return compute(lambda level, index: found[(level, index)])


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()


# --- The sequencer -------------------------------------------------------------------------------


def sealable_up_to() -> int:
    """The highest record id below which no open transaction can still commit a record.

    SQLite lets one writer in at a time, and ids there follow commit order.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers hold the lock shared from before their INSERT to their COMMIT; waiting for
            # it exclusively waits for them. New writers wait for this one statement only.
            cursor.execute("SET LOCAL lock_timeout = '5s'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITERS_LOCK])
        cursor.execute(f"SELECT max(id) FROM {DisclosureRecord._meta.db_table}")  # noqa: S608
        row = cursor.fetchone()
    return row[0] or 0


def _lock_sequencer() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCER_LOCK])


@transaction.atomic
def _seal_batch(*, up_to: int, batch_size: int) -> int:
    """Give the next committed records (id order, ids up to `up_to`) their leaves and complete
    the subtrees they fill. One transaction: a batch is sealed whole or not at all."""
    _lock_sequencer()
    last = LogLeaf.objects.order_by("-index").values_list("index", "record_id").first()
    size, last_id = (0, 0) if last is None else (last[0] + 1, last[1])
    records = list(
        DisclosureRecord.objects.filter(pk__gt=last_id, pk__lte=up_to).order_by("pk")[:batch_size]
    )
    if not records:
        return 0
    hashes = [merkle.leaf_hash(canonical_record(record).encode()) for record in records]
    _insert(
        LogLeaf,
        ["index", "record_id", "hash"],
        [
            (size + offset, record.pk, value)
            for offset, (record, value) in enumerate(zip(records, hashes, strict=True))
        ],
    )
    nodes = merkle.complete_nodes(hashes, start=size, stored=_stored_node)
    _insert(
        LogNode,
        ["key", "hash"],
        [(LogNode.key_of(level, index), value) for (level, index), value in nodes.items()],
    )
    return len(records)


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """Append rows; COPY on PostgreSQL, where building INSERTs cost most of a seal's time."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows]
        )
        return
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    statement = f"COPY {model._meta.db_table} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


@transaction.atomic
def _write_checkpoint(*, now: datetime.datetime) -> Checkpoint | None:
    """Sign the tree as it stands, if it grew since the last checkpoint."""
    _lock_sequencer()
    size = tree_size()
    latest = latest_checkpoint()
    if size == 0 or (latest is not None and latest.tree_size >= size):
        return None
    root = with_stored_nodes(lambda node: merkle.root_hash(node, size))
    signer = signing_key()
    note = signer.sign(CheckpointBody(origin=signer.name, size=size, root=root, time=now).text())
    return Checkpoint.objects.create(tree_size=size, root_hash=root, created_at=now, note=note)


@dataclass
class SealResult:
    sealed: int = 0
    checkpoint: Checkpoint | None = None
    witnesses: dict[str, str] = field(default_factory=dict)


def seal(*, batch_size: int = 10_000) -> SealResult:
    """The sequencer's run (a beat task every TRANSPARENCY_SEAL_SECONDS): seal what committed,
    sign a checkpoint, archive it, hand it to the witnesses. Safe to run twice or at once: the
    sequencer lock and the leaf's primary key let one run seal each record."""
    signing_key()  # no key, no sealing: fail before writing leaves nobody can sign
    result = SealResult()
    up_to = sealable_up_to()
    while sealed := _seal_batch(up_to=up_to, batch_size=batch_size):
        result.sealed += sealed
    result.checkpoint = _write_checkpoint(now=timezone.now())
    if result.checkpoint is not None:
        cache.delete(CHECKPOINT_CACHE_KEY)
    latest = result.checkpoint or latest_checkpoint()
    if latest is not None:
        archive(latest)
        result.witnesses = send_to_witnesses(latest)
    return result


# --- Outside the database: the archive and the witnesses -----------------------------------------


def archive_path(checkpoint: Checkpoint) -> Path:
    return Path(settings.TRANSPARENCY_ARCHIVE_DIR) / f"checkpoint-{checkpoint.tree_size:012d}"


def archive(checkpoint: Checkpoint) -> Path:
    """Write the checkpoint to its own file in TRANSPARENCY_ARCHIVE_DIR, once (atomically)."""
    path = archive_path(checkpoint)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, prefix=".tmp-"
    ) as temporary:
        temporary.write(checkpoint.note)
    os.replace(temporary.name, path)
    return path


def newest_archived() -> Path | None:
    directory = Path(settings.TRANSPARENCY_ARCHIVE_DIR)
    if not directory.is_dir():
        return None
    files = sorted(directory.glob("checkpoint-*"))
    return files[-1] if files else None


def _post(url: str, body: str) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 (the operator's own witness URLs)
        url, data=body.encode(), method="POST", headers={"Content-Type": "text/plain"}
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.TRANSPARENCY_WITNESS_TIMEOUT
        ) as response:
            return response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(65536).decode("utf-8", "replace")


def send_to_witnesses(checkpoint: Checkpoint) -> dict[str, str]:
    """POST the checkpoint with a consistency proof from what each witness last cosigned
    (c2sp.org/tlog-witness `add-checkpoint`). A witness that is down or refuses is noted and
    tried again on the next run; sealing never waits for it."""
    outcome: dict[str, str] = {}
    for url in settings.TRANSPARENCY_WITNESS_URLS:
        witness, _ = Witness.objects.get_or_create(url=url)
        if witness.tree_size >= checkpoint.tree_size:
            outcome[url] = "up to date"
            continue
        outcome[url] = _add_checkpoint(witness, checkpoint)
    return outcome


def _add_checkpoint(
    witness: Witness, checkpoint: Checkpoint, *, retry_conflict: bool = True
) -> str:
    old = witness.tree_size
    proof = with_stored_nodes(
        lambda node: merkle.consistency_proof(node, old, checkpoint.tree_size)
    )
    lines = [f"old {old}", *(base64.b64encode(value).decode() for value in proof)]
    body = "\n".join(lines) + "\n\n" + checkpoint.note
    try:
        status, answer = _post(witness.url.rstrip("/") + "/add-checkpoint", body)
    except (OSError, ValueError) as error:
        status, answer = 0, str(error)
    witness.updated_at = timezone.now()
    if status == 200:
        witness.tree_size, witness.cosignature, witness.last_error = (
            checkpoint.tree_size,
            answer[:10_000],
            "",
        )
        witness.save()
        return "cosigned"
    if status == 409 and retry_conflict and answer.strip().isdigit():
        known = int(answer.strip())
        if known <= checkpoint.tree_size:
            witness.tree_size = known
            return _add_checkpoint(witness, checkpoint, retry_conflict=False)
    witness.last_error = f"{status or 'unreachable'}: {answer}"[:500]
    witness.save()
    logger.warning(
        "witness %s did not cosign checkpoint %s: %s",
        witness.url,
        checkpoint.tree_size,
        witness.last_error,
    )
    return "failed"


# --- Proofs --------------------------------------------------------------------------------------


class ProofUnavailable(ValueError):
    """The sizes or index asked for are outside the published log."""


def _published_size() -> int:
    latest = latest_checkpoint()
    return 0 if latest is None else latest.tree_size


def inclusion(index: int, size: int) -> list[bytes]:
    if not 0 <= index < size <= _published_size():
        raise ProofUnavailable
    return with_stored_nodes(lambda node: merkle.inclusion_proof(node, index, size))


def consistency(old: int, new: int) -> list[bytes]:
    if not 0 <= old <= new <= _published_size():
        raise ProofUnavailable
    return with_stored_nodes(lambda node: merkle.consistency_proof(node, old, new))


def record_proof(record: DisclosureRecord) -> dict | None:
    """What the person needs to check that their disclosure is in the published log: the leaf,
    the latest checkpoint and the inclusion proof between them; None until it is sealed."""
    leaf = LogLeaf.objects.filter(record_id=record.pk).first()
    checkpoint = latest_checkpoint()
    if leaf is None or checkpoint is None or checkpoint.tree_size <= leaf.index:
        return None
    b64 = lambda value: base64.b64encode(value).decode()  # noqa: E731
    return {
        "leaf_index": leaf.index,
        "leaf": canonical_record(record),
        "leaf_hash": b64(bytes(leaf.hash)),
        "tree_size": checkpoint.tree_size,
        "inclusion_proof": [b64(value) for value in inclusion(leaf.index, checkpoint.tree_size)],
        "checkpoint": checkpoint.note,
        "verifier_keys": [str(key) for key in verifier_keys()],
        "how_to_verify": (
            "leaf_hash = SHA-256(0x00 || UTF-8 of leaf); check the RFC 9162 inclusion proof of "
            "leaf_hash at leaf_index against the root in the checkpoint, and the checkpoint's "
            "Ed25519 signature (c2sp.org/signed-note) with a verifier key."
        ),
    }


# --- The audit -----------------------------------------------------------------------------------


@dataclass
class Audit:
    records: int = 0
    leaves: int = 0
    checkpoints: int = 0
    outside: int = 0
    awaiting: int = 0
    problems: list[str] = field(default_factory=list)


def _leaves_with_records(
    chunk: int = 5000,
) -> Iterator[tuple[int, int, bytes, DisclosureRecord | None]]:
    rows = LogLeaf.objects.order_by("index").values_list("index", "record_id", "hash")
    batch: list[tuple[int, int, bytes]] = []
    for row in rows.iterator(chunk_size=chunk):
        batch.append((row[0], row[1], bytes(row[2])))
        if len(batch) == chunk:
            yield from _join_records(batch)
            batch = []
    yield from _join_records(batch)


def _join_records(
    batch: list[tuple[int, int, bytes]],
) -> Iterator[tuple[int, int, bytes, DisclosureRecord | None]]:
    records = DisclosureRecord.objects.in_bulk([record_id for _, record_id, _ in batch])
    for index, record_id, stored in batch:
        yield index, record_id, stored, records.get(record_id)


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every complete subtree's hash, level by level, from the leaves."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append(
            [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        )
    return levels


def audit(*, outside: list[tuple[str, str]] = ()) -> Audit:  # type: ignore[assignment]
    """Recompute the tree from the records and check everything stored or kept outside against
    it. `outside` holds (where it came from, checkpoint note) pairs. Each problem names what is
    wrong."""
    report = Audit()
    problems = report.problems
    leaves: list[bytes] = []
    last_record_id = 0
    for index, record_id, stored, record in _leaves_with_records():
        if index != len(leaves):
            problems.append(
                f"leaves {len(leaves)} to {index - 1} are missing: sealed disclosures were deleted"
            )
            leaves.extend([merkle.EMPTY_ROOT] * (index - len(leaves)))
        if record is None:
            problems.append(
                f"disclosure record {record_id} (leaf {index}) has been deleted from the database"
            )
            leaves.append(stored)
        else:
            recomputed = merkle.leaf_hash(canonical_record(record).encode())
            if recomputed != stored:
                problems.append(
                    f"disclosure record {record_id} (leaf {index}) was changed after it was sealed"
                )
            leaves.append(recomputed)
        last_record_id = max(last_record_id, record_id)
    report.leaves = len(leaves)
    report.records = DisclosureRecord.objects.count()
    unsealed_below = DisclosureRecord.objects.filter(pk__lt=last_record_id, leaf__isnull=True)
    for record_id in unsealed_below.values_list("pk", flat=True)[:20]:
        problems.append(
            f"disclosure record {record_id} is not in the log although later ones are: "
            "it was inserted with an old id"
        )
    report.awaiting = DisclosureRecord.objects.filter(pk__gt=last_record_id).count()

    levels = _levels(leaves)

    def computed(level: int, index: int) -> bytes:
        return levels[level][index]

    wrong_nodes = []
    for key, value in LogNode.objects.values_list("key", "hash").iterator(chunk_size=20_000):
        level, index = LogNode.split_key(key)
        if (
            level >= len(levels)
            or index >= len(levels[level])
            or levels[level][index] != bytes(value)
        ):
            wrong_nodes.append((level, index))
    if wrong_nodes:
        level, index = wrong_nodes[0]
        problems.append(
            f"{len(wrong_nodes)} stored tree nodes do not match the records (first: level "
            f"{level}, index {index}): the tree was rewritten"
        )

    keys = verifier_keys()

    def check(where: str, note: str) -> None:
        try:
            body, _ = open_checkpoint(note, keys)
        except NoteError as error:
            problems.append(f"{where}: its signature does not verify with a known key ({error})")
            return
        if body.size > len(leaves):
            problems.append(
                f"{where} covers {body.size} disclosures but the log has {len(leaves)}: "
                "sealed disclosures were removed"
            )
        elif merkle.root_hash(computed, body.size) != body.root:
            problems.append(
                f"{where}: the log is not an extension of it: a disclosure among its first "
                f"{body.size} was changed, removed or reordered"
            )

    for checkpoint in Checkpoint.objects.order_by("tree_size"):
        report.checkpoints += 1
        where = f"stored checkpoint of size {checkpoint.tree_size}"
        check(where, checkpoint.note)
        if not checkpoint.note.startswith(
            CheckpointBody(
                origin=checkpoint.note.split("\n", 1)[0],
                size=checkpoint.tree_size,
                root=bytes(checkpoint.root_hash),
            ).text()
        ):
            problems.append(f"{where}: its size or root differs from its signed note")
    for where, note in outside:
        report.outside += 1
        check(f"checkpoint from {where}", note)
    return report
