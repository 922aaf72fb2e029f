"""C2SP signed notes and tlog checkpoints with Ed25519 keys (c2sp.org/signed-note,
c2sp.org/tlog-checkpoint), in the key formats of Go's golang.org/x/mod/sumdb/note, so that
existing tools read our checkpoints and keys.

    signer key:   PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>
    verifier key: <name>+<hex key id>+<base64(0x01 || 32-byte public key)>
"""

import base64
import binascii
import datetime
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"
SIGNATURE_PREFIX = "— "  # em dash, space
MAX_SIGNATURES = 16


class NoteError(ValueError):
    """A note, key or checkpoint that is malformed or whose signature does not verify."""


def key_id(name: str, public_key: bytes) -> int:
    return struct.unpack(
        ">I", hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]
    )[0]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError("a key name must be non-empty, without spaces or '+'")


@dataclass(frozen=True)
class VerifierKey:
    name: str
    id: int
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> "VerifierKey":
        try:
            name, hex_id, encoded = text.strip().split("+", 2)
            raw = base64.b64decode(encoded, validate=True)
            key_hash = int(hex_id, 16)
        except (ValueError, binascii.Error) as error:
            raise NoteError("not a verifier key") from error
        _check_name(name)
        if len(hex_id) != 8 or raw[:1] != ED25519 or len(raw) != 33:
            raise NoteError("not an Ed25519 verifier key")
        if key_id(name, raw[1:]) != key_hash:
            raise NoteError("the verifier key's id does not match its name and key")
        return cls(name=name, id=key_hash, public_key=raw[1:])

    def __str__(self) -> str:
        return f"{self.name}+{self.id:08x}+{base64.b64encode(ED25519 + self.public_key).decode()}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SignerKey:
    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> "SignerKey":
        _check_name(name)
        seed = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(name=name, seed=seed)

    @classmethod
    def parse(cls, text: str) -> "SignerKey":
        try:
            private, key, name, hex_id, encoded = text.strip().split("+", 4)
            raw = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error) as error:
            raise NoteError("not a signer key") from error
        if (private, key) != ("PRIVATE", "KEY") or raw[:1] != ED25519 or len(raw) != 33:
            raise NoteError("not an Ed25519 signer key")
        signer = cls(name=name, seed=raw[1:])
        if f"{signer.verifier.id:08x}" != hex_id:
            raise NoteError("the signer key's id does not match its key")
        return signer

    def __str__(self) -> str:
        encoded = base64.b64encode(ED25519 + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id:08x}+{encoded}"

    @property
    def verifier(self) -> VerifierKey:
        public = (
            Ed25519PrivateKey.from_private_bytes(self.seed)
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return VerifierKey(name=self.name, id=key_id(self.name, public), public_key=public)

    def sign(self, text: str) -> str:
        """The signed note: the text, a blank line, one signature line."""
        if not text.endswith("\n"):
            raise NoteError("a note's text ends with a newline")
        signature = Ed25519PrivateKey.from_private_bytes(self.seed).sign(text.encode())
        encoded = base64.b64encode(struct.pack(">I", self.verifier.id) + signature).decode()
        return f"{text}\n{SIGNATURE_PREFIX}{self.name} {encoded}\n"


def open_note(note: str, keys: list[VerifierKey]) -> tuple[str, VerifierKey]:
    """The note's text and the known key that signed it; NoteError when no known key's signature
    verifies, or when one known key's signature fails (c2sp.org/signed-note)."""
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("a note holds no control characters")
    text, separator, signatures = note.rpartition("\n\n")
    if not separator or not note.endswith("\n"):
        raise NoteError("a note is its text, a blank line and its signatures")
    text += "\n"
    known = {(key.name, key.id): key for key in keys}
    lines = signatures.removesuffix("\n").split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("too many signatures")
    signed_by: VerifierKey | None = None
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("a signature line starts with an em dash")
        name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as error:
            raise NoteError("a signature is base64") from error
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        key = known.get((name, struct.unpack(">I", raw[:4])[0]))
        if key is None:
            continue
        if not key.verify(text.encode(), raw[4:]):
            raise NoteError(f"the signature of {name} does not verify")
        signed_by = key
    if signed_by is None:
        raise NoteError("no signature by a known key")
    return text, signed_by


@dataclass(frozen=True)
class CheckpointBody:
    origin: str
    size: int
    root: bytes
    time: datetime.datetime | None = None

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        if self.time is not None:
            # An extension line (c2sp.org/tlog-checkpoint): signed with the rest, ignored by
            # tools that do not know it.
            lines.append("time " + self.time.astimezone(datetime.UTC).isoformat(timespec="seconds"))
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> "CheckpointBody":
        lines = text.removesuffix("\n").split("\n")
        if len(lines) < 3 or not all(lines):
            raise NoteError("a checkpoint has an origin, a size and a root hash")
        origin, size_line, root_line = lines[:3]
        if not size_line.isdigit() or (size_line != "0" and size_line.startswith("0")):
            raise NoteError("a checkpoint's size is a decimal number")
        try:
            root = base64.b64decode(root_line, validate=True)
        except binascii.Error as error:
            raise NoteError("a checkpoint's root hash is base64") from error
        if len(root) != 32:
            raise NoteError("a checkpoint's root hash is 32 bytes")
        time = None
        for extension in lines[3:]:
            if extension.startswith("time "):
                try:
                    time = datetime.datetime.fromisoformat(extension.removeprefix("time "))
                except ValueError as error:
                    raise NoteError("a checkpoint's time is ISO 8601") from error
        return cls(origin=origin, size=int(size_line), root=root, time=time)


def open_checkpoint(note: str, keys: list[VerifierKey]) -> tuple[CheckpointBody, VerifierKey]:
    """A checkpoint whose signature verifies with a known key whose name is its origin."""
    text, key = open_note(note, keys)
    body = CheckpointBody.parse(text)
    if body.origin != key.name:
        raise NoteError("the checkpoint's origin is not its signer's name")
    return body, key
