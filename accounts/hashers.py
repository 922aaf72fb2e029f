"""Legacy isinsured password hashes, kept only inside a strong hash.

isinsured stored unsalted MD5 (`md5$<hex>`) and salted SHA-1 (`sha1$<salt>$<hex>`, the SHA-1 of
salt + password). Neither may be stored as it is, and the passwords themselves are unknown, so
each legacy hash is wrapped in PBKDF2 as Django's documentation describes ("Password upgrading
without requiring a login"): the stored value is PBKDF2(legacy hash). Signing in computes the
legacy hash of the typed password and then the PBKDF2 over it. Because these hashers follow the
default in PASSWORD_HASHERS, `check_password` re-hashes a correct password with the default on
that first sign-in, and the wrapped form is gone.
"""

import hashlib
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.translation import gettext_noop as _


def _md5_hex(password: str) -> str:
    return hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()


def _sha1_hex(legacy_salt: str, password: str) -> str:
    return hashlib.sha1((legacy_salt + password).encode(), usedforsecurity=False).hexdigest()


class PBKDF2WrappedMD5PasswordHasher(PBKDF2PasswordHasher):
    """`pbkdf2_wrapped_md5$<iterations>$<salt>$<hash>`: PBKDF2 over the legacy MD5 hex digest."""

    algorithm = "pbkdf2_wrapped_md5"

    def encode_md5_hash(self, md5_hash: str, salt: str, iterations: int | None = None) -> str:
        return super().encode(md5_hash, salt, iterations)

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        return self.encode_md5_hash(_md5_hex(password), salt, iterations)

    def wrap(self, md5_hash: str) -> str:
        return self.encode_md5_hash(md5_hash.lower(), self.salt())

    def wraps(self, encoded: str, md5_hash: str) -> bool:
        """Whether `encoded` is this legacy hash, wrapped (costs one PBKDF2)."""
        decoded = self.decode(encoded)
        again = self.encode_md5_hash(
            md5_hash.lower(), str(decoded["salt"]), int(decoded["iterations"])
        )
        return constant_time_compare(again, encoded)


class PBKDF2WrappedSHA1PasswordHasher(PBKDF2PasswordHasher):
    """`pbkdf2_wrapped_sha1$<iterations>$<salt>$<legacy salt>$<hash>`.

    A fresh random PBKDF2 salt, and the legacy salt kept beside it: signing in needs it to
    compute SHA-1(legacy salt + password). The legacy salt is no secret, as a salt never is.
    """

    algorithm = "pbkdf2_wrapped_sha1"

    def encode_sha1_hash(
        self, sha1_hash: str, legacy_salt: str, salt: str, iterations: int | None = None
    ) -> str:
        if "$" in legacy_salt:
            raise ValueError("the legacy salt cannot contain '$'")
        inner = super().encode(sha1_hash, salt, iterations)
        algorithm, iterations_text, salt, hash_ = inner.split("$", 3)
        return f"{algorithm}${iterations_text}${salt}${legacy_salt}${hash_}"

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        # Never the hasher for a new password (it is not first in PASSWORD_HASHERS); Django's
        # timing hardening may still call it, so it encodes with an empty legacy salt.
        return self.encode_sha1_hash(_sha1_hex("", password), "", salt, iterations)

    def wrap(self, legacy_salt: str, sha1_hash: str) -> str:
        return self.encode_sha1_hash(sha1_hash.lower(), legacy_salt, self.salt())

    def wraps(self, encoded: str, legacy_salt: str, sha1_hash: str) -> bool:
        decoded = self.decode(encoded)
        if not constant_time_compare(decoded["legacy_salt"], legacy_salt):
            return False
        again = self.encode_sha1_hash(
            sha1_hash.lower(), legacy_salt, decoded["salt"], decoded["iterations"]
        )
        return constant_time_compare(again, encoded)

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, iterations, salt, legacy_salt, hash_ = encoded.split("$", 4)
        assert algorithm == self.algorithm  # noqa: S101 (identify_hasher chose this hasher)
        return {
            "algorithm": algorithm,
            "hash": hash_,
            "iterations": int(iterations),
            "salt": salt,
            "legacy_salt": legacy_salt,
        }

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        again = self.encode_sha1_hash(
            _sha1_hex(decoded["legacy_salt"], password),
            decoded["legacy_salt"],
            decoded["salt"],
            decoded["iterations"],
        )
        return constant_time_compare(encoded, again)

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        decoded = self.decode(encoded)
        return {
            _("algorithm"): decoded["algorithm"],
            _("iterations"): decoded["iterations"],
            _("salt"): mask_hash(decoded["salt"]),
            _("legacy salt"): mask_hash(decoded["legacy_salt"]),
            _("hash"): mask_hash(decoded["hash"]),
        }

    def harden_runtime(self, password: str, encoded: str) -> None:
        decoded = self.decode(encoded)
        extra_iterations = self.iterations - decoded["iterations"]
        if extra_iterations > 0:
            self.encode(password, get_random_string(12), extra_iterations)


WRAPPED_ALGORITHMS = frozenset(
    {PBKDF2WrappedMD5PasswordHasher.algorithm, PBKDF2WrappedSHA1PasswordHasher.algorithm}
)
