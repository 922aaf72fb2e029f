"""/gov/staff/: the agency admin sends the staff list as form rows or a CSV file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import strip_tags

from agencies.models import Membership, RemovalRequest, StaffList, StaffListRow
from portal.digits import to_persian_digits
from tests.agencies.conftest import add_member
from tests.agencies.factories import AgencyFactory, national_code

pytestmark = pytest.mark.django_db

STAFF = "/gov/staff/"
HEADER = "national_code,first_name,last_name,position,mobile,email"


@pytest.fixture
def admin_client(client, agency_admin, admin_membership):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(agency_admin)
    return client


def rows_data(rows, extra_blank=1):
    data = {
        "form-TOTAL_FORMS": str(len(rows) + extra_blank),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "500",
        "rows": "",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = value
    return data


def person(serial, **overrides):
    row = {
        "national_code": national_code(serial),
        "first_name": "Ali",
        "last_name": f"Synthetic{serial}",
        "position": "Clerk",
        "mobile": f"0935{serial:07d}",
        "email": "",
    }
    row.update(overrides)
    return row


def csv_upload(text: str, *, bom: bool = False, encoding: str = "utf-8"):
    content = ("\ufeff" if bom else "") + text
    return SimpleUploadedFile("staff.csv", content.encode(encoding), content_type="text/csv")


def test_the_page_lists_current_staff_and_offers_both_ways_to_add(admin_client, agency_admin):
    response = admin_client.get(STAFF)
    assert response.status_code == 200
    assert agency_admin.national_code.encode() in response.content
    assert b'name="form-0-national_code"' in response.content
    assert b'name="file"' in response.content


def test_rows_typed_in_persian_digits_are_sent_to_it(admin_client, agency):
    persian = person(1, national_code=to_persian_digits(national_code(1)), mobile="۰۹۳۵ ۰۰۰ ۰۰۰۱")
    response = admin_client.post(STAFF, rows_data([persian, person(2)]))
    assert response.status_code == 302
    staff_list = StaffList.objects.get(agency=agency)
    assert list(staff_list.rows.values_list("national_code", "mobile")) == [
        (national_code(1), "+989350000001"),
        (national_code(2), "+989350000002"),
    ]


def test_one_bad_row_sends_the_whole_list_back_with_every_problem_marked(admin_client):
    bad_code = national_code(3)[:-1] + str((int(national_code(3)[-1]) + 1) % 10)
    response = admin_client.post(
        STAFF,
        rows_data(
            [
                person(1),
                person(2, national_code=bad_code),
                person(3, mobile=""),
                person(4, national_code=national_code(1)),
            ]
        ),
    )
    assert response.status_code == 400
    errors = response.context["formset"].errors
    assert errors[0] == {}
    assert "not valid" in str(errors[1]["national_code"])
    assert "mobile" in errors[2]
    assert "also in row 1" in str(errors[3]["national_code"])
    assert b"Synthetic3" in response.content  # what was typed is kept
    assert not StaffList.objects.exists()


def test_people_who_already_have_access_or_are_waiting_are_refused(
    admin_client, agency, agency_staff, operator
):
    add_member(agency_staff, agency, "staff", operator)
    admin_client.post(STAFF, rows_data([person(7)]))
    response = admin_client.post(
        STAFF,
        rows_data(
            [person(8, national_code=agency_staff.national_code), person(7, mobile="09350000077")]
        ),
    )
    errors = response.context["formset"].errors
    assert "already has access" in str(errors[0]["national_code"])
    assert "not granted yet" in str(errors[1]["national_code"])
    assert StaffList.objects.count() == 1


def test_an_empty_form_is_refused(admin_client):
    response = admin_client.post(STAFF, rows_data([], extra_blank=3))
    assert response.status_code == 400
    assert "at least one" in str(response.context["formset"].non_form_errors())


@pytest.mark.parametrize(
    "tampered",
    [{"form-TOTAL_FORMS": "many"}, {"form-MAX_NUM_FORMS": "x"}, {"form-TOTAL_FORMS": "9999"}],
)
def test_altered_row_counts_are_told_once_in_persian(admin_client, tampered):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fa"
    response = admin_client.post(STAFF, {**rows_data([person(1)]), **tampered})
    page = response.content.decode()
    assert response.status_code == 400
    assert "(Hidden field" not in page and "فیلد پنهان" not in page
    assert "TOTAL_FORMS" not in strip_tags(page).replace('name="form-TOTAL_FORMS"', "")
    alert = strip_tags(page.split('class="alert alert-danger">')[1].split("</div>")[0])
    assert "صفحه را دوباره باز کنید" in alert or "حداکثر ۵۰۰ ردیف" in alert, alert


# --- CSV ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [True, False])
def test_a_good_csv_file_is_sent_to_it_with_all_its_rows(admin_client, agency, bom):
    lines = [HEADER] + [",".join(person(serial).values()) for serial in range(10, 15)]
    response = admin_client.post(
        STAFF, {"upload": "", "file": csv_upload("\r\n".join(lines) + "\r\n", bom=bom)}
    )
    assert response.status_code == 302
    assert StaffListRow.objects.filter(staff_list__agency=agency).count() == 5


def test_a_csv_with_bad_rows_is_shown_back_with_every_problem_and_nothing_saved(admin_client):
    bad_check_digit = national_code(21)[:-1] + str((int(national_code(21)[-1]) + 1) % 10)
    lines = [
        HEADER,
        # Persian digits are fine
        f"{to_persian_digits(national_code(20))},Sara,Synthetic,Clerk,۰۹۳۵۰۰۰۰۰۲۰,",
        f"{bad_check_digit},Reza,Synthetic,Clerk,09350000021,",
        f"{national_code(22)},Mina,Synthetic,Clerk,,",
        f"{national_code(20)},Sara,Again,Clerk,09350000023,",
        f"{national_code(24)},Omid,Synthetic,Clerk,09350000024,not-an-email",
    ]
    response = admin_client.post(
        STAFF, {"upload": "", "file": csv_upload("\n".join(lines), bom=True)}
    )
    assert response.status_code == 400
    errors = response.context["formset"].errors
    assert errors[0] == {}
    assert "not valid" in str(errors[1]["national_code"])
    assert "mobile" in errors[2]
    assert "also in row 1" in str(errors[3]["national_code"])
    assert "email" in errors[4]
    assert response.context["formset"].problem_count() == 4
    assert b"Nothing was saved" in response.content
    assert not StaffList.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,name\n0010000011,Ali\n", "missing columns"),
        (HEADER + ",age\n", "unknown columns"),
        (HEADER + "\n", "no staff rows"),
        ("", "empty"),
    ],
)
def test_a_csv_with_the_wrong_header_or_no_rows_is_refused(admin_client, content, message):
    response = admin_client.post(STAFF, {"upload": "", "file": csv_upload(content)})
    assert response.status_code == 400
    assert message in str(response.context["csv_form"].errors["file"])
    assert not StaffList.objects.exists()


def test_a_csv_that_is_not_utf8_is_refused_with_a_hint(admin_client):
    text = HEADER + "\n" + f"{national_code(30)},علی,مصنوعی,کارشناس,09350000030,\n"
    response = admin_client.post(STAFF, {"upload": "", "file": csv_upload(text, encoding="utf-16")})
    assert response.status_code == 400
    assert "UTF-8" in str(response.context["csv_form"].errors["file"])


def test_the_template_downloads_with_a_bom_and_the_header(admin_client):
    response = admin_client.get("/gov/staff/template.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff" + HEADER)


def test_the_template_filled_in_uploads_cleanly(admin_client, agency):
    template = admin_client.get("/gov/staff/template.csv").content
    filled = template + ",".join(person(40).values()).encode() + b"\r\n"
    upload = SimpleUploadedFile("staff.csv", filled, content_type="text/csv")
    response = admin_client.post(STAFF, {"upload": "", "file": upload})
    assert response.status_code == 302
    assert StaffListRow.objects.filter(staff_list__agency=agency).count() == 1


# --- Removal requests --------------------------------------------------------------------------


def test_the_admin_asks_it_to_remove_a_staff_members_access(
    admin_client, staff_membership, agency_admin
):
    url = f"/gov/staff/{staff_membership.pk}/removal/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"reasons": ""}).status_code == 400
    response = admin_client.post(url, {"reasons": "Moved to another office."})
    assert response.status_code == 302
    removal = RemovalRequest.objects.get()
    assert (removal.membership, removal.requested_by) == (staff_membership, agency_admin)
    staff_membership.refresh_from_db()
    assert staff_membership.is_active  # IT removes it; the admin only asks


def test_the_admin_cannot_touch_another_agencys_staff(admin_client, outsider, operator):
    elsewhere = add_member(outsider, AgencyFactory.create(), "staff", operator)
    assert admin_client.get(f"/gov/staff/{elsewhere.pk}/removal/").status_code == 404
    assert Membership.objects.get(pk=elsewhere.pk).is_active


def test_the_staff_page_takes_the_same_number_of_queries_for_many_staff(
    admin_client, agency, operator, django_assert_max_num_queries
):
    from tests.conftest import make_user

    def add_staff(first, last):
        for serial in range(first, last):
            user = make_user(national_code(serial), f"+989351{serial:06d}")
            Membership.objects.create(user=user, agency=agency, granted_by=operator)

    add_staff(300, 302)
    admin_client.post(STAFF, rows_data([person(1)]))  # one list waiting for IT
    with django_assert_max_num_queries(40) as few:
        admin_client.get(STAFF)
    add_staff(302, 320)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(STAFF)
    assert len(response.context["members"]) == 21


def test_a_200_kb_field_is_refused_as_that_rows_problem(admin_client):
    lines = [
        HEADER,
        ",".join(person(50).values()),
        f"{national_code(51)},{'A' * 200_000},Synthetic,Clerk,09350000051,",
    ]
    response = admin_client.post(STAFF, {"upload": "", "file": csv_upload("\n".join(lines))})
    assert response.status_code == 400
    errors = str(response.context["csv_form"].errors["file"])
    assert "Row 3 of the file" in errors
    assert "AAAA" not in response.content.decode()
    assert not StaffList.objects.exists()


def test_a_field_over_the_cap_is_reported_on_its_row(admin_client):
    lines = [
        HEADER,
        f"{national_code(52)},Ali,{'B' * 300},Clerk,09350000052,",
        ",".join(person(53).values()),
        f"{national_code(54)},Ali,Synthetic,{'C' * 300},09350000054,",
    ]
    response = admin_client.post(STAFF, {"upload": "", "file": csv_upload("\n".join(lines))})
    assert response.status_code == 400
    errors = response.context["csv_form"].errors["file"]
    assert [error for error in errors if "Row" in error] == [
        "Row 2 of the file: the last_name column is longer than 254 characters.",
        "Row 4 of the file: the position column is longer than 254 characters.",
    ]
    assert not StaffList.objects.exists()


def test_a_file_over_1_mb_is_refused_before_it_is_read(admin_client):
    lines = [HEADER] + [",".join(person(60).values())] * 24_000  # about 1.1 MB
    upload = csv_upload("\n".join(lines))
    assert upload.size > 1024 * 1024
    response = admin_client.post(STAFF, {"upload": "", "file": upload})
    assert response.status_code == 400
    assert "at most 1 MB" in str(response.context["csv_form"].errors["file"])
    assert not StaffList.objects.exists()


def test_a_quoted_field_spanning_many_lines_is_a_row_error_not_a_500(admin_client):
    many_lines = "\n".join(["B" * 60] * 2_500)  # 150 KB inside one pair of quotes
    lines = [HEADER, f'{national_code(61)},Ali,"{many_lines}",Clerk,09350000061,']
    response = admin_client.post(STAFF, {"upload": "", "file": csv_upload("\n".join(lines))})
    assert response.status_code == 400
    assert "Row 2 of the file" in str(response.context["csv_form"].errors["file"])
