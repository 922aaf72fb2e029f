import pytest

from documents.identifiers import (
    ACCESS_CODE_ALPHABET,
    access_code_digest,
    access_code_is_well_formed,
    access_code_matches,
    clean_certificate_number,
    format_access_code,
    format_certificate_number,
    new_access_code,
    new_certificate_number,
    normalize_access_code,
    verhoeff_check_digit,
)
from portal.digits import to_persian_digits


def test_the_check_digit_catches_every_single_digit_error():
    number = new_certificate_number()
    for position in range(len(number)):
        for digit in "0123456789":
            if digit != number[position]:
                typo = number[:position] + digit + number[position + 1 :]
                assert clean_certificate_number(typo) is None


def test_the_check_digit_catches_swapped_neighbours():
    number = "123456789010"
    number = number[:11] + verhoeff_check_digit(number[:11])
    for position in range(10):
        if number[position] != number[position + 1]:
            swapped = (
                number[:position] + number[position + 1] + number[position] + number[position + 2 :]
            )
            assert clean_certificate_number(swapped) is None


def test_a_number_is_read_back_from_persian_digits_and_dashes():
    number = new_certificate_number()
    typed = to_persian_digits(format_certificate_number(number))
    assert clean_certificate_number(typed) == number
    assert clean_certificate_number(" " + number + " ") == number


def test_an_access_code_has_ten_characters_without_look_alikes():
    for _ in range(200):
        code = new_access_code()
        assert len(code) == 10
        assert not set(code) & set("0O1IL")
        assert set(code) <= set(ACCESS_CODE_ALPHABET)


def test_an_access_code_is_grouped_for_reading():
    assert format_access_code("ABCDE23456") == "ABCDE-23456"


@pytest.mark.parametrize("typed", ["abcde-23456", " ABCDE 23456 ", "abcde_23456", "ABCDE‐23456"])
def test_case_and_separators_are_ignored(typed):
    assert normalize_access_code(typed) == "ABCDE23456"
    assert access_code_is_well_formed(normalize_access_code(typed))


def test_persian_digits_in_a_code_are_read_as_ascii():
    assert normalize_access_code("abcde-۲۳۴۵۶") == "ABCDE23456"


def test_the_hash_is_keyed_with_the_server_secret(settings):
    settings.ACCESS_CODE_SECRET = "one secret"
    digest = access_code_digest("ABCDE23456")
    assert access_code_matches("abcde-23456", digest)
    settings.ACCESS_CODE_SECRET = "another secret"
    assert access_code_digest("ABCDE23456") != digest
    assert len(digest) == 64 and "ABCDE23456" not in digest
