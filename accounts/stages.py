"""Sign-in stages fitted to the portal's accounts."""

from allauth.account.adapter import get_adapter
from allauth.account.stages import PhoneVerificationStage


class MobileVerificationStage(PhoneVerificationStage):
    """allauth's phone verification, except that an account with no mobile may still sign in.

    Sign-up requires a mobile, so allauth aborts the sign-in of any account without one. Accounts
    made with `createsuperuser` or in the admin have none, and were sent back to the sign-in page
    without a word. An account migrated from isinsured with no mobile signs in too, but only to
    the completion pages (accounts.middleware.AccountCompletionMiddleware), where it must add a
    mobile the identity service confirms before anything else opens.
    """

    def handle(self):
        if self.login.user and get_adapter().get_phone(self.login.user) is None:
            return None, True
        return super().handle()
