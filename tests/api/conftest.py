import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from agencies import services
from agencies.models import AgencyKind, ApiClient, MembershipRole, Mou
from agencies.scopes import Scope
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import MouFactory
from tests.documents.conftest import (  # noqa: F401  (fixtures)
    _media_in_tmp,
    citizen_record,
    issue,
    share,
)
from tests.inquiries.conftest import (  # noqa: F401  (fixtures)
    LOOKED_UP,
    UNKNOWN,
    registered_person,
)

ADDRESS = "192.0.2.10"
ALL_SCOPES = list(Scope.values)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Connected:
    """An approved client with its secret, and its agency's people."""

    client: ApiClient
    secret: str
    mou: Mou
    admin: User
    responsible: User

    def token(self, http: Client | None = None, address: str = ADDRESS) -> str:
        response = (http or Client()).post(
            "/api/v1/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": self.client.client_id,
                "client_secret": self.secret,
            },
            REMOTE_ADDR=address,
        )
        assert response.status_code == 200, response.content
        return response.json()["access_token"]


@pytest.fixture
def connect(committee_reviewer, operator, agency_admin, agency_staff):
    """An agency (of `kind`, MoU granting `mou_scopes`) with an approved client of `scopes`."""

    def make(
        *,
        scopes: Iterable[str] = (Scope.COVERAGE_FLAG,),
        mou_scopes: Iterable[str] = ALL_SCOPES,
        kind: str = AgencyKind.SUPPORT_RELIEF,
        admin: User = agency_admin,
        responsible: User = agency_staff,
        addresses: Iterable[str] = (ADDRESS, "198.51.100.0/24"),
        mou: Mou | None = None,
    ) -> Connected:
        if mou is None:
            mou = MouFactory.create(
                recorded_by=committee_reviewer,
                agency__kind=kind,
                scopes=list(mou_scopes),
                valid_from=datetime.date(2020, 1, 1),
                valid_until=datetime.date(2099, 1, 1),
            )
            enrol_totp(admin)
            add_member(admin, mou.agency, MembershipRole.ADMIN, operator)
            if responsible != admin:
                add_member(responsible, mou.agency, MembershipRole.STAFF, operator)
        client = services.request_api_client(
            mou=mou,
            requested_by=admin,
            name="Case management system",
            responsible=responsible,
            scopes=list(scopes),
            allowed_addresses=list(addresses),
        )
        client = services.approve_api_client(client=client, actor=committee_reviewer)
        secret = services.issue_api_client_secret(client=client, actor=admin)
        return Connected(
            client=client, secret=secret, mou=mou, admin=admin, responsible=responsible
        )

    return make


def call(
    method: str,
    path: str,
    token: str,
    *,
    json: dict | None = None,
    address: str = ADDRESS,
    language: str = "en",
    **headers: str,
):
    http = Client()
    extra: dict[str, Any] = {
        "REMOTE_ADDR": address,
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_ACCEPT_LANGUAGE": language,
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
    }
    if method == "GET":
        return http.get(path, **extra)
    return http.post(path, data=json or {}, content_type="application/json", **extra)


def inquiry(national_code: Any = LOOKED_UP, **overrides: Any) -> dict:
    return {
        "national_code": national_code,
        "purpose": "benefit_eligibility",
        "purpose_detail": "",
        "case_reference": "",
        **overrides,
    }
