"""/gov/api-clients/: the agency admin's page of the agency's systems (API clients).

Ask for a client, bind it to a client certificate (RFC 8705) or replace its certificate, issue
or rotate its secret (shown once, on the answer to that POST, never again), revoke it, and see
each client's calls and errors per day.
"""

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agencies import selectors, services
from agencies.gate import PanelRequest, agency_panel_required
from agencies.models import ApiClient
from api import stats
from api.forms import ApiClientRequestForm, CertificateForm, RevokeForm


def _request_form(
    request: PanelRequest, data: object = None, files: object = None
) -> ApiClientRequestForm:
    return ApiClientRequestForm(
        data, files, agency_id=request.panel.agency.pk, mou_scopes=request.panel.mou.scopes
    )


def _certificate_form(
    pk: int, data: QueryDict | None = None, files: MultiValueDict | None = None
) -> CertificateForm:
    # Its own ids on a page with a form per client; the same field names, so a post needs none.
    return CertificateForm(data, files, auto_id=f"id_client{pk}_%s")


def _page(
    request: PanelRequest,
    *,
    form: ApiClientRequestForm | None = None,
    secret: tuple[ApiClient, str] | None = None,
    certificate_form: tuple[int, CertificateForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound_forms = dict([certificate_form]) if certificate_form else {}
    clients = [
        {
            "client": client,
            "days_with_calls": [row for row in stats.daily_counts(client.pk) if row[1]],
            "certificate_form": bound_forms.get(client.pk) or _certificate_form(client.pk),
            "revoke_form": RevokeForm(auto_id=f"id_revoke{client.pk}_%s"),
        }
        for client in selectors.api_clients_of(request.panel.agency.pk)
    ]
    response = render(
        request,
        "api/gov/clients.html",
        {
            "panel": request.panel,
            "clients": clients,
            "form": form or _request_form(request),
            "new_secret": secret,
            "stats_days": stats.API_STATS_DAYS,
        },
        status=status,
    )
    # The page may carry a secret: never kept by a browser or a proxy.
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


@agency_panel_required(admin_only=True)
@require_http_methods(["GET", "POST"])
def api_clients(request: PanelRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = _request_form(request, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.request_api_client(
                mou=request.panel.mou,
                requested_by=request.user,
                name=data["name"],
                responsible=data["responsible"],
                scopes=data["scopes"],
                allowed_addresses=data["allowed_addresses"],
                certificate=data["certificate"],
            )
        except ValidationError as error:
            for field, refusals in error.message_dict.items():
                for message in refusals:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                _(
                    "“%(name)s” waits for the committee's approval. You will be told by SMS; "
                    "then you issue its secret here."
                )
                % {"name": data["name"].strip()},
            )
            return redirect("gov:api_clients")
    return _page(request, form=form, status=400)


def _own_client(request: PanelRequest, pk: int) -> ApiClient:
    return get_object_or_404(ApiClient, pk=pk, agency_id=request.panel.agency.pk)


@agency_panel_required(admin_only=True)
@require_POST
def issue_secret(request: PanelRequest, pk: int) -> HttpResponse:
    client = _own_client(request, pk)
    try:
        secret = services.issue_api_client_secret(client=client, actor=request.user)
    except services.TransitionError as error:
        form = _request_form(request)
        form.add_error(None, error.message)
        return _page(request, form=form, status=400)
    return _page(request, secret=(client, secret))


@agency_panel_required(admin_only=True)
@require_POST
def bind_certificate(request: PanelRequest, pk: int) -> HttpResponse:
    client = _own_client(request, pk)
    form = _certificate_form(client.pk, request.POST, request.FILES)
    if form.is_valid():
        try:
            services.bind_api_client_certificate(
                client=client, actor=request.user, certificate=form.cleaned_data["certificate"]
            )
        except services.TransitionError as error:
            form.add_error(None, error.message)
        else:
            return redirect("gov:api_clients")
    return _page(request, certificate_form=(client.pk, form), status=400)


@agency_panel_required(admin_only=True)
@require_POST
def revoke(request: PanelRequest, pk: int) -> HttpResponse:
    client = _own_client(request, pk)
    form = RevokeForm(request.POST)
    reasons = (form.is_valid() and form.cleaned_data["reasons"]) or _("Revoked by the agency")
    # Already revoked (a second click): the page shows it.
    with contextlib.suppress(services.TransitionError):
        services.revoke_api_client(client=client, actor=request.user, reasons=reasons)
        messages.success(
            request,
            _("“%(name)s” is revoked: its secrets and tokens no longer work.")
            % {"name": client.name},
        )
    return redirect("gov:api_clients")
