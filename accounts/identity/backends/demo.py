"""For the demo and trials: the pairs in the DemoIdentityPair table, which `seed_demo` fills.

Never a production backend: with DEBUG off the portal uses it only when IDENTITY_BACKEND names it,
and `check --deploy` warns about it (accounts/checks.py).
"""

from accounts.identity.backends import base
from accounts.models import DemoIdentityPair


class IdentityBackend(base.IdentityBackend):
    def mobile_belongs_to(self, *, national_code: str, mobile: str) -> bool:
        return DemoIdentityPair.objects.filter(national_code=national_code, mobile=mobile).exists()
