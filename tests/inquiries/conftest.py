import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """These tests read messages in English; Persian ones are checked where pages are."""
    with translation.override("en"):
        yield
