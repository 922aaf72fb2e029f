"""Three parallel POSTs to /me/certificates/new/ on a fresh database of its own; prints what
they got as JSON. Run by test_double_submit.py in a subprocess, so that the database is the
embedded default's SQLite file and not pytest's in-memory one (whose locking is not the file's).

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.documents.parallel_issuing SAME|FRESH
"""

import json
import os
import re
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

PARALLEL = 3


def main(mode: str) -> None:
    from documents.models import Certificate
    from inquiries.models import InsuredPerson
    from tests.conftest import BIRTH_DATE, make_user

    call_command("migrate", verbosity=0)
    citizen = make_user("0010000011", "+989121110001")
    InsuredPerson.objects.create(
        national_code=citizen.national_code,
        first_name="سارا",
        last_name="احمدی",
        birth_date=BIRTH_DATE,
        gender="F",
    )
    client = Client()
    client.force_login(citizen)
    form = client.get("/me/certificates/new/").content.decode()
    token = re.search(r'name="submission" value="([^"]+)"', form)
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[dict] = []

    def post(index: int) -> None:
        try:
            data = {"language": "fa", "note": ""}
            if mode == "SAME" and token:
                data["submission"] = token.group(1)
            elif mode == "FRESH":
                data["submission"] = f"fresh-token-{index:02d}-0123456789abcdef"
            barrier.wait(timeout=30)
            try:
                response = client.post("/me/certificates/new/", data)
                outcomes.append(
                    {"status": response.status_code, "location": response.get("Location", "")}
                )
            except Exception as error:  # what a person would have seen as a 500
                outcomes.append({"status": 500, "error": repr(error)})
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    print(
        json.dumps(
            {
                "token_in_form": bool(token),
                "outcomes": outcomes,
                "certificates": Certificate.objects.filter(holder=citizen).count(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
