"""For the admin's home page: what waits on the data-protection committee, and the agencies'
systems (API clients) waiting for the committee's or an operator's approval."""

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import selectors
from portal.digits import LocalNumber
from portal.jalali import format_date

register = template.Library()

STATE_LABELS = {
    "submitted": _("New: to take into review"),
    "resubmitted": _("Answered by the applicant: to review again"),
    "in_review": _("In review: to decide"),
    "awaiting_mou": _("Approved: the MoU to record"),
    "returned": _("Returned: waiting for the applicant"),
}
WAITING_ON = {
    selectors.COMMITTEE: _("the committee"),
    selectors.APPLICANT: _("the applicant"),
}


@register.simple_tag
def committee_queue() -> dict[str, Any]:
    queue = selectors.committee_queue()
    return {
        "counts": [
            {
                "state": state,
                "label": STATE_LABELS[state],
                "count": LocalNumber(count),
                "waiting_on": WAITING_ON[whom],
                "on_committee": whom == selectors.COMMITTEE,
            }
            for state, count, whom in queue.counts
        ],
        "requests": [
            {
                "pk": row.access_request.pk,
                "agency_name": row.access_request.agency_name,
                "kind": row.access_request.get_agency_kind_display(),
                "state": STATE_LABELS[row.state],
                "waiting_on": WAITING_ON[row.waiting_on],
                "on_committee": row.waiting_on == selectors.COMMITTEE,
                "since": format_date(row.waiting_since),
                "age_days": LocalNumber(row.age_days),
            }
            for row in queue.requests
        ],
    }


@register.simple_tag
def api_clients_waiting() -> list[dict[str, Any]]:
    day = timezone.localdate()
    return [
        {
            "pk": client.pk,
            "name": client.name,
            "agency_name": client.agency.name,
            "since": format_date(client.requested_at),
            "age_days": LocalNumber((day - timezone.localtime(client.requested_at).date()).days),
        }
        for client in selectors.api_clients_waiting_for_approval()
    ]
