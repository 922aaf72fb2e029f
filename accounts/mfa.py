"""Whether a request's user has enrolled TOTP, asked once per request.

The MFA middleware and the agency panel's gate both need the answer on every /gov/ request.
"""

from allauth.mfa.models import Authenticator
from django.http import HttpRequest

_ATTRIBUTE = "_portal_has_totp"


def has_totp(request: HttpRequest) -> bool:
    if not hasattr(request, _ATTRIBUTE):
        enrolled = Authenticator.objects.filter(
            user=request.user, type=Authenticator.Type.TOTP
        ).exists()
        setattr(request, _ATTRIBUTE, enrolled)
    return getattr(request, _ATTRIBUTE)
