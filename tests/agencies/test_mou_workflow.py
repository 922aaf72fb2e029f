"""An MoU's states, moved only along MOU_TRANSITIONS, and "in force on a day" said once."""

import datetime

import pytest
from django.db.models import Q

from agencies import services
from agencies.models import MOU_TRANSITIONS, Mou, MouBasis, MouEvent, MouStatus
from agencies.models import mou as mou_module
from agencies.register import AgreementState, register
from agencies.selectors import active_mou_for
from tests.agencies.conftest import enrol_totp, mou_terms
from tests.conftest import clear_cache

pytestmark = pytest.mark.django_db


def supersede(*, mou: Mou, actor, reasons: str) -> Mou:
    """Superseding has no service of its own: recording the agency's newer MoU does it."""
    return services.record_mou(
        agency=mou.agency,
        recorded_by=actor,
        terms=mou_terms(number=f"NEWER-{mou.pk}", basis=MouBasis.CIRCULAR_1, supersedes=mou),
    )


MOU_ACTIONS = {
    "suspend": services.suspend_mou,
    "reinstate": services.reinstate_mou,
    "end": services.end_mou,
    "supersede": supersede,
}


def test_the_workflow_table_is_the_lifecycle_of_an_mou():
    table = {
        action: (set(transition.sources), transition.target)
        for action, transition in MOU_TRANSITIONS.items()
    }
    assert table == {
        "suspend": ({MouStatus.ACTIVE}, MouStatus.SUSPENDED),
        "reinstate": ({MouStatus.SUSPENDED}, MouStatus.ACTIVE),
        "end": ({MouStatus.ACTIVE, MouStatus.SUSPENDED}, MouStatus.ENDED),
        "supersede": ({MouStatus.ACTIVE, MouStatus.SUSPENDED}, MouStatus.SUPERSEDED),
    }
    assert set(MOU_ACTIONS) == set(MOU_TRANSITIONS)


@pytest.mark.parametrize("action", list(MOU_ACTIONS))
@pytest.mark.parametrize("status", list(MouStatus))
def test_each_mou_transition_runs_only_from_its_states(
    action, status, agency_mou, committee_reviewer
):
    Mou.objects.filter(pk=agency_mou.pk).update(status=status)
    agency_mou.refresh_from_db()
    transition = MOU_TRANSITIONS[action]
    assert agency_mou.allows(action) == (status in transition.sources)
    if status in transition.sources:
        MOU_ACTIONS[action](mou=agency_mou, actor=committee_reviewer, reasons="Audit.")
        agency_mou.refresh_from_db()
        assert agency_mou.status == transition.target
    else:
        with pytest.raises(services.TransitionError):
            MOU_ACTIONS[action](mou=agency_mou, actor=committee_reviewer, reasons="Audit.")
        agency_mou.refresh_from_db()
        assert agency_mou.status == status
        assert not MouEvent.objects.filter(mou=agency_mou).exclude(action="recorded").exists()


ADMIN_BUTTONS = {"can_suspend": "suspend", "can_reinstate": "reinstate", "can_end": "end"}


@pytest.mark.parametrize("status", list(MouStatus))
def test_the_admin_shows_the_buttons_the_workflow_table_allows(
    status, client, agency_mou, committee_reviewer
):
    Mou.objects.filter(pk=agency_mou.pk).update(status=status)
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    page = client.get(f"/admin/agencies/mou/{agency_mou.pk}/change/")
    assert page.status_code == 200
    assert {flag: page.context[flag] for flag in ADMIN_BUTTONS} == {
        flag: status in MOU_TRANSITIONS[action].sources for flag, action in ADMIN_BUTTONS.items()
    }


@pytest.mark.parametrize(
    ("status", "valid_from", "valid_until", "in_force"),
    [
        (MouStatus.ACTIVE, -10, None, True),
        (MouStatus.ACTIVE, -10, 0, True),
        (MouStatus.ACTIVE, -10, -1, False),
        (MouStatus.ACTIVE, 1, None, False),
        (MouStatus.SUSPENDED, -10, None, False),
        (MouStatus.ENDED, -10, None, False),
    ],
)
def test_in_force_on_a_day_means_the_same_to_the_model_the_list_and_the_gate(
    status, valid_from, valid_until, in_force, agency_mou
):
    day = datetime.date(2026, 3, 1)
    Mou.objects.filter(pk=agency_mou.pk).update(
        status=status,
        valid_from=day + datetime.timedelta(days=valid_from),
        valid_until=None if valid_until is None else day + datetime.timedelta(days=valid_until),
    )
    agency_mou.refresh_from_db()
    assert agency_mou.is_active_on(day) is in_force
    assert Mou.objects.with_in_force_on(day).get(pk=agency_mou.pk).in_force is in_force  # type: ignore[attr-defined]
    assert (active_mou_for(agency_id=agency_mou.agency_id, day=day) == agency_mou) is in_force
    assert (register_state(agency_mou, day) == AgreementState.IN_FORCE) is in_force


def register_state(mou: Mou, day: datetime.date) -> AgreementState:
    (agency,) = [agency for agency in register(day) if agency.id == mou.agency_id]
    (agreement,) = [a for a in agency.agreements if a.number == mou.number]
    return agreement.state


def test_every_reader_of_in_force_follows_its_one_definition(monkeypatch, agency_mou):
    """Change what "in force" means in `mou_in_force_on` (here: only open-ended MoUs) and
    every reader follows; none of them says it again."""
    day = datetime.date(2026, 3, 1)
    Mou.objects.filter(pk=agency_mou.pk).update(
        status=MouStatus.ACTIVE,
        valid_from=day - datetime.timedelta(days=10),
        valid_until=day + datetime.timedelta(days=10),
    )
    agency_mou.refresh_from_db()
    assert register_state(agency_mou, day) == AgreementState.IN_FORCE
    clear_cache()
    defined = mou_module.mou_in_force_on
    monkeypatch.setattr(
        mou_module,
        "mou_in_force_on",
        lambda day, prefix="": defined(day, prefix) & Q((f"{prefix}valid_until__isnull", True)),
    )
    assert not agency_mou.is_active_on(day)
    assert not Mou.objects.with_in_force_on(day).get(pk=agency_mou.pk).in_force  # type: ignore[attr-defined]
    assert active_mou_for(agency_id=agency_mou.agency_id, day=day) is None
    assert register_state(agency_mou, day) != AgreementState.IN_FORCE
