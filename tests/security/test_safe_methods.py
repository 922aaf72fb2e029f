"""GET changes nothing, whoever asks; a POST without a CSRF token is refused with the portal's
403 page and changes nothing either. Both walk every URL pattern as every role."""

import pytest
from django.db import transaction

from tests.security.conftest import (
    ROLES,
    all_routes,
    changed_tables,
    database_fingerprint,
    url_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _get_all(client, world, routes) -> None:
    for route in routes:
        url = url_for(route, world)
        response = client.get(url)
        assert response.status_code < 500, (route.name, url, response.status_code)


def _changes_made_by(client, world, routes) -> list[str]:
    """The tables that GETs of `routes` changed; rolled back after, so each check starts equal."""
    with transaction.atomic():
        before = database_fingerprint()
        _get_all(client, world, routes)
        changed = changed_tables(before, database_fingerprint())
        transaction.set_rollback(True)
    return changed


def test_no_get_changes_the_database_whoever_asks(world):
    routes = all_routes()
    changes = {}
    for role in ROLES:
        client = world.client(role)
        if changed := _changes_made_by(client, world, routes):
            changes[(role, "the walk")] = changed
            # Find the culprits one page at a time (slow, so only when something changed).
            for route in routes:
                if changed := _changes_made_by(client, world, [route]):
                    changes[(role, route.name)] = changed
    print(
        f"\n{len(routes) * len(ROLES)} GET requests ({len(routes)} URL patterns x "
        f"{len(ROLES)} roles), {len(changes)} changed the database"
    )
    assert changes == {}


# The agencies' API reads no cookie, only its bearer token (ADR 0012): it is CSRF-exempt, and a
# POST that brings a session but no token is refused there before anything is read or written.
BEARER_ONLY = "api-v1:"
# Reads an uploaded PDF in memory and answers whether it is genuine: it writes nothing, and is
# CSRF-exempt so that it can choose the in-memory upload handler. The database check still holds.
WRITES_NOTHING = {"documents:verify_pdf"}


def test_every_post_without_a_csrf_token_is_refused(world):
    requests, accepted = 0, []
    routes = all_routes()
    clients = {role: world.client(role, enforce_csrf_checks=True) for role in ROLES}
    before = database_fingerprint()
    for role, client in clients.items():
        for route in routes:
            url = url_for(route, world)
            response = client.post(url, {"reasons": "x", "national_code": "0010000011"})
            requests += 1
            templates = {template.name for template in response.templates}
            if route.name in WRITES_NOTHING:
                continue
            if route.name.startswith(BEARER_ONLY):
                if response.status_code not in (400, 401, 403, 405):
                    accepted.append((role, route.name, url, response.status_code))
                continue
            if response.status_code != 403 or "403_csrf.html" not in templates:
                accepted.append((role, route.name, url, response.status_code))
    print(f"\n{requests} POST requests without a CSRF token, {len(accepted)} not refused")
    assert accepted == []
    assert changed_tables(before, database_fingerprint()) == []
