"""PAdES signatures on certificate PDFs: signing in the render path, checking an uploaded copy.

Every certificate PDF is signed with the organization's key and certificate
(CERTIFICATE_SIGNING_KEY_FILE, CERTIFICATE_SIGNING_CERT_FILE, and the issuing chain in
CERTIFICATE_SIGNING_CHAIN_FILE): PAdES baseline B-B, and B-T when CERTIFICATE_TSA_URL names an
RFC 3161 time-stamping service. Any PDF reader that trusts the chain's root shows the signature
as valid, and any change to the file breaks it.

The signature's /Reason names the certificate ("... No. 123456789012"), so a copy identifies
itself even after its stored file is gone. The key material is loaded once per process (per set
of file names): a render pays for the signature only, about 30 ms.
"""

import asyncio
import concurrent.futures
import datetime
import functools
import io
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Signed PDFs reserve this much room for the CMS signature: enough for the signing certificate,
# a chain of two and a time-stamp token. Reserving it up front spares pyHanko a dry-run
# signature to measure (which would double the signing time).
SIGNATURE_BYTES_RESERVED = 16 * 1024
SIGNATURE_FIELD = "OrganizationSignature"
REASON_PREFIX = "Certificate of insurance status No. "
_NUMBER_IN_REASON = re.compile(re.escape(REASON_PREFIX) + r"([0-9]{12})\Z")
TSA_TIMEOUT_SECONDS = 10


class SigningError(Exception):
    """A transient failure to sign (the time-stamping service is unreachable): retry later."""


# --- Key material --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningMaterial:
    key: asn1_keys.PrivateKeyInfo
    certificate: asn1_x509.Certificate
    chain: tuple[asn1_x509.Certificate, ...]


def _read(setting: str, path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ImproperlyConfigured(
            f"{setting} ({path}) cannot be read: {error.strerror}. "
            "`python manage.py certificate_keygen` makes a development CA and signing certificate."
        ) from error


def _pem_certificates(data: bytes) -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
        for certificate in x509.load_pem_x509_certificates(data)
    ]


def signing_material() -> SigningMaterial:
    """The organization's signing key, certificate and chain, as the settings name them."""
    return _load_material(
        settings.CERTIFICATE_SIGNING_KEY_FILE,
        settings.CERTIFICATE_SIGNING_CERT_FILE,
        settings.CERTIFICATE_SIGNING_CHAIN_FILE,
        settings.CERTIFICATE_SIGNING_KEY_PASSWORD,
    )


