from agencies.models.agency import Agency, AgencyKind
from agencies.models.mou import Mou, MouAction, MouBasis, MouEvent, MouStatus
from agencies.models.notice import Notice
from agencies.models.request import AccessRequest, Decision, DecisionOutcome, RequestStatus
from agencies.models.staff import (
    Invitation,
    Membership,
    MembershipRole,
    NameCheck,
    RemovalRequest,
    RemovalRequestStatus,
    RowOutcome,
    StaffList,
    StaffListRow,
    StaffListStatus,
)

__all__ = [
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
    "NameCheck",
    "Notice",
    "RemovalRequest",
    "RemovalRequestStatus",
    "RequestStatus",
    "RowOutcome",
    "StaffList",
    "StaffListRow",
    "StaffListStatus",
]
