from agencies.models.agency import Agency, AgencyKind
from agencies.models.mou import (
    MOU_TRANSITIONS,
    Mou,
    MouAction,
    MouBasis,
    MouEvent,
    MouStatus,
    mou_in_force_on,
)
from agencies.models.notice import Notice
from agencies.models.request import (
    REQUEST_TRANSITIONS,
    AccessRequest,
    Decision,
    DecisionOutcome,
    RequestAction,
    RequestEvent,
    RequestStatus,
)
from agencies.models.staff import (
    Invitation,
    Membership,
    MembershipRole,
    RemovalRequest,
    RemovalRequestStatus,
    StaffList,
    StaffListRow,
    StaffListStatus,
)

__all__ = [
    "MOU_TRANSITIONS",
    "REQUEST_TRANSITIONS",
    "AccessRequest",
    "Agency",
    "AgencyKind",
    "Decision",
    "DecisionOutcome",
    "Invitation",
    "Membership",
    "MembershipRole",
    "Mou",
    "MouAction",
    "MouBasis",
    "MouEvent",
    "MouStatus",
    "Notice",
    "RemovalRequest",
    "RemovalRequestStatus",
    "RequestAction",
    "RequestEvent",
    "RequestStatus",
    "StaffList",
    "StaffListRow",
    "StaffListStatus",
    "mou_in_force_on",
]
