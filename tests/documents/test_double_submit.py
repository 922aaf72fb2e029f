"""Issuing is idempotent per form submission: the form carries a one-time token, and parallel
POSTs of one form make one certificate and never a 500, on PostgreSQL and on SQLite."""

import json
import os
import re
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from documents.models import Certificate

NEW = reverse("documents:certificate_new")


def form_token(client: Client) -> str:
    html = client.get(NEW).content.decode()
    match = re.search(r'<input type="hidden" name="submission" value="([^"]+)"', html)
    assert match, "the form carries no one-time token"
    return match.group(1)


@pytest.mark.django_db
def test_the_same_form_submitted_twice_issues_one_certificate(
    client, citizen, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    token = form_token(client)
    assert token != form_token(client), "every form gets its own token"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(NEW, {"language": "fa", "note": "", "submission": token})
        second = client.post(NEW, {"language": "fa", "note": "", "submission": token})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Certificate.objects.filter(holder=citizen).count() == 1


@pytest.mark.django_db
def test_a_token_is_only_its_holders(client, citizen, other_citizen):
    """Someone else's token claims nothing of theirs: it makes the other person's own
    certificate and leads to no page of the first person's."""
    client.force_login(citizen)
    token = form_token(client)
    client.post(NEW, {"language": "fa", "note": "", "submission": token})
    mine = Certificate.objects.get(holder=citizen)
    other = Client()
    other.force_login(other_citizen)
    response = other.post(NEW, {"language": "fa", "note": "", "submission": token})
    assert response.status_code == 302
    assert mine.number not in response["Location"]
    assert Certificate.objects.filter(holder=other_citizen).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_parallel_posts_of_one_form_issue_one_certificate_on_postgresql(citizen):
    client = Client()
    client.force_login(citizen)
    token = form_token(client)
    barrier = threading.Barrier(3)
    outcomes: list = []

    def post() -> None:
        try:
            barrier.wait(timeout=30)
            try:
                response = client.post(NEW, {"language": "fa", "note": "", "submission": token})
                outcomes.append((response.status_code, response["Location"]))
            except Exception as error:
                outcomes.append((500, repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    certificate = Certificate.objects.get(holder=citizen)
    assert outcomes == [(302, f"/me/certificates/{certificate.number}/")] * 3


def run_on_sqlite(tmp_path, mode: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "REDIS_URL": "",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PORTAL_TESTING": "1",
        "PORTAL_ENV_FILE": "",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "SMS_BACKEND": "portal.sms.backends.locmem.SmsBackend",
        "IDENTITY_BACKEND": "locmem",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.documents.parallel_issuing", mode],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_three_parallel_posts_of_one_form_issue_one_certificate_on_sqlite(tmp_path):
    seen = run_on_sqlite(tmp_path, "SAME")
    assert seen["token_in_form"]
    assert [outcome["status"] for outcome in seen["outcomes"]] == [302] * 3, seen
    assert len({outcome["location"] for outcome in seen["outcomes"]}) == 1
    assert seen["certificates"] == 1


def test_three_parallel_forms_issue_three_certificates_and_no_500_on_sqlite(tmp_path):
    seen = run_on_sqlite(tmp_path, "FRESH")
    assert [outcome["status"] for outcome in seen["outcomes"]] == [302] * 3, seen
    assert seen["certificates"] == 3
