"""`portal.rows.loaded`: the instances the hot paths' plain SQL builds are the ones `from_db`
builds, field by field, and a model that hooks into loading still goes through `from_db`."""

import datetime

import pytest
from django.db.models import signals

from inquiries.models import CoveragePeriod, InsuredPerson
from portal.rows import _attnames, loaded

pytestmark = pytest.mark.django_db


def both_ways(model, values):
    return loaded(model, list(values)), model.from_db("default", _attnames(model), list(values))


def fields_of(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def period_fields(**given):
    values = {
        "id": 7,
        "person_id": 41,
        "workshop_code": "W00012",
        "workshop_name": "Workshop",
        "coverage_kind": "mandatory",
        "start_date": datetime.date(2020, 1, 1),
        "end_date": None,
        "days": 365,
        "monthly_wage": 12_000_000,
    } | given
    assert list(values) == _attnames(CoveragePeriod)
    return values


def period_values(**given):
    return list(period_fields(**given).values())


def test_an_instance_is_the_one_from_db_builds():
    fast, orm = both_ways(CoveragePeriod, period_values())
    assert fields_of(fast) == fields_of(orm)
    assert (fast._state.adding, fast._state.db) == (orm._state.adding, orm._state.db)
    assert fast._state.db == "default" and not fast._state.adding
    assert fast == orm and fast.pk == 7
    assert fast.get_deferred_fields() == set()


def test_a_foreign_key_and_a_change_behave_as_on_from_db_s_instance():
    person = InsuredPerson.objects.create(
        national_code="9900000013",
        first_name="Sara",
        last_name="Example",
        birth_date=datetime.date(1986, 7, 3),
        gender="F",
    )
    stored = CoveragePeriod.objects.create(**period_fields(id=None, person_id=person.pk))
    fast = loaded(CoveragePeriod, period_values(id=stored.pk, person_id=person.pk))
    assert fast.person == person  # read on first use, like the ORM's
    assert fast.person is fast.person
    fast.person_id = 0
    with pytest.raises(InsuredPerson.DoesNotExist):
        fast.person  # the new id, not the cached person  # noqa: B018
    fast.days = 30
    fast.person_id = person.pk
    fast.save(update_fields=["days"])
    assert CoveragePeriod.objects.get(pk=fast.pk).days == 30


def test_a_model_with_a_post_init_receiver_goes_through_from_db():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=CoveragePeriod)
    try:
        instance = loaded(CoveragePeriod, period_values())
    finally:
        signals.post_init.disconnect(receiver, sender=CoveragePeriod)
    assert seen == [instance]
