"""The QR code's signed token (compact JWS, EdDSA) and the key set that verifies it."""

import base64
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import timezone

from documents import qr_tokens
from documents.models import Certificate
from tests.documents.conftest import qr_codes_in_pdf

pytestmark = pytest.mark.django_db


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _qr_token(certificate: Certificate) -> tuple[str, str]:
    [payload] = qr_codes_in_pdf(certificate.pdf.read())
    page, token = payload.split("#")
    return page, token


def _verify_with_published_keys(client, token: str) -> dict:
    """An independent verifier: the JWKS as any client reads it, and the JWS rules by hand."""
    keys = {key["kid"]: key for key in client.get("/.well-known/jwks.json").json()["keys"]}
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(_b64(header_b64))
    assert header["alg"] == "EdDSA"
    jwk = keys[header["kid"]]
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    Ed25519PublicKey.from_public_bytes(_b64(jwk["x"])).verify(
        _b64(signature_b64), f"{header_b64}.{payload_b64}".encode()
    )
    return json.loads(_b64(payload_b64))


def test_the_qr_token_states_the_facts_a_clerk_needs_masked(
    client, citizen, citizen_record, issue, settings
):
    certificate = issue(citizen)
    page, token = _qr_token(certificate)
    assert page == f"{settings.SITE_URL}/verify/{certificate.number}/"
    claims = _verify_with_published_keys(client, token)
    assert claims.pop("iat") == timezone.localtime(certificate.issued_at).date().isoformat()
    assert claims == {
        "v": 1,
        "num": certificate.number,
        "name": "س… ا…",
        "nc": "•••••••011",
        "ins": True,
        "cov": ["mandatory"],
        "pen": ["dependent"],
        "exp": certificate.valid_until.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to": None,
    }
    # Nothing the verify page masks is in the token bare.
    decoded = _b64(token.split(".")[1]).decode()
    for secret in ["سارا", "احمدی", "0010000011", "12345678", "کارگاه"]:
        assert secret not in decoded


def test_a_person_without_a_record_is_neither_insured_nor_not(client, citizen, issue):
    claims = _verify_with_published_keys(client, _qr_token(issue(citizen))[1])
    assert claims["ins"] is None and claims["cov"] == [] and claims["pen"] == []
    assert claims["name"] == "S… A…"


def test_the_addressed_agency_is_named(citizen, issue, agency):
    certificate = issue(citizen)
    Certificate.objects.filter(pk=certificate.pk).update(addressed_to=agency)
    certificate.refresh_from_db()
    assert qr_tokens.claims_of(certificate)["to"] == agency.name


@pytest.mark.parametrize(
    "tamper",
    [
        "payload",
        "signature",
        "alg none",
        "unknown kid",
        "kid not a string",
        "garbage",
    ],
)
def test_a_tampered_token_is_refused(citizen, issue, tamper):
    token = qr_tokens.sign(qr_tokens.claims_of(issue(citizen)))
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(_b64(header_b64))
    claims = json.loads(_b64(payload_b64))

    def enc(value) -> str:
        return qr_tokens.b64url(json.dumps(value).encode())

    forged = {
        "payload": f"{header_b64}.{enc({**claims, 'ins': not claims['ins']})}.{signature_b64}",
        "signature": f"{header_b64}.{payload_b64}.{signature_b64[:-4]}AAAA",
        "alg none": f"{enc({**header, 'alg': 'none'})}.{payload_b64}.",
        "unknown kid": f"{enc({**header, 'kid': 'A' * 16})}.{payload_b64}.{signature_b64}",
        "kid not a string": f"{enc({**header, 'kid': ['x']})}.{payload_b64}.{signature_b64}",
        "garbage": "a.b.c",
    }[tamper]
    assert qr_tokens.verify(token)["num"]
    with pytest.raises(qr_tokens.TokenError):
        qr_tokens.verify(forged)


def test_after_a_rotation_an_old_certificate_still_verifies(
    client, citizen, issue, settings, tmp_path
):
    old_certificate = issue(citizen)
    old_token = _qr_token(old_certificate)[1]
    old_public = json.loads(client.get("/.well-known/jwks.json").content)["keys"][0]

    # The operator's rotation: a new key file, the old public key kept as a verifier.
    new_public = qr_tokens.write_new_key(tmp_path / "new-qr.key")
    settings.CERTIFICATE_QR_KEY_FILE = str(tmp_path / "new-qr.key")
    settings.CERTIFICATE_QR_OLD_PUBLIC_KEYS = [old_public["x"]]

    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert [key["kid"] for key in keys] == [qr_tokens.key_id(new_public), old_public["kid"]]
    assert _verify_with_published_keys(client, old_token)["num"] == old_certificate.number
    assert qr_tokens.verify(old_token)["num"] == old_certificate.number

    new_certificate = issue(citizen)
    new_token = _qr_token(new_certificate)[1]
    assert json.loads(_b64(new_token.split(".")[0]))["kid"] == qr_tokens.key_id(new_public)
    assert qr_tokens.verify(new_token)["num"] == new_certificate.number

    # Once the old key is dropped from the set, its certificates no longer verify.
    settings.CERTIFICATE_QR_OLD_PUBLIC_KEYS = []
    with pytest.raises(qr_tokens.TokenError):
        qr_tokens.verify(old_token)


def test_the_key_set_is_public_and_cacheable(client):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    [key] = response.json()["keys"]
    assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
    assert client.post("/.well-known/jwks.json").status_code == 405


def test_the_keygen_never_overwrites_a_key(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("certificate_token_keygen", "--out", str(tmp_path / "k"), stdout=out)
    assert len(out.getvalue().strip()) == 43
    with pytest.raises(CommandError):
        call_command("certificate_token_keygen", "--out", str(tmp_path / "k"))


def test_a_missing_key_fails_the_deploy_check_but_not_the_verify_page(
    client, citizen, issue, settings, tmp_path
):
    from documents import checks

    certificate = issue(citizen)
    settings.CERTIFICATE_QR_KEY_FILE = str(tmp_path / "missing.key")
    assert [problem.id for problem in checks.check_certificate_signing(None)] == ["documents.E005"]
    assert client.get(f"/verify/{certificate.number}/").status_code == 200
