import csv
import io
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agencies import selectors
from agencies.models import AccessRequest
from agencies.services import APPLICATION_FIELDS
from agencies.uploads import ALLOWED_KINDS, sniff_kind, validate_official_document
from portal.digits import LocalNumber, to_ascii_digits
from portal.fields import (
    JalaliDateField,
    LegalIdField,
    LocalIntegerField,
    MobileField,
    NationalCodeField,
)
from portal.jalali import format_date


def posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to, even when empty (an empty form post is an error to show,
    not a fresh form); None on GET."""
    return request.POST if request.method == "POST" else None


def posted_files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def checked_document(file: Any) -> Any:
    """Validate an uploaded document by content and give it the extension its content says."""
    validate_official_document(file)
    mime = sniff_kind(file)
    if mime in ALLOWED_KINDS:
        file.name = f"document.{ALLOWED_KINDS[mime]}"
    return file


class LetterOnFileInput(forms.FileInput):
    """A file input that, on resubmission, first links to the letter already on file.

    Through the applicant's own download page (mine or 404), never the storage path that
    Django's ClearableFileInput prints, which is no link that works for a private file; and
    with no "clear" box, as a request always keeps a letter.
    """

    template_name = "agencies/widgets/letter_on_file.html"

    def __init__(self, *args: Any, letter_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.letter_url = letter_url

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["letter_url"] = self.letter_url
        return context


class AccessRequestForm(forms.ModelForm):
    legal_id = LegalIdField()
    letter_date = JalaliDateField(label=_("Official letter date"))
    contact_mobile = MobileField(label=_("Contact mobile"))
    monthly_volume = LocalIntegerField(
        label=_("Expected inquiries a month"), min_value=1, max_value=10_000_000
    )

    class Meta:
        model = AccessRequest
        fields = list(APPLICATION_FIELDS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        has_letter = bool(self.instance.pk and self.instance.letter)
        self.fields["letter"].widget = LetterOnFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"},
            letter_url=(
                reverse("agencies:request_letter", args=[self.instance.pk]) if has_letter else ""
            ),
        )
        if self.instance.pk:
            # On resubmission the letter already on file stays unless a new one is attached.
            self.fields["letter"].required = False
            self.fields["letter"].help_text = _(
                "Attach a new letter only if the committee asked for one."
            )
            # As the applicant reads dates: Jalali in Persian, ISO in English.
            self.initial["letter_date"] = format_date(self.instance.letter_date)

    def clean_letter_number(self) -> str:
        # One form for the number whichever digits it was typed in, so searches find it.
        return to_ascii_digits(self.cleaned_data["letter_number"]).strip()

    def clean_letter(self) -> Any:
        letter = self.cleaned_data.get("letter")
        if letter and hasattr(letter, "content_type"):  # a new upload, not the stored file
            return checked_document(letter)
        return letter

    def details(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.instance.pk and not self.files.get("letter"):
            data["letter"] = None
        return data


# --- Staff lists -------------------------------------------------------------------------------

CSV_COLUMNS = ("national_code", "first_name", "last_name", "position", "mobile", "email")
# No staff list field needs more (an email address is at most 254); a longer one is refused on
# its row without being shown back.
CSV_FIELD_MAX_CHARS = 254


class StaffRowForm(forms.Form):
    national_code = NationalCodeField()
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    position = forms.CharField(label=_("Position"), max_length=150)
    mobile = MobileField()
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["national_code"].widget.attrs["autocomplete"] = "off"
        self.fields["mobile"].widget.attrs["autocomplete"] = "off"
        # In the table the placeholder shows the example; a help text per row would be noise.
        self.fields["mobile"].help_text = ""


class BaseStaffRowFormSet(forms.BaseFormSet):
    """Every row validated; duplicates within the submission, against the agency's staff and
    against lists IT has not yet granted are marked on the rows themselves."""

    default_error_messages = {
        # Only a hand-made request gets here: the page's hidden row counts were changed.
        "missing_management_form": _(
            "The form arrived altered and could not be read. Please load the page again."
        ),
    }

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        self.agency_id = agency_id
        super().__init__(*args, **kwargs)

    def filled_forms(self) -> list[forms.Form]:
        return [form for form in self.forms if form.has_changed()]

    def clean(self) -> None:
        if not self.management_form.is_valid():
            return  # the one error to tell: the form arrived altered
        members = selectors.member_national_codes_of(self.agency_id)
        pending = selectors.pending_national_codes_of(self.agency_id)
        seen_codes: dict[str, int] = {}
        seen_mobiles: dict[str, int] = {}
        for number, form in enumerate(self.forms, start=1):
            if not form.has_changed() or not hasattr(form, "cleaned_data"):
                continue
            code = form.cleaned_data.get("national_code")
            mobile = form.cleaned_data.get("mobile")
            if code:
                if code in seen_codes:
                    form.add_error(
                        "national_code",
                        _("This national code is also in row %(row)d.") % {"row": seen_codes[code]},
                    )
                elif code in members:
                    form.add_error(
                        "national_code", _("This person already has access for your agency.")
                    )
                elif code in pending:
                    form.add_error(
                        "national_code",
                        _("This person is in a staff list that IT has not granted yet."),
                    )
                seen_codes.setdefault(code, number)
            if mobile:
                if mobile in seen_mobiles:
                    form.add_error(
                        "mobile",
                        _("This mobile number is also in row %(row)d.")
                        % {"row": seen_mobiles[mobile]},
                    )
                seen_mobiles.setdefault(mobile, number)
        if not any(form.has_changed() for form in self.forms) and not any(self.errors):
            raise ValidationError(_("Add at least one staff member."), code="empty")

    def rows(self) -> list[dict[str, Any]]:
        return [form.cleaned_data for form in self.filled_forms()]

    def problem_count(self) -> int:
        return sum(len(errors) for errors in self.errors) + len(self.non_form_errors())


StaffRowFormSet: type[BaseStaffRowFormSet] = forms.formset_factory(  # type: ignore[assignment]
    StaffRowForm,
    formset=BaseStaffRowFormSet,
    extra=5,
    max_num=settings.AGENCY_STAFF_LIST_MAX_ROWS,
    validate_max=True,
    absolute_max=settings.AGENCY_STAFF_LIST_MAX_ROWS,
)


class StaffCsvForm(forms.Form):
    """A CSV file of staff, UTF-8 with or without a byte-order mark, header as in the template."""

    file = forms.FileField(
        label=_("Staff list file (CSV)"),
        help_text=_("Use the template: one person a row, UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    max_bytes = 1024 * 1024

    def clean_file(self) -> list[dict[str, str]]:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise ValidationError(_("The file is too large; a staff list file is at most 1 MB."))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")  # Excel adds a byte-order mark; both are fine
        except UnicodeDecodeError:
            raise ValidationError(
                _("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.")
            ) from None
        lines = text.splitlines()
        if not lines or not lines[0].strip():
            raise ValidationError(_("The file is empty."))
        delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        header = [(name or "").strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in CSV_COLUMNS if name not in header]
        unknown = [name for name in header if name and name not in CSV_COLUMNS]
        if missing or unknown:
            problems = []
            if missing:
                problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
            if unknown:
                problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
            raise ValidationError(
                _("The first row must be the template's header (%(header)s); %(problems)s.")
                % {"header": ",".join(CSV_COLUMNS), "problems": "; ".join(problems)}
            )
        reader.fieldnames = header
        rows, too_long = [], []
        try:
            for record in reader:
                row = {name: (record.get(name) or "").strip() for name in CSV_COLUMNS}
                too_long += [
                    ValidationError(
                        _(
                            "Row %(row)s of the file: the %(column)s column is longer than %(max)s "
                            "characters."
                        ),
                        params={
                            "row": LocalNumber(reader.line_num),
                            "column": name,
                            "max": LocalNumber(CSV_FIELD_MAX_CHARS),
                        },
                    )
                    for name, value in row.items()
                    if len(value) > CSV_FIELD_MAX_CHARS
                ]
                if any(row.values()):
                    rows.append(row)
        except csv.Error:
            # The csv module's own cap (128 KB a field) or broken quoting: the row cannot be
            # read at all. The reader fails before it counts the row it was reading.
            raise ValidationError(
                [
                    *too_long,
                    ValidationError(
                        _(
                            "Row %(row)s of the file cannot be read: a field is far too long or "
                            "its quotes are not closed."
                        ),
                        params={"row": LocalNumber(reader.line_num + 1)},
                    ),
                ]
            ) from None
        if too_long:
            raise ValidationError(too_long)
        if not rows:
            raise ValidationError(_("The file has a header but no staff rows."))
        limit = settings.AGENCY_STAFF_LIST_MAX_ROWS
        if len(rows) > limit:
            raise ValidationError(
                ngettext(
                    "A staff list can have at most %(limit)d row.",
                    "A staff list can have at most %(limit)d rows.",
                    limit,
                )
                % {"limit": limit}
            )
        return rows


def formset_data_from_rows(rows: list[dict[str, str]], prefix: str = "form") -> dict[str, str]:
    """CSV rows as the data the row formset would have posted, so they are checked (and shown
    back) exactly like rows typed into the form."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(settings.AGENCY_STAFF_LIST_MAX_ROWS),
    }
    for index, row in enumerate(rows):
        for name in CSV_COLUMNS:
            data[f"{prefix}-{index}-{name}"] = row.get(name, "")
    return data


class ReasonsForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def clean_reasons(self) -> str:
        reasons = self.cleaned_data["reasons"].strip()
        if not reasons:
            raise ValidationError(_("Write the reasons."))
        return reasons


class IrreversibleActionForm(ReasonsForm):
    """Reasons, and a tick that the person read what cannot be undone (no JavaScript needed)."""

    confirm = forms.BooleanField(
        label=_("I have read the warning and want to go ahead."),
        error_messages={"required": _("Tick the box to confirm, or cancel.")},
    )


class DecisionForm(ReasonsForm):
    OUTCOMES = [
        ("approve", _("Approve")),
        ("return", _("Return for more information")),
        ("reject", _("Reject")),
    ]
    outcome = forms.ChoiceField(label=_("Decision"), choices=OUTCOMES, widget=forms.RadioSelect)
    field_order = ["outcome", "reasons"]
