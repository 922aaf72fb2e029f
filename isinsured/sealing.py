"""Legacy hashes at rest between the command and the workers: encrypted, then erased.

The workers must wrap each legacy hash (the slow part), so the hash has to reach them through
the database; it is stored encrypted with Fernet under a key derived from SECRET_KEY, which the
command and the workers share, and erased when its row is migrated.
"""

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"portal isinsured sealed hash\x00" + settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode("ascii") if value else ""


def unseal(token: str) -> str:
    return _fernet().decrypt(token.encode("ascii")).decode() if token else ""
