"""National codes, legal-entity IDs, digits, mobiles and Jalali dates as people type them."""

import contextlib
import datetime
import zoneinfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import engines
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from portal.digits import ARABIC_INDIC_DIGITS, PERSIAN_DIGITS, normalize_digits
from portal.fields import JalaliDateField, LegalIdField, MobileField, NationalCodeField
from portal.jalali import format_date, parse_date
from portal.phones import normalize_mobile
from portal.validators import clean_legal_id, clean_national_code

# --- Strategies -------------------------------------------------------------------------------


def national_code_check_digit(first_nine: str) -> str:
    """Computed here independently of portal.validators, so a wrong algorithm there shows."""
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(first_nine)) % 11
    return str(remainder if remainder < 2 else 11 - remainder)


def legal_id_check_digit(first_ten: str) -> str:
    offset = int(first_ten[9]) + 2
    weights = [29, 27, 23, 19, 17] * 2
    total = sum((int(d) + offset) * w for d, w in zip(first_ten, weights, strict=True))
    return str(total % 11 % 10)


def digit_strings(length: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=length, max_size=length)


valid_national_codes = (
    digit_strings(9)
    .filter(lambda s: len(set(s)) > 1)
    .map(lambda s: s + national_code_check_digit(s))
)
valid_legal_ids = (
    digit_strings(10).filter(lambda s: len(set(s)) > 1).map(lambda s: s + legal_id_check_digit(s))
)

ASCII_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
ASCII_TO_ARABIC_INDIC = str.maketrans("0123456789", ARABIC_INDIC_DIGITS)
SEPARATORS = [" ", "-", "\u00a0", "\u200c", "\u2013", "  ", " - "]


@st.composite
def typed_as_people_do(draw: st.DrawFn, code: str) -> str:
    """The code in some digits, with separators between some of its digits."""
    digits = draw(st.sampled_from([None, ASCII_TO_PERSIAN, ASCII_TO_ARABIC_INDIC]))
    text = code.translate(digits) if digits else code
    pieces = []
    for char in text:
        pieces.append(char)
        if draw(st.booleans()):
            pieces.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(pieces).strip()


