"""A citizen's first day: signs up, reads their status, issues a certificate, downloads it,
moves it to the personal inbox and gets the access code to give an agency. On a phone in
Persian, and on a desktop in English."""

import pytest

from tests.e2e.journeys import citizen as steps
from tests.e2e.journeys.people import ENGLISH_DESKTOP, PERSIAN_PHONE, Device, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", [PERSIAN_PHONE, ENGLISH_DESKTOP], ids=lambda d: d.name)
def test_citizen(device: Device, open_browser, camera):
    steps.in_the_registry(steps.MARYAM)
    citizen = Person(
        "citizen",
        open_browser(device),
        device,
        camera(device),
        national_code=steps.MARYAM.national_code,
        password="a long and unusual passphrase 7",
    )

    steps.signs_up(citizen, steps.MARYAM)
    steps.reads_status(citizen, steps.MARYAM)
    steps.issues_and_downloads_a_certificate(
        citizen, note={"fa": "برای دادگاه خانواده", "en": "For the family court"}[device.language]
    )
    steps.shares_the_code(citizen, steps.MARYAM)
