"""Actions that change agencies, requests, MoUs, staff lists and memberships.

One function per verb, each in one transaction, each writing its record of who, when and why in
that transaction; messages go out after commit. Who may act is checked here, not in views, so
the admin, the views and the commands cannot disagree.

`requests`: an agency's application and the committee's decisions; `mous`: MoUs and the
agencies the isinsured migration brings; `staff`: staff lists, memberships and invitations;
`common`: what they share. Callers use this package (`services.approve_request`); the modules
import each other directly, never through it. Admitting a staff list's people lives in
`agencies.admission`, sending in `agencies.outbox`.
"""

from agencies.admission import GrantReport, invite_member
from agencies.services.api_clients import (
    approve_api_client,
    bind_api_client_certificate,
    issue_api_client_secret,
    reject_api_client,
    request_api_client,
    revoke_api_client,
)
from agencies.services.common import ROLE_FOR_MEMBERSHIP, TransitionError
from agencies.services.mous import (
    MouTerms,
    correct_agency,
    correct_circular_mou_date,
    end_mou,
    mark_mou_actioned,
    mou_problems,
    record_circular_mou,
    record_mou,
    register_legacy_agency,
    reinstate_mou,
    suspend_mou,
)
from agencies.services.requests import (
    APPLICATION_FIELDS,
    ApplicationLimitReached,
    DuplicateApplication,
    approve_request,
    mark_notices_read,
    reject_request,
    reopen_request,
    resubmit_request,
    return_request,
    start_review,
    submit_request,
)
from agencies.services.staff import (
    STAFF_ROW_FIELDS,
    accept_invitation,
    accept_membership,
    add_membership,
    compare_names_with_registry,
    deactivate_membership,
    find_invitation,
    grant_staff_list,
    reactivate_membership,
    remove_membership,
    request_removal,
    submit_staff_list,
)

__all__ = [
    "APPLICATION_FIELDS",
    "ROLE_FOR_MEMBERSHIP",
    "STAFF_ROW_FIELDS",
    "ApplicationLimitReached",
    "DuplicateApplication",
    "GrantReport",
    "MouTerms",
    "TransitionError",
    "accept_invitation",
    "accept_membership",
    "add_membership",
    "approve_api_client",
    "approve_request",
    "bind_api_client_certificate",
    "compare_names_with_registry",
    "correct_agency",
    "correct_circular_mou_date",
    "deactivate_membership",
    "end_mou",
    "find_invitation",
    "grant_staff_list",
    "invite_member",
    "issue_api_client_secret",
    "mark_mou_actioned",
    "mark_notices_read",
    "mou_problems",
    "reactivate_membership",
    "record_circular_mou",
    "record_mou",
    "register_legacy_agency",
    "reinstate_mou",
    "reject_api_client",
    "reject_request",
    "remove_membership",
    "reopen_request",
    "request_api_client",
    "request_removal",
    "resubmit_request",
    "return_request",
    "revoke_api_client",
    "start_review",
    "submit_request",
    "submit_staff_list",
    "suspend_mou",
]
