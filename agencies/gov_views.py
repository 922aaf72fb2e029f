"""The government agencies panel (/gov/): its home and the agency admin's staff page.

Every view here goes through `agency_panel_required`.
"""

import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agencies import selectors, services
from agencies.forms import (
    CSV_COLUMNS,
    BaseStaffRowFormSet,
    ReasonsForm,
    StaffCsvForm,
    StaffRowFormSet,
    formset_data_from_rows,
    posted,
)
from agencies.gate import PanelRequest, agency_panel_required
from agencies.models import Membership
from agencies.scopes import scope_labels
from portal.csv_safety import formula_safe_writer
from portal.jalali import jalali_date_for_data


@agency_panel_required
def home(request: PanelRequest) -> HttpResponse:
    panel = request.panel
    return render(
        request,
        "agencies/gov/home.html",
        {
            "panel": panel,
            "scopes": scope_labels(panel.mou.scopes),
        },
    )


def _staff_page(
    request: PanelRequest,
    *,
    formset: BaseStaffRowFormSet | None = None,
    csv_form: StaffCsvForm | None = None,
    status: int = 200,
) -> HttpResponse:
    panel = request.panel
    agency_id = panel.agency.pk
    return render(
        request,
        "agencies/gov/staff.html",
        {
            "panel": panel,
            "members": selectors.staff_of(agency_id),
            "pending_lists": selectors.pending_staff_lists_of(agency_id).prefetch_related("rows"),
            "pending_removals": selectors.pending_removal_ids_of(agency_id),
            "formset": formset or StaffRowFormSet(agency_id=agency_id),
            "csv_form": csv_form or StaffCsvForm(),
        },
        status=status,
    )


@agency_panel_required(admin_only=True)
@require_http_methods(["GET", "POST"])
def staff(request: PanelRequest) -> HttpResponse:
    panel = request.panel
    agency = panel.agency
    if request.method == "GET":
        return _staff_page(request)
    if "upload" in request.POST:
        csv_form = StaffCsvForm(request.POST, request.FILES)
        if not csv_form.is_valid():
            return _staff_page(request, csv_form=csv_form, status=400)
        formset = StaffRowFormSet(
            formset_data_from_rows(csv_form.cleaned_data["file"]), agency_id=agency.pk
        )
    else:
        formset = StaffRowFormSet(request.POST, agency_id=agency.pk)
    if not formset.is_valid():
        messages.error(
            request,
            _("Nothing was saved: correct the marked problems (%(count)d) and send the list again.")
            % {"count": formset.problem_count()},
        )
        return _staff_page(request, formset=formset, status=400)
    try:
        staff_list = services.submit_staff_list(
            agency=agency, submitted_by=request.user, rows=formset.rows()
        )
    except services.TransitionError as error:
        messages.error(request, error.message)
        return _staff_page(request, formset=formset, status=400)
    messages.success(
        request,
        _("The list of %(count)d staff was sent to IT. They will be invited once it is granted.")
        % {"count": staff_list.rows.count()},
    )
    return redirect("gov:staff")


@agency_panel_required(admin_only=True)
def staff_template(request: PanelRequest) -> HttpResponse:
    buffer = io.StringIO()
    writer = formula_safe_writer(buffer)
    # The header alone: an example row would be granted by anyone who forgot to delete it.
    writer.writerow(CSV_COLUMNS)
    response = HttpResponse(
        "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
    )  # the byte-order mark makes Excel read UTF-8
    response["Content-Disposition"] = 'attachment; filename="staff-list-template.csv"'
    return response


@agency_panel_required(admin_only=True)
@require_GET
def staff_export(request: PanelRequest) -> HttpResponse:
    """The agency's current staff, as the staff page lists them, for the admin's records.

    Only what the page shows: no mobile or email, which are the staff members' own to change.
    """
    buffer = io.StringIO()
    writer = formula_safe_writer(buffer)
    writer.writerow(
        [_("National code"), _("First name"), _("Last name"), _("Position"), _("Role"), _("Since")]
    )
    for member in selectors.staff_of(request.panel.agency.pk):
        writer.writerow(
            [
                member.user.national_code,
                member.user.first_name,
                member.user.last_name,
                member.position,
                member.get_role_display(),
                jalali_date_for_data(member.granted_at),
            ]
        )
    today = jalali_date_for_data(timezone.localdate()).replace("/", "-")
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="staff-{today}.csv"'
    return response


@agency_panel_required(admin_only=True)
@require_http_methods(["GET", "POST"])
def staff_removal(request: PanelRequest, pk: int) -> HttpResponse:
    panel = request.panel
    # Mine or 404: only members of this admin's own agency.
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, agency=panel.agency, is_active=True
    )
    form = ReasonsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.request_removal(
                membership=membership,
                requested_by=request.user,
                reasons=form.cleaned_data["reasons"],
            )
        except services.TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("IT has been asked to remove this access."))
        return redirect("gov:staff")
    return render(
        request,
        "agencies/gov/staff_removal.html",
        {"form": form, "membership": membership, "panel": panel},
        status=400 if form.errors else 200,
    )
