"""The transparency log from outside: proofs checked by a small implementation of RFC 9162 of
this test's own, the public endpoints, key rotation, witnesses, the person's proof download."""

import base64
import hashlib
import http.server
import json
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import AgencyKind
from inquiries import transparency
from inquiries.disclosures import canonical_record, record_disclosure
from inquiries.models import Checkpoint, DisclosureChannel, DisclosureRecord, Witness
from inquiries.notes import SignerKey
from tests.agencies.factories import MouFactory
from tests.inquiries.conftest import lookup_data
from tests.transparency_log import fresh_log

pytestmark = pytest.mark.django_db


# --- An independent RFC 9162 implementation, straight from the definitions --------------------


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return sha(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = split(n)
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = split(n)
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def root_from_path(leaf_hash: bytes, m: int, n: int, hashes: list[bytes]) -> bytes:
    """Walk PATH's definition backwards: the root a leaf and its audit path imply."""
    if n == 1:
        assert hashes == []
        return leaf_hash
    *inner, outer = hashes
    k = split(n)
    if m < k:
        return sha(b"\x01" + root_from_path(leaf_hash, m, k, inner) + outer)
    return sha(b"\x01" + outer + root_from_path(leaf_hash, m - k, n - k, inner))


def open_note(note: str, vkey: str) -> list[str]:
    """Check a signed note by hand (c2sp.org/signed-note); its text lines."""
    name, key_id, encoded = vkey.split("+", 2)
    public = base64.b64decode(encoded)
    assert public[0] == 1
    text, _, signatures = note.rpartition("\n\n")
    for line in signatures.splitlines():
        signer, signature = line.removeprefix("— ").split(" ")
        raw = base64.b64decode(signature)
        if signer == name and raw[:4].hex() == key_id:
            Ed25519PublicKey.from_public_bytes(public[1:]).verify(raw[4:], (text + "\n").encode())
            return text.split("\n")
    raise AssertionError("not signed by that key")


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def mou(committee_reviewer):
    return MouFactory.create(recorded_by=committee_reviewer)


@pytest.fixture
def log_key(settings, tmp_path):
    return fresh_log(settings, tmp_path)


def disclose(mou, staff, national_code="0010000011"):
    return record_disclosure(
        national_code=national_code,
        staff_member=staff,
        mou=mou,
        channel=DisclosureChannel.DIRECT_INQUIRY,
        scopes=["coverage_flag"],
        record_found=True,
        purpose="judicial_case",
        case_reference="1404-77",
        client_ip="192.0.2.9",
    )


def leaf_data() -> list[bytes]:
    return [canonical_record(r).encode() for r in DisclosureRecord.objects.order_by("pk")]


# --- Proofs ------------------------------------------------------------------------------------


def test_roots_and_proofs_match_the_definitions_at_every_size(mou, agency_staff, log_key, client):
    sizes = []
    for batch in [1, 2, 1, 4, 5, 3, 1]:  # checkpoints at 1, 3, 4, 8, 13, 16, 17
        for _ in range(batch):
            disclose(mou, agency_staff)
        transparency.seal()
        sizes.append(Checkpoint.objects.order_by("-tree_size")[0].tree_size)
    data = leaf_data()
    vkey = client.get("/transparency/key").content.decode().splitlines()[0]
    for checkpoint in Checkpoint.objects.all():
        lines = open_note(checkpoint.note, vkey)
        assert base64.b64decode(lines[2]) == mth(data[: checkpoint.tree_size])
    for size in sizes:
        for index in range(size):
            answer = client.get(f"/transparency/proof/inclusion?index={index}&size={size}").json()
            hashes = [base64.b64decode(h) for h in answer["hashes"]]
            assert hashes == path(index, data[:size])
            assert root_from_path(sha(b"\x00" + data[index]), index, size, hashes) == mth(
                data[:size]
            )
        for old in range(size + 1):
            answer = client.get(f"/transparency/proof/consistency?old={old}&new={size}").json()
            hashes = [base64.b64decode(h) for h in answer["hashes"]]
            assert hashes == (subproof(old, data[:size], True) if 0 < old < size else [])


# --- The public endpoints ----------------------------------------------------------------------


def test_the_endpoints_are_public_cached_and_hold_no_record_content(
    mou, agency_staff, log_key, client
):
    for _ in range(3):
        disclose(mou, agency_staff)
    transparency.seal()
    record = DisclosureRecord.objects.order_by("pk")[0]
    urls = [
        "/transparency/checkpoint",
        "/transparency/key",
        "/transparency/proof/inclusion?index=1&size=3",
        "/transparency/proof/consistency?old=1&new=3",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
        body = response.content.decode()
        for secret in [record.national_code, "1404-77", "192.0.2.9", record.salt, "judicial"]:
            assert secret not in body, (url, secret)
    # A second asking is answered from the cache, without the database.
    with CaptureQueriesContext(connection) as queries:
        for url in [urls[0], urls[2], urls[3]]:
            assert client.get(url).status_code == 200
    assert [q["sql"] for q in queries if "inquiries_" in q["sql"]] == []


def test_the_checkpoint_endpoint_follows_a_new_checkpoint(mou, agency_staff, log_key, client):
    assert client.get("/transparency/checkpoint").status_code == 404
    disclose(mou, agency_staff)
    transparency.seal()
    assert client.get("/transparency/checkpoint").content.decode().split("\n")[1] == "1"
    disclose(mou, agency_staff)
    transparency.seal()
    assert client.get("/transparency/checkpoint").content.decode().split("\n")[1] == "2"


@pytest.mark.parametrize(
    "query",
    [
        "index=x&size=2",
        "index=-1&size=2",
        "index=1",
        "index=۱&size=2",
        "index=1&size=99999999999999999999",
    ],
)
def test_a_bad_proof_request_is_a_400_in_the_users_language(
    mou, agency_staff, log_key, client, query
):
    disclose(mou, agency_staff)
    transparency.seal()
    response = client.get(f"/transparency/proof/inclusion?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "whole numbers" in response.json()["error"]
    response = client.get(f"/transparency/proof/inclusion?{query}", HTTP_ACCEPT_LANGUAGE="fa")
    assert "عدد" in response.json()["error"]


def test_a_proof_beyond_the_published_log_is_a_404(mou, agency_staff, log_key, client):
    disclose(mou, agency_staff)
    transparency.seal()
    disclose(mou, agency_staff)  # not sealed yet
    assert client.get("/transparency/proof/inclusion?index=1&size=2").status_code == 404
    assert client.get("/transparency/proof/inclusion?index=1&size=1").status_code == 404
    assert client.get("/transparency/proof/consistency?old=2&new=1").status_code == 404


# --- Key rotation ------------------------------------------------------------------------------


def test_after_a_key_rotation_old_checkpoints_still_verify(
    mou, agency_staff, log_key, settings, tmp_path, client, capsys
):
    disclose(mou, agency_staff)
    transparency.seal()
    kept = tmp_path / "kept-before-rotation"
    kept.write_text(Checkpoint.objects.get().note, encoding="utf-8")
    new_key = SignerKey.generate(log_key.name)
    key_file = tmp_path / "rotated.key"
    key_file.write_text(str(new_key), encoding="utf-8")
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(key_file)
    settings.TRANSPARENCY_OLD_VERIFIER_KEYS = [str(log_key.verifier)]
    disclose(mou, agency_staff)
    transparency.seal()
    keys = client.get("/transparency/key").content.decode().splitlines()
    assert keys == [str(new_key.verifier), str(log_key.verifier)]
    newest = Checkpoint.objects.order_by("-tree_size")[0]
    assert open_note(newest.note, keys[0])[1] == "2"
    assert open_note(Checkpoint.objects.get(tree_size=1).note, keys[1])[1] == "1"
    call_command("verify_disclosures", "--checkpoint", str(kept))
    assert "2 checkpoints verified, consistent with 2 checkpoints kept outside" in (
        capsys.readouterr().out
    )
    # Forgetting the old key is noticed, not ignored.
    settings.TRANSPARENCY_OLD_VERIFIER_KEYS = []
    problems = transparency.audit().problems
    assert problems == [
        "stored checkpoint of size 1: its signature does not verify with a known key "
        "(no signature by a known key)"
    ]


# --- Witnesses ---------------------------------------------------------------------------------


class FakeWitness(http.server.BaseHTTPRequestHandler):
    """A witness that checks the old size and the proof's length, and cosigns (a made-up line)."""

    received: list[str] = []
    size = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        FakeWitness.received.append(body)
        old = int(body.split("\n", 1)[0].removeprefix("old "))
        if old != FakeWitness.size:
            self._answer(409, f"{FakeWitness.size}\n")
            return
        FakeWitness.size = int(body.split("\n\n", 1)[1].split("\n")[1])
        self._answer(200, "— witness.test/w AAAAAA==\n")

    def _answer(self, status, text):
        self.send_response(status)
        self.send_header("Content-Type", "text/x.tlog.size" if status == 409 else "text/plain")
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *args):
        pass


def test_a_witness_that_is_down_does_not_stop_sealing_and_gets_it_later(
    mou, agency_staff, log_key, settings
):
    server = http.server.HTTPServer(("127.0.0.1", 0), FakeWitness)
    port = server.server_address[1]
    server.server_close()  # nobody listens there yet: the witness is down
    url = f"http://127.0.0.1:{port}/witness"
    settings.TRANSPARENCY_WITNESS_URLS = [url]
    settings.TRANSPARENCY_WITNESS_TIMEOUT = 1
    FakeWitness.received, FakeWitness.size = [], 0
    disclose(mou, agency_staff)
    result = transparency.seal()
    assert result.sealed == 1 and result.checkpoint is not None
    assert result.witnesses == {url: "failed"}
    assert Witness.objects.get().last_error.startswith("unreachable")
    disclose(mou, agency_staff)
    disclose(mou, agency_staff)
    server = http.server.HTTPServer(("127.0.0.1", port), FakeWitness)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = transparency.seal()
        assert result.witnesses == {url: "cosigned"}
        assert transparency.seal().witnesses == {url: "up to date"}
    finally:
        server.shutdown()
        server.server_close()
    witness = Witness.objects.get()
    assert (witness.tree_size, witness.last_error) == (3, "")
    # The witness got the newest checkpoint, from its own last size (0: no proof lines).
    assert FakeWitness.received[-1].startswith("old 0\n\nportal.test/disclosures\n3\n")


def test_a_witness_that_knows_a_later_size_gets_a_proof_from_there(
    mou, agency_staff, log_key, settings
):
    server = http.server.HTTPServer(("127.0.0.1", 0), FakeWitness)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        FakeWitness.received, FakeWitness.size = [], 0
        for _ in range(3):
            disclose(mou, agency_staff)
        transparency.seal()  # no witness configured yet
        FakeWitness.size = 3  # it learnt size 3 from someone else
        for _ in range(2):
            disclose(mou, agency_staff)
        settings.TRANSPARENCY_WITNESS_URLS = [url]
        assert transparency.seal().witnesses == {url: "cosigned"}
    finally:
        server.shutdown()
        server.server_close()
    proof_lines = FakeWitness.received[-1].split("\n\n")[0].split("\n")
    assert proof_lines[0] == "old 3"
    data = leaf_data()
    assert [base64.b64decode(h) for h in proof_lines[1:]] == subproof(3, data[:5], True)


# --- The person's own proof --------------------------------------------------------------------


@pytest.fixture
def court(agency_staff, make_panel):
    return make_panel(agency_staff, kind=AgencyKind.JUDICIAL)


def test_the_person_downloads_a_proof_that_verifies_against_the_published_checkpoint(
    client, citizen, agency_staff, court, log_key
):
    client.force_login(agency_staff)
    client.post(
        "/gov/inquiry/",
        lookup_data(citizen.national_code, purpose="judicial_case", case_reference="C-9"),
    )
    client.force_login(citizen)
    html = client.get("/me/disclosures/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not yet" in html and "proof.json" not in html
    record = DisclosureRecord.objects.get()
    assert client.get(f"/me/disclosures/{record.pk}/proof.json").status_code == 404
    client.force_login(agency_staff)
    client.post(
        "/gov/inquiry/", lookup_data("0010000011", purpose="judicial_case", case_reference="C-10")
    )
    transparency.seal()

    client.force_login(citizen)
    html = client.get("/me/disclosures/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Yes, in checkpoint 2" in html
    assert f'href="/me/disclosures/{record.pk}/proof.json"' in html
    response = client.get(f"/me/disclosures/{record.pk}/proof.json")
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    proof = json.loads(response.content)

    # Everything below uses only what was downloaded and what the portal publishes.
    published = client.get("/transparency/checkpoint").content.decode()
    assert proof["checkpoint"] == published
    vkey = client.get("/transparency/key").content.decode().splitlines()[0]
    _origin, size, root = open_note(published, vkey)[:3]
    leaf = json.loads(proof["leaf"])
    assert leaf["national_code"] == citizen.national_code
    assert "C-9" not in proof["leaf"] and "staff_member" not in leaf  # the court's, hashed
    leaf_hash = sha(b"\x00" + proof["leaf"].encode())
    assert base64.b64decode(proof["leaf_hash"]) == leaf_hash
    hashes = [base64.b64decode(h) for h in proof["inclusion_proof"]]
    assert int(size) == proof["tree_size"] == 2
    assert root_from_path(leaf_hash, proof["leaf_index"], 2, hashes) == base64.b64decode(root)


def test_nobody_else_gets_a_persons_proof(
    client, citizen, other_citizen, agency_staff, court, log_key
):
    client.force_login(agency_staff)
    client.post(
        "/gov/inquiry/",
        lookup_data(citizen.national_code, purpose="judicial_case", case_reference="C-9"),
    )
    transparency.seal()
    record = DisclosureRecord.objects.get()
    client.force_login(other_citizen)
    assert client.get(f"/me/disclosures/{record.pk}/proof.json").status_code == 404
    client.logout()
    response = client.get(f"/me/disclosures/{record.pk}/proof.json")
    assert response.status_code == 302