def error_of(clean, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean(value)
    return caught.value


def messages_in_english(error: ValidationError) -> list[str]:
    with translation.override("en"):
        return [str(message) for message in error.messages]


# --- National codes ---------------------------------------------------------------------------


@given(code=valid_national_codes, data=st.data())
@example(code="0010000011", data=None)
def test_it_accepts_every_valid_national_code_in_any_digits_with_separators(code, data):
    assert clean_national_code(code) == code
    assert NationalCodeField().clean(code) == code
    if data is not None:
        typed = data.draw(typed_as_people_do(code))
        assert clean_national_code(typed) == code
        assert NationalCodeField().clean(typed) == code


@given(code=valid_national_codes)
def test_it_accepts_a_valid_national_code_in_persian_and_arabic_indic_digits(code):
    assert clean_national_code(code.translate(ASCII_TO_PERSIAN)) == code
    assert clean_national_code(code.translate(ASCII_TO_ARABIC_INDIC)) == code


@given(code=valid_national_codes, wrong=st.sampled_from("0123456789"))
def test_it_rejects_a_national_code_whose_check_digit_was_changed(code, wrong):
    if wrong == code[9]:
        return
    tampered = code[:9] + wrong
    error = error_of(clean_national_code, tampered)
    assert error.code == "checksum"
    assert messages_in_english(error) == [
        "This national code is not valid; please check it against the national card."
    ]
    with pytest.raises(forms.ValidationError):
        NationalCodeField().clean(tampered)


@pytest.mark.parametrize("digit", "0123456789")
def test_it_rejects_all_same_digit_national_codes(digit):
    # Several of these (1111111111, 2222222222, …) pass the check digit arithmetic.
    assert error_of(clean_national_code, digit * 10).code == "checksum"


@pytest.mark.parametrize(
    ("value", "count"),
    [("001000001", 9), ("00100000111", 11), ("۰۰۱۰۰۰۰۰۱", 9), ("0010-000-0111", 11)],
)
def test_it_tells_how_many_digits_a_national_code_needs(value, count):
    error = error_of(clean_national_code, value)
    assert error.code == "length"
    assert messages_in_english(error) == [f"Enter exactly 10 digits; you entered {count}."]


@pytest.mark.parametrize("value", ["00100000a1", "abcdefghij", "0010000011x", "001000001²"])
def test_it_asks_for_digits_only_when_a_national_code_has_other_characters(value):
    error = error_of(clean_national_code, value)
    assert error.code == "not_digits"
    assert messages_in_english(error) == ["Enter digits only."]


def test_the_national_code_field_says_it_is_required_and_keeps_length_errors():
    field = NationalCodeField()
    with pytest.raises(forms.ValidationError) as required:
        field.clean(" - ")
    assert messages_in_english(required.value) == ["Enter the national code."]
    with pytest.raises(forms.ValidationError) as short:
        field.clean("۰۰۱۰۰۰۰۰۱")
    assert short.value.error_list[0].code == "length"


# --- Legal-entity IDs -------------------------------------------------------------------------


@given(legal_id=valid_legal_ids, data=st.data())
@example(legal_id="10380284790", data=None)
@example(legal_id="14007650912", data=None)
def test_it_accepts_every_valid_legal_id_in_any_digits_with_separators(legal_id, data):
    assert clean_legal_id(legal_id) == legal_id
    assert LegalIdField().clean(legal_id) == legal_id
    if data is not None:
        typed = data.draw(typed_as_people_do(legal_id))
        assert clean_legal_id(typed) == legal_id
        assert LegalIdField().clean(typed) == legal_id


@given(legal_id=valid_legal_ids, wrong=st.sampled_from("0123456789"))
def test_it_rejects_a_legal_id_whose_check_digit_was_changed(legal_id, wrong):
    if wrong == legal_id[10]:
        return
    error = error_of(clean_legal_id, legal_id[:10] + wrong)
    assert error.code == "checksum"
    assert messages_in_english(error) == [
        "This legal-entity national ID is not valid; please check it."
    ]


@pytest.mark.parametrize("digit", "0123456789")
def test_it_rejects_all_same_digit_legal_ids(digit):
    assert error_of(clean_legal_id, digit * 11).code == "checksum"


@pytest.mark.parametrize(("value", "count"), [("1038028479", 10), ("103802847901", 12)])
def test_it_tells_how_many_digits_a_legal_id_needs(value, count):
    error = error_of(clean_legal_id, value)
    assert error.code == "length"
    assert messages_in_english(error) == [f"Enter exactly 11 digits; you entered {count}."]


def test_it_asks_for_digits_only_when_a_legal_id_has_letters():
    error = error_of(LegalIdField().clean, "1038028479O")  # a letter O, not a zero
    assert error.error_list[0].code == "not_digits"
    assert messages_in_english(error) == ["Enter digits only."]


# --- Digits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۰۰۱۲-۳٤٥", "0012345"),
        (" 12 34\u00a056\u200c78\u200f ", "12345678"),
        ("12\u201334\u221256_7", "1234567"),
        ("abc", "abc"),
        ("", ""),
    ],
)
def test_it_normalizes_digits_to_ascii_and_drops_separators(typed, normalized):
    assert normalize_digits(typed) == normalized


# --- Mobiles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "09121234567",
        "9121234567",
        "+989121234567",
        "00989121234567",
        "0098 912 123 4567",
        "+98 (912) 123-4567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "۰۹۱۲ ۱۲۳ ۴۵۶۷",
    ],
)
def test_it_normalizes_iranian_mobiles_to_e164(typed):
    assert normalize_mobile(typed) == "+989121234567"
    assert MobileField().clean(typed) == "+989121234567"


@pytest.mark.parametrize(
    "typed",
    [
        "02188776655",  # a Tehran landline
        "+98 21 8877 6655",
        "+14155552671",  # a US number
        "+447911123456",  # a UK mobile
        "0912123456",  # one digit short
        "091212345678",  # one digit long
        "0912ABC4567",  # letters are not digits, whatever a phone keypad says
        "mobile",
        "+",
    ],
)
def test_it_rejects_landlines_foreign_and_malformed_numbers(typed):
    error = error_of(normalize_mobile, typed)
    assert error.code == "invalid_mobile"
    assert messages_in_english(error) == [
        "Enter an Iranian mobile number, for example 09121234567."
    ]


# --- Jalali dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "date"),
    [
        ("1402/05/01", datetime.date(2023, 7, 23)),
        ("۱۴۰۲/۰۵/۰۱", datetime.date(2023, 7, 23)),
        ("١٤٠٢/٠٥/٠١", datetime.date(2023, 7, 23)),
        ("1402-5-1", datetime.date(2023, 7, 23)),
        (" 1370 / 05 / 12 ", datetime.date(1991, 8, 3)),
        ("1403/12/30", datetime.date(2025, 3, 20)),  # 1403 is a leap year
        ("2023-07-23", datetime.date(2023, 7, 23)),
        ("۲۰۲۴-۰۲-۲۹", datetime.date(2024, 2, 29)),
    ],
)
def test_it_parses_jalali_and_iso_dates(typed, date):
    assert parse_date(typed) == date
    assert JalaliDateField().clean(typed) == date


