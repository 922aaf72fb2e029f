"""The applicant's pages (/agencies/...) and the invitation link."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.mfa import remember_destination
from accounts.models import User
from agencies import selectors, services
from agencies.forms import AccessRequestForm, posted, posted_files
from agencies.gate import AuthenticatedRequest
from agencies.models import Mou
from portal.digits import LocalNumber


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: AuthenticatedRequest) -> HttpResponse:
    form = AccessRequestForm(posted(request), posted_files(request))
    if request.method == "POST" and form.is_valid():
        try:
            access_request = services.submit_request(applicant=request.user, details=form.details())
        except services.ApplicationLimitReached as reached:
            message = _(
                "You can submit at most %(limit)s agency applications in 24 hours. Please try "
                "again later; the applications you have submitted are in “My agency requests”."
            ) % {"limit": LocalNumber(reached.limit)}
            return render(
                request,
                "429.html",
                {"heading": _("Daily limit reached"), "message": message},
                status=429,
            )
        except services.DuplicateApplication as duplicate:
            form.add_error("legal_id", duplicate.message)
        else:
            messages.success(
                request, _("Your request has been submitted. The committee will review it.")
            )
            return redirect("agencies:request_detail", pk=access_request.pk)
    return render(
        request, "agencies/apply.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def my_requests(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "agencies/my_requests.html",
        {
            "access_requests": selectors.requests_of(request.user),
            "offered_memberships": selectors.offered_memberships_of(request.user),
            "notices": selectors.latest_notices_of(request.user),
        },
    )


@login_required
def request_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access_request = selectors.request_for_user(user=request.user, pk=pk)
    decisions = access_request.decisions.select_related("reviewer").order_by("-decided_at", "-pk")
    notices = list(selectors.notices_for(user=request.user, access_request=access_request))
    mou = Mou.objects.filter(access_request=access_request).first()
    return render(
        request,
        "agencies/request_detail.html",
        {
            "access_request": access_request,
            "decisions": decisions,
            "notices": notices,
            "has_unread": any(notice.read_at is None for notice in notices),
            "mou": mou,
            "is_applicant": access_request.applicant_id == request.user.pk,
        },
    )


@login_required
@require_POST
def request_notices_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Reading is a POST, like the personal inbox's: opening the page changes nothing."""
    access_request = selectors.request_for_user(user=request.user, pk=pk)
    if access_request.applicant_id != request.user.pk:
        raise Http404
    services.mark_notices_read(user=request.user, access_request=access_request)
    return redirect("agencies:request_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def resubmit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access_request = selectors.request_for_user(user=request.user, pk=pk)
    if access_request.applicant_id != request.user.pk:
        raise Http404
    if not access_request.can_be_resubmitted:
        messages.error(request, _("This request is not waiting for more information."))
        return redirect("agencies:request_detail", pk=pk)
    form = AccessRequestForm(posted(request), posted_files(request), instance=access_request)
    if request.method == "POST" and form.is_valid():
        try:
            services.resubmit_request(
                access_request=access_request, applicant=request.user, details=form.details()
            )
        except services.TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request has been resubmitted to the committee."))
        return redirect("agencies:request_detail", pk=pk)
    latest = access_request.current_decision
    return render(
        request,
        "agencies/resubmit.html",
        {"form": form, "access_request": access_request, "decision": latest},
        status=400 if form.errors else 200,
    )


@login_required
def request_letter(request: AuthenticatedRequest, pk: int) -> FileResponse:
    access_request = selectors.request_for_user(user=request.user, pk=pk)
    if not access_request.letter:
        raise Http404
    extension = (access_request.letter.name or "").rsplit(".", 1)[-1]
    return FileResponse(
        access_request.letter.open("rb"),
        as_attachment=True,
        filename=f"letter-{access_request.pk}.{extension}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept_membership(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The person takes up access an agency asked for, from their own account."""
    membership = selectors.offered_membership_for(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.accept_membership(membership=membership, user=request.user)
        except services.TransitionError as error:
            messages.error(request, error.message)
            return render(
                request, "agencies/accept_membership.html", {"membership": membership}, status=400
            )
        messages.success(
            request,
            _("You have accepted. Set up two-factor authentication, and the panel opens."),
        )
        return redirect("gov:home")
    return render(request, "agencies/accept_membership.html", {"membership": membership})


def _may_sign_in_from_invitation(user: User) -> bool:
    """Whether the invitation link may sign its person in, straight on to TOTP enrolment.

    The link went by SMS to the one mobile the identity service confirmed (accept_invitation
    marked it verified), so using it is the proof that signing in and the SMS code would ask
    for. It is one factor only: an account that already has a second factor, or whose mobile
    the link did not prove, signs in at the door like everyone else.
    """
    return (
        user.is_active
        and user.mobile_verified
        and not Authenticator.objects.filter(user=user).exists()
    )


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token=token)
    if invitation is None:
        return render(request, "agencies/invitation_invalid.html", status=404)
    user = invitation.membership.user
    form = SetPasswordForm(user, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except services.TransitionError:
            return render(request, "agencies/invitation_invalid.html", status=404)
        if _may_sign_in_from_invitation(user):
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            # Choosing the password just now is the proof a reauthentication would ask for:
            # the enrolment that follows does not ask for it again (accounts.mfa).
            record_authentication(request, user, method="password", invitation=True)
            remember_destination(request, reverse("gov:home"))
            messages.success(
                request,
                _(
                    "Your password is set. One step remains: set up two-factor authentication, "
                    "and the panel opens."
                ),
            )
            return redirect("mfa_activate_totp")
        messages.success(
            request,
            _(
                "Your password is set. Sign in with your national code; you will then set up "
                "two-factor authentication before the panel opens."
            ),
        )
        return redirect(f"{reverse('account_login')}?next={reverse('gov:home')}")
    return render(
        request,
        "agencies/accept_invitation.html",
        {"form": form, "invitation": invitation, "invited": user},
        status=400 if form.errors else 200,
    )
