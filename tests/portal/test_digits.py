"""Numbers in Persian text: Persian digits, except in codes that carry Latin letters."""

from django.utils import translation

from portal.digits import local_digits


def test_numbers_and_all_digit_codes_take_persian_digits():
    with translation.override("fa"):
        assert local_digits("5 مورد") == "۵ مورد"
        assert local_digits("0010000011") == "۰۰۱۰۰۰۰۰۱۱"
        assert local_digits("1404/01/15") == "۱۴۰۴/۰۱/۱۵"


def test_a_code_with_latin_letters_never_mixes_digit_scripts():
    with translation.override("fa"):
        assert local_digits("P000048") == "P000048"
        assert local_digits("1404-CASE-9") == "1404-CASE-9"
        assert local_digits("MOU-00001") == "MOU-00001"
        assert local_digits("کارگاه INS-AAA-111 از 1390") == "کارگاه INS-AAA-111 از ۱۳۹۰"


def test_english_keeps_ascii_digits():
    with translation.override("en"):
        assert local_digits("5 items") == "5 items"


def test_the_examples_in_date_and_mobile_fields_take_the_pages_digits():
    from django import forms

    from portal.fields import JalaliDateField, MobileField

    class Example(forms.Form):
        day = JalaliDateField()
        mobile = MobileField()

    with translation.override("fa"):
        persian = str(Example())
    with translation.override("en"):
        english = str(Example())
    assert 'placeholder="۱۳۷۰/۰۵/۱۲"' in persian and 'placeholder="۰۹۱۲۱۲۳۴۵۶۷"' in persian
    assert 'placeholder="1370/05/12"' in english and 'placeholder="09121234567"' in english
