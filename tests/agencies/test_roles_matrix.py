"""Every action against every role: only the role it belongs to may take it."""

import pytest
from django.core.exceptions import PermissionDenied

from agencies import services
from agencies.models import (
    AccessRequest,
    MembershipRole,
    MouStatus,
    RequestStatus,
    StaffList,
)
from tests.agencies.conftest import add_member, mou_terms
from tests.agencies.factories import AccessRequestFactory, AgencyFactory, MouFactory, details

pytestmark = pytest.mark.django_db

ROLES = [
    "applicant",
    "other_citizen",
    "agency_staff",
    "agency_admin",
    "committee_reviewer",
    "operator",
    "outsider",
]


class World:
    """One agency with an MoU, its admin and staff member, and the other cast."""

    def __init__(self, request) -> None:
        self.users = {
            "applicant": request.getfixturevalue("citizen"),
            **{name: request.getfixturevalue(name) for name in ROLES if name != "applicant"},
        }
        reviewer = self.users["committee_reviewer"]
        self.mou = MouFactory.create(recorded_by=reviewer)
        self.agency = self.mou.agency
        add_member(self.users["agency_admin"], self.agency, MembershipRole.ADMIN, reviewer)
        self.staff_membership = add_member(
            self.users["agency_staff"], self.agency, MembershipRole.STAFF, reviewer
        )

    def request_in(self, status: RequestStatus) -> AccessRequest:
        agency = AgencyFactory.create() if status == RequestStatus.APPROVED else None
        return AccessRequestFactory.create(
            applicant=self.users["applicant"], status=status, agency=agency
        )

    def staff_list(self) -> StaffList:
        from tests.agencies.factories import national_code

        staff_list = StaffList.objects.create(
            agency=self.agency, submitted_by=self.users["agency_admin"]
        )
        staff_list.rows.create(
            national_code=national_code(501),
            first_name="Ali",
            last_name="Synthetic",
            position="Clerk",
            mobile="+989351119999",
        )
        return staff_list


def _mou_in(world: World, status: str):
    mou = MouFactory.create(recorded_by=world.users["committee_reviewer"], status=status)
    return mou


ACTIONS = {
    "start_review": (
        {"committee_reviewer"},
        lambda w, u: services.start_review(
            access_request=w.request_in(RequestStatus.SUBMITTED), reviewer=u
        ),
    ),
    "approve": (
        {"committee_reviewer"},
        lambda w, u: services.approve_request(
            access_request=w.request_in(RequestStatus.IN_REVIEW), reviewer=u, reasons="x"
        ),
    ),
    "reject": (
        {"committee_reviewer"},
        lambda w, u: services.reject_request(
            access_request=w.request_in(RequestStatus.IN_REVIEW), reviewer=u, reasons="x"
        ),
    ),
    "return": (
        {"committee_reviewer"},
        lambda w, u: services.return_request(
            access_request=w.request_in(RequestStatus.IN_REVIEW), reviewer=u, reasons="x"
        ),
    ),
    "reopen": (
        {"committee_reviewer"},
        lambda w, u: services.reopen_request(
            access_request=w.request_in(RequestStatus.REJECTED), reviewer=u, reasons="x"
        ),
    ),
    "resubmit": (
        {"applicant"},
        lambda w, u: services.resubmit_request(
            access_request=w.request_in(RequestStatus.RETURNED),
            applicant=u,
            details=details(letter=None),
        ),
    ),
    "record_mou": (
        {"committee_reviewer"},
        lambda w, u: services.record_mou(
            agency=(r := w.request_in(RequestStatus.APPROVED)).agency,
            access_request=r,
            terms=mou_terms(),
            recorded_by=u,
        ),
    ),
    "suspend_mou": (
        {"committee_reviewer"},
        lambda w, u: services.suspend_mou(mou=_mou_in(w, MouStatus.ACTIVE), actor=u, reasons="x"),
    ),
    "reinstate_mou": (
        {"committee_reviewer"},
        lambda w, u: services.reinstate_mou(
            mou=_mou_in(w, MouStatus.SUSPENDED), actor=u, reasons="x"
        ),
    ),
    "end_mou": (
        {"committee_reviewer"},
        lambda w, u: services.end_mou(mou=_mou_in(w, MouStatus.ACTIVE), actor=u, reasons="x"),
    ),
    "mark_mou_actioned": (
        {"operator"},
        lambda w, u: services.mark_mou_actioned(mou=w.mou, operator=u),
    ),
    "submit_staff_list": (
        {"agency_admin"},
        lambda w, u: services.submit_staff_list(
            agency=w.agency,
            submitted_by=u,
            rows=[
                {
                    "national_code": "0010000089",
                    "first_name": "Ali",
                    "last_name": "Synthetic",
                    "position": "Clerk",
                    "mobile": "+989351119998",
                    "email": "",
                }
            ],
        ),
    ),
    "grant_staff_list": (
        {"operator"},
        lambda w, u: services.grant_staff_list(staff_list=w.staff_list(), operator=u),
    ),
    "request_removal": (
        {"agency_admin"},
        lambda w, u: services.request_removal(
            membership=w.staff_membership, requested_by=u, reasons="Left the agency."
        ),
    ),
    "remove_membership": (
        {"operator"},
        lambda w, u: services.remove_membership(
            membership=w.staff_membership, operator=u, reasons="Left the agency."
        ),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_is_allowed_only_to_its_role(action, role, request):
    allowed_roles, run = ACTIONS[action]
    world = World(request)
    user = world.users[role]
    if role in allowed_roles:
        run(world, user)
    else:
        with pytest.raises(PermissionDenied):
            run(world, user)