@functools.lru_cache(maxsize=4)
def _load_material(
    key_file: str, cert_file: str, chain_file: str, password: str
) -> SigningMaterial:
    key_data = _read("CERTIFICATE_SIGNING_KEY_FILE", key_file)
    try:
        private_key = serialization.load_pem_private_key(key_data, password.encode() or None)
        certificates = _pem_certificates(_read("CERTIFICATE_SIGNING_CERT_FILE", cert_file))
        chain = (
            _pem_certificates(_read("CERTIFICATE_SIGNING_CHAIN_FILE", chain_file))
            if chain_file
            else []
        )
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"The certificate signing key or certificate: {error}"
        ) from error
    if not certificates:
        raise ImproperlyConfigured(f"CERTIFICATE_SIGNING_CERT_FILE ({cert_file}) holds no PEM.")
    certificate = certificates[0]
    public_der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if certificate.public_key.dump() != public_der:
        raise ImproperlyConfigured(
            "CERTIFICATE_SIGNING_KEY_FILE does not hold the key of CERTIFICATE_SIGNING_CERT_FILE."
        )
    key = asn1_keys.PrivateKeyInfo.load(
        private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return SigningMaterial(key=key, certificate=certificate, chain=(*certificates[1:], *chain))


def trust_roots() -> list[asn1_x509.Certificate]:
    """The roots a signature of ours must chain to (CERTIFICATE_SIGNING_TRUST_ROOTS_FILE)."""
    return list(_load_roots(settings.CERTIFICATE_SIGNING_TRUST_ROOTS_FILE))


@functools.lru_cache(maxsize=4)
def _load_roots(roots_file: str) -> tuple[asn1_x509.Certificate, ...]:
    try:
        return tuple(_pem_certificates(_read("CERTIFICATE_SIGNING_TRUST_ROOTS_FILE", roots_file)))
    except ValueError as error:
        raise ImproperlyConfigured(f"CERTIFICATE_SIGNING_TRUST_ROOTS_FILE: {error}") from error


def signer_name() -> str:
    """The signing certificate's subject, as a PDF reader shows it; empty when unconfigured."""
    try:
        return str(signing_material().certificate.subject.human_friendly)
    except ImproperlyConfigured:
        return ""


# --- Signing -------------------------------------------------------------------------------------


def _time_stamper():
    """An RFC 3161 client over urllib for CERTIFICATE_TSA_URL (pyHanko's own needs `requests`)."""
    from pyhanko.sign.timestamps.api import TimeStamper
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    url = settings.CERTIFICATE_TSA_URL

    class UrllibTimeStamper(TimeStamper):
        async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            def post() -> bytes:
                request = urllib.request.Request(  # noqa: S310  (an operator's https URL)
                    url,
                    data=req.dump(),
                    headers={"Content-Type": "application/timestamp-query"},
                    method="POST",
                )
                with urllib.request.urlopen(request, timeout=TSA_TIMEOUT_SECONDS) as response:  # noqa: S310
                    if response.headers.get("Content-Type") != "application/timestamp-reply":
                        raise TimestampRequestError("the time-stamping service sent no reply")
                    return response.read()

            return tsp.TimeStampResp.load(await asyncio.to_thread(post))

    return UrllibTimeStamper()


_T = TypeVar("_T")


def _outside_any_event_loop(function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """pyHanko's synchronous calls start an event loop of their own (asyncio.run), which fails in a
    thread that already runs one (an async server's, a browser test's): there, they run in a
    thread of their own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign_certificate_pdf(pdf: bytes, *, number: str) -> bytes:
    """The PDF with the organization's PAdES signature (B-B, or B-T with a time-stamp)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as PyHankoSigningError
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    material = signing_material()
    signer = signers.SimpleSigner(
        signing_cert=material.certificate,
        signing_key=material.key,
        cert_registry=SimpleCertificateStore.from_certs(material.chain),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=REASON_PREFIX + number,
        location=settings.SITE_URL,
    )
    timestamper = _time_stamper() if settings.CERTIFICATE_TSA_URL else None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    try:
        signed = _outside_any_event_loop(
            signers.PdfSigner(metadata, signer=signer, timestamper=timestamper).sign_pdf,
            writer,
            bytes_reserved=SIGNATURE_BYTES_RESERVED,
        )
    except (TimestampRequestError, urllib.error.URLError, TimeoutError) as error:
        raise SigningError(f"the time-stamping service did not answer: {error}") from error
    except PyHankoSigningError as error:
        if isinstance(error.__cause__, TimestampRequestError | OSError):
            raise SigningError(f"the time-stamping service did not answer: {error}") from error
        raise
    return signed.getvalue()


# --- Checking a copy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfCheck:
    """What an uploaded PDF's signature says. `genuine` only when every part holds."""

    readable: bool
    signed: bool = False
    organizations: bool = False  # signed by our key (our subject, chained to our roots)
    unchanged: bool = False  # the signature covers the whole file and its digest matches
    timestamped: bool = False
    signed_at: datetime.datetime | None = None
    number: str = ""  # the certificate number the signature names

    @property
    def genuine(self) -> bool:
        return self.signed and self.organizations and self.unchanged


def check_pdf(data: bytes) -> PdfCheck:
    """Validate an uploaded PDF's signature against our trust roots; never raises on bad input.

    Nothing is fetched: no revocation lookups, no AIA chasing; the chain must be in the PDF.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:
        return PdfCheck(readable=False)
    ours = [s for s in signatures if s.field_name == SIGNATURE_FIELD] or signatures[:1]
    if not ours:
        return PdfCheck(readable=True)
    signature = ours[0]
    context = ValidationContext(
        trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = _outside_any_event_loop(validate_pdf_signature, signature, context)
    except Exception:
        return PdfCheck(readable=True, signed=True)
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    reason = str(signature.sig_object.get("/Reason", ""))
    match = _NUMBER_IN_REASON.match(reason)
    our_subject = signing_material().certificate.subject
    signer = status.signing_cert
    return PdfCheck(
        readable=True,
        signed=True,
        organizations=bool(status.trusted and signer is not None and signer.subject == our_subject),
        unchanged=bool(
            status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        ),
        timestamped=status.timestamp_validity is not None,
        signed_at=status.signer_reported_dt,
        number=match.group(1) if match else "",
    )


# --- A development CA ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DevelopmentFiles:
    ca_cert: Path
    key: Path
    cert: Path


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def make_development_ca(
    *, ca_cert: Path, key: Path, cert: Path, organization: str = "Social Security Organization"
) -> DevelopmentFiles:
    """A throwaway CA and a document-signing certificate it issued (ECDSA P-256), as PEM files.

    For development and tests only: the CA's key is not kept, so it can issue nothing else.
    """
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{organization} development CA", organization)
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    signing_key = ec.generate_private_key(ec.SECP256R1())
    signing_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{organization} certificates (development)", organization))
        .issuer_name(ca_name)
        .public_key(signing_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signing_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    for path in (ca_cert, key, cert):
        path.parent.mkdir(parents=True, exist_ok=True)
    ca_cert.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert.write_bytes(signing_cert.public_bytes(serialization.Encoding.PEM))
    descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(
            signing_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return DevelopmentFiles(ca_cert=ca_cert, key=key, cert=cert)
