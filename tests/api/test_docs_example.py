"""docs/api.md's worked example, both the curl and the Python block exactly as written there,
against a live server: token, inquiry (and reading it again), redemption, PDF."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from inquiries.models import DisclosureChannel, DisclosureRecord
from tests.api.conftest import LOOKED_UP

pytestmark = [pytest.mark.django_db(transaction=True)]

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"


def block(language: str) -> str:
    found = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(found) == 1, f"docs/api.md should have one {language} example"
    return found[0]


@pytest.fixture
def example_env(
    live_server, settings, connect, registered_person, citizen, citizen_record, issue, share
):
    settings.SITE_URL = live_server.url  # the portal's own address: the PDF link is built on it
    connected = connect(addresses=["127.0.0.1", "::1"])
    code = share(issue(citizen), max_uses=3)
    return {
        **os.environ,
        "PORTAL": live_server.url,
        "CLIENT_ID": connected.client.client_id,
        "CLIENT_SECRET": connected.secret,
        "NATIONAL_CODE": LOOKED_UP,
        "HOLDER": citizen.national_code,
        "ACCESS_CODE": code,
    }


def test_the_python_example_runs(example_env, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", block("python")],
        env=example_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "insured today: True" in result.stdout
    assert "certificate " in result.stdout
    records = DisclosureRecord.objects.filter(channel=DisclosureChannel.API)
    assert sorted(records.values_list("purpose", flat=True)) == [
        "benefit_eligibility",
        "certificate",
    ]


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_curl_example_runs(example_env, tmp_path):
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block("bash")],
        env=example_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert (tmp_path / "certificate.pdf").read_bytes().startswith(b"%PDF")
    assert DisclosureRecord.objects.filter(channel=DisclosureChannel.API).count() == 2
