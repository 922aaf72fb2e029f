"""The real identity service, over HTTPS.

Settings: `IDENTITY_HTTP_URL` (https), `IDENTITY_HTTP_TOKEN` (a bearer token, or
`IDENTITY_HTTP_TOKEN_FILE`) and `IDENTITY_HTTP_TIMEOUT` (seconds). The portal POSTs
`{"national_code": "0012345679", "mobile": "+989121234567"}` and expects a 2xx answer
`{"match": true}` or `{"match": false}`. Anything else (no answer in time, another status, a
redirect, a body without a boolean `match`, a TLS certificate that does not verify) counts as
unavailable, never as a match. Services with another shape subclass this and override `payload`
and `parse`.
"""

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.identity.backends import base
from portal.outbound import opener

MAX_ANSWER_BYTES = 64 * 1024


class IdentityBackend(base.IdentityBackend):
    def __init__(self) -> None:
        if not settings.IDENTITY_HTTP_URL.startswith("https://"):
            raise ImproperlyConfigured("IDENTITY_HTTP_URL must be an https:// address.")
        self.url = settings.IDENTITY_HTTP_URL
        self.token = settings.IDENTITY_HTTP_TOKEN
        self.timeout = settings.IDENTITY_HTTP_TIMEOUT

    def payload(self, *, national_code: str, mobile: str) -> dict:
        return {"national_code": national_code, "mobile": mobile}

    def parse(self, answer: object) -> bool:
        if not isinstance(answer, dict) or not isinstance(answer.get("match"), bool):
            raise base.IdentityServiceUnavailable("the identity service's answer has no 'match'")
        return answer["match"]

    def mobile_belongs_to(self, *, national_code: str, mobile: str) -> bool:
        request = urllib.request.Request(  # noqa: S310 (https enforced above)
            self.url,
            data=json.dumps(self.payload(national_code=national_code, mobile=mobile)).encode(),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
            method="POST",
        )
        try:
            with opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            error.close()
            raise base.IdentityServiceUnavailable(f"answered {error.code}") from error
        except OSError as error:  # URLError, TLS failures, timeouts, refused connections
            raise base.IdentityServiceUnavailable(f"unreachable: {error}") from error
        if len(body) > MAX_ANSWER_BYTES:
            raise base.IdentityServiceUnavailable("the answer is too long")
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise base.IdentityServiceUnavailable("the answer is not JSON") from error
        return self.parse(answer)
