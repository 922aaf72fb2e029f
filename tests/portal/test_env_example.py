""".env.example is valid both for `docker compose` (its env_file) and for a shell's
`set -a; . ./.env`, and both read the same values from it."""

import json
import os
import subprocess
import sys

from django.conf import settings

EXAMPLE = settings.BASE_DIR / ".env.example"

DUMP = "import json, os, sys; print(json.dumps(dict(os.environ)))"


def baseline() -> dict[str, str]:
    """What the environment holds before the file is read, to subtract from it."""
    result = subprocess.run(
        ["env", "-i", "bash", "-c", f"{sys.executable} -c '{DUMP}'"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return json.loads(result.stdout)


def read_with_the_shell() -> tuple[dict[str, str], str]:
    result = subprocess.run(
        ["env", "-i", "bash", "-c", f"set -a; . ./.env.example; {sys.executable} -c '{DUMP}'"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    before = baseline()
    read = {key: value for key, value in json.loads(result.stdout).items() if key not in before}
    return read, result.stderr


def read_as_compose_does() -> dict[str, str]:
    """django-environ's reader, which follows the .env rules compose documents (`KEY=value`,
    quotes stripped, `#` lines ignored)."""
    code = (
        "import environ, json, os; before = dict(os.environ); "
        "environ.Env.read_env('.env.example'); "
        "print(json.dumps({k: v for k, v in os.environ.items() if k not in before}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_shell_reads_it_without_an_error():
    read, errors = read_with_the_shell()
    assert errors == ""
    assert read["DEBUG"] == "0"
    assert read["MFA_TOTP_ISSUER"] == "SSO e-services portal"


def test_the_shell_and_compose_read_the_same_values():
    shell, _ = read_with_the_shell()
    compose = read_as_compose_does()
    assert shell == compose
    assert len(shell) > 30


def test_no_value_has_an_unquoted_space_or_a_dollar():
    """An unquoted space breaks the shell; `$` would be expanded by compose and the shell."""
    for number, line in enumerate(EXAMPLE.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        assert name.isidentifier() and name.isupper(), (number, line)
        assert "$" not in value, (number, line)
        if " " in value:
            assert value[0] == value[-1] and value[0] in "\"'", (number, line)


def test_every_new_setting_of_the_operators_is_in_it():
    text = EXAMPLE.read_text()
    for name in ("METRICS_ALLOWED_IPS", "METRICS_TOKEN", "PROMETHEUS_MULTIPROC_DIR", "LOG_FORMAT"):
        assert f"{name}=" in text, name