@pytest.mark.parametrize(
    "typed",
    [
        "1402/12/30",  # 1402 is not a leap year
        "1402/12/31",
        "1402/13/01",
        "1402/00/10",
        "1402/01/32",
        "2023-02-29",
        "0000/01/01",
        "1402/05",
        "tomorrow",
        "",
    ],
)
def test_it_rejects_impossible_and_malformed_dates(typed):
    with pytest.raises(ValueError):
        parse_date(typed)


def test_a_date_the_form_starts_from_is_shown_as_the_page_writes_dates():
    """A stored birth date in the identity page's field: Jalali in Persian digits on a Persian
    page (it showed 1990-03-21 there), ISO on an English one, and either reads back."""

    class Form(forms.Form):
        birth_date = JalaliDateField()

    day = datetime.date(1990, 3, 21)
    for language, shown in (("fa", "۱۳۶۹/۰۱/۰۱"), ("en", "1990-03-21")):
        with translation.override(language):
            field = Form(initial={"birth_date": day})["birth_date"]
            assert f'value="{shown}"' in str(field)
        assert JalaliDateField().clean(shown) == day


def test_the_date_field_explains_the_expected_format():
    with pytest.raises(forms.ValidationError) as caught:
        JalaliDateField().clean("30/12/1402")
    assert messages_in_english(caught.value) == [
        "Enter a date like 1370/05/12 (Solar Hijri) or 1991-08-03."
    ]


def test_the_date_field_says_a_date_does_not_exist():
    with pytest.raises(forms.ValidationError) as caught:
        JalaliDateField().clean("1402/12/30")
    assert messages_in_english(caught.value) == [
        "This date does not exist in the calendar: check the day and the month."
    ]


@given(st.text(max_size=30) | st.from_regex(r"\A[0-9۰-۹]{1,5}[/-][0-9]{1,3}[/-][0-9]{1,3}\Z"))
def test_it_raises_nothing_but_value_error_for_any_text(text):
    # The form field turns ValueError into a form error; anything else would be a 500.
    with contextlib.suppress(ValueError):
        assert isinstance(parse_date(text), datetime.date)


def test_it_formats_dates_as_jalali_in_persian_and_iso_in_english():
    date = datetime.date(2023, 7, 23)
    with translation.override("fa"):
        assert format_date(date) == "۱۴۰۲/۰۵/۰۱"
    with translation.override("en"):
        assert format_date(date) == "2023-07-23"
    assert format_date(None) == ""


def test_it_formats_aware_datetimes_in_tehran_time():
    # 21:00 UTC on 2023-07-22 is 00:30 on 1402/05/01 in Tehran.
    moment = datetime.datetime(2023, 7, 22, 21, 0, tzinfo=datetime.UTC)
    with translation.override("fa"):
        assert format_date(moment) == "۱۴۰۲/۰۵/۰۱"
        assert format_date(moment, with_time=True) == "۱۴۰۲/۰۵/۰۱ ۰۰:۳۰"
    with translation.override("en"):
        assert format_date(moment, with_time=True) == "2023-07-23 00:30"
    tehran = zoneinfo.ZoneInfo("Asia/Tehran")
    assert format_date(moment.astimezone(tehran)) == format_date(moment)


# --- Template filters -------------------------------------------------------------------------


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return engines["django"].from_string(source).render(context)


def test_the_filters_need_no_load_and_follow_the_language():
    source = "{{ d|jdate }}|{{ t|jdatetime }}|{{ n|localdigits }}|{{ m|mobile }}|{{ none|jdate }}"
    context = {
        "d": datetime.date(2023, 7, 23),
        "t": datetime.datetime(2023, 7, 22, 21, 0, tzinfo=datetime.UTC),
        "n": 1234,
        "m": "+989121234567",
        "none": None,
    }
    assert render(source, "fa", **context) == "۱۴۰۲/۰۵/۰۱|۱۴۰۲/۰۵/۰۱ ۰۰:۳۰|۱۲۳۴|۰۹۱۲ ۱۲۳ ۴۵۶۷|"
    assert render(source, "en", **context) == "2023-07-23|2023-07-23 00:30|1234|0912 123 4567|"


def test_the_filters_show_nothing_for_missing_values():
    assert render("[{{ x|localdigits }}][{{ x|mobile }}][{{ x|jdatetime }}]", "fa", x=None) == (
        "[][][]"
    )


def test_the_length_message_counts_in_the_digits_of_the_language_it_is_shown_in():
    with pytest.raises(ValidationError) as raised:
        clean_national_code("12345")
    with translation.override("fa"):
        assert raised.value.messages == ["دقیقاً ۱۰ رقم وارد کنید؛ شما ۵ رقم وارد کرده‌اید."]
    with translation.override("en"):
        assert raised.value.messages == ["Enter exactly 10 digits; you entered 5."]
