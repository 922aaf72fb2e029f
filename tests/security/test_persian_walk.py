"""Every page as every role, in Persian: no Latin digit inside Persian text, no code mixing
digit scripts, no English sentence (the rule is in tests/persian_text.py)."""

import pytest
from django.apps import apps
from django.db import models

from tests.persian_text import persian_text_findings
from tests.security.conftest import ROLES, World, all_routes, url_for

pytestmark = pytest.mark.django_db


def stored_text() -> frozenset[str]:
    """Every short text value in the database: names and titles people typed, shown as typed."""
    values: set[str] = set()
    for model in apps.get_models():
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not text_fields:
            continue
        for row in model._default_manager.values_list(*text_fields):
            values.update(v.strip() for v in row if isinstance(v, str) and 1 < len(v.strip()) < 80)
    return frozenset(values)


def walk_in_persian(world: World, *, admin: bool) -> tuple[int, dict[str, set[str]]]:
    """The pages walked, and what breaks the rule -> where (page and role)."""
    data = stored_text()
    routes = [r for r in all_routes() if r.route.startswith("admin/") == admin]
    found: dict[str, set[str]] = {}
    pages = 0
    for role in ROLES:
        client = world.client(role)
        client.cookies["django_language"] = "fa"
        for route in routes:
            url = url_for(route, world)
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            pages += 1
            for finding in persian_text_findings(response.content.decode(), data=data):
                found.setdefault(str(finding), set()).add(f"{url} ({role})")
    print(f"\n{pages} Persian pages walked ({len(routes)} URL patterns x {len(ROLES)} roles)")
    return pages, found


def report(found: dict[str, set[str]]) -> str:
    return f"{len(found)} breaches of the Persian rule:\n" + "\n".join(
        f"{finding}\n    on {', '.join(sorted(where)[:3])}{' ...' if len(where) > 3 else ''}"
        for finding, where in sorted(found.items())
    )


def test_every_page_of_every_role_is_persian_in_persian(world):
    pages, found = walk_in_persian(world, admin=False)
    assert pages > 100  # the walk saw real pages, not a wall of redirects
    assert not found, report(found)


def test_every_admin_page_is_persian_in_persian(world):
    pages, found = walk_in_persian(world, admin=True)
    assert pages > 20
    assert not found, report(found)
