"""The Persian walk's rule catches what it should and lets codes shown left-to-right be."""

from tests.persian_text import persian_text_findings


def kinds(html: str, **options) -> list[str]:
    return [finding.kind for finding in persian_text_findings(html, **options)]


def test_it_catches_latin_digits_in_persian_text():
    assert kinds("<p>(5 مورد)</p>") == ["latin digit"]
    assert kinds("<p>ردیف 2</p>") == ["latin digit"]
    assert kinds('<p title="۹۰ روز یا 90 روز"></p>') == ["latin digit"]


def test_it_catches_codes_that_mix_digit_scripts():
    assert "mixed scripts" in kinds("<p>شماره P۰۰۰۰۴۸</p>")
    assert "mixed scripts" in kinds('<span class="ltr">INS-AAA-۱۱۱</span>')


def test_it_catches_english_sentences():
    assert kinds("<p>You have signed out.</p>") == ["english"]


def test_it_lets_codes_shown_left_to_right_be():
    assert kinds('<p>کد ملی <span class="ltr">0010000011</span></p>') == []
    assert kinds('<p>شماره <bdi dir="ltr">+989121234567</bdi></p>') == []
    assert kinds("<p>کد تأیید به \u2066+989121234567\u2069 ارسال شد.</p>") == []
    assert kinds('<input value="0010000011"><textarea>12</textarea>') == []


def test_it_lets_names_people_typed_be():
    assert (
        kinds("<p>مرجع Demo Relief Foundation</p>", data=frozenset({"Demo Relief Foundation"}))
        == []
    )
