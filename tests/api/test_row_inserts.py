"""`portal.rows.insert_instance`, the fixed INSERT on the lookup's and the API's path (the
disclosure record, the API's answer), against `save()` on random values: the row read back is
the same, column by column."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agencies.scopes import Scope
from api.models import AnswerKind, ApiAnswer
from inquiries.disclosures import WRITERS_LOCK
from inquiries.models import DisclosureChannel, DisclosureRecord
from portal.rows import insert_instance, insert_locked
from tests.plain_sql import columns, random_rows, rolled_back

text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)
moments = st.datetimes(
    min_value=datetime.datetime(1990, 1, 1),
    max_value=datetime.datetime(2090, 1, 1),
    timezones=st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=3.5))]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=8,
)


def same_row_both_ways(make, *, apart=("id",)):
    """Write `make()` with save() and with insert_instance(); both rows read back are the same
    but for the columns `apart` (the id, and what must differ between two rows)."""
    by_orm, by_sql = make(), make()
    by_orm.save()
    insert_instance(by_sql)
    assert by_sql.pk is not None and by_sql.pk != by_orm.pk
    assert not by_sql._state.adding
    model = type(by_orm)
    read_orm, read_sql = model.objects.get(pk=by_orm.pk), model.objects.get(pk=by_sql.pk)
    unequal = dict.fromkeys(apart)
    assert {**columns(read_sql), **unequal} == {**columns(read_orm), **unequal}
    return read_orm, read_sql


@pytest.mark.django_db
@random_rows(max_examples=40)
@given(
    national_code=st.text("0123456789", min_size=10, max_size=10),
    channel=st.sampled_from(DisclosureChannel),
    scopes=st.lists(st.sampled_from(Scope), unique=True),
    found=st.booleans(),
    detail=text,
    case_reference=text,
    confidential=st.booleans(),
    client_ip=st.none() | st.ip_addresses().map(str),
    created_at=moments,
    salt=st.text("0123456789abcdef", min_size=32, max_size=32),
)
def test_a_disclosure_record_is_written_as_save_writes_it(
    connect, national_code, channel, scopes, found, detail, case_reference, confidential,
    client_ip, created_at, salt,
) -> None:  # fmt: skip
    with rolled_back():
        client = connect().client
        same_row_both_ways(
            lambda: DisclosureRecord(
                national_code=national_code,
                agency_id=client.agency_id,
                staff_member_id=client.responsible_id,
                mou_id=client.mou_id,
                channel=channel,
                api_client_id=client.pk if channel == DisclosureChannel.API else None,
                scopes=scopes,
                record_found=found,
                purpose="other",
                purpose_detail=detail,
                case_reference=case_reference,
                confidential=confidential,
                client_ip=client_ip,
                created_at=created_at,
                salt=salt,
            )
        )


@pytest.mark.django_db
@random_rows(max_examples=40)
@given(
    kind=st.sampled_from(AnswerKind),
    key=st.none() | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=190),
    status_code=st.sampled_from([200, 400, 403, 422]),
    body=st.dictionaries(text, json_values, max_size=4),
    created_at=moments,
)
def test_an_api_answer_is_written_as_save_writes_it(
    connect, kind, key, status_code, body, created_at
) -> None:
    with rolled_back():
        client = connect().client
        keys = iter([key, None if key is None else key + "-2"])  # the key is unique per client
        by_orm, by_sql = same_row_both_ways(
            lambda: ApiAnswer(
                client=client,
                kind=kind,
                idempotency_key=next(keys),
                request_digest="d" * 64,
                status_code=status_code,
                body=body,
                created_at=created_at,
            ),
            apart=("id", "idempotency_key"),
        )
        assert (by_orm.idempotency_key, by_sql.idempotency_key) == (
            (None, None) if key is None else (key, key + "-2")
        )


@pytest.mark.postgres
@pytest.mark.django_db
@random_rows(max_examples=30)
@given(
    national_code=st.text("0123456789", min_size=10, max_size=10),
    scopes=st.lists(st.sampled_from(Scope), unique=True),
    detail=text,
    client_ip=st.none() | st.ip_addresses().map(str),
    body=st.dictionaries(text, json_values, max_size=4),
    created_at=moments,
)
def test_a_record_and_its_answer_in_one_locked_statement_are_written_as_save_writes_them(
    connect, national_code, scopes, detail, client_ip, body, created_at
) -> None:
    with rolled_back():
        client = connect().client

        def pair() -> tuple[DisclosureRecord, ApiAnswer]:
            record = DisclosureRecord(
                national_code=national_code,
                agency_id=client.agency_id,
                staff_member_id=client.responsible_id,
                mou_id=client.mou_id,
                channel=DisclosureChannel.API,
                api_client_id=client.pk,
                scopes=scopes,
                record_found=True,
                purpose="other",
                purpose_detail=detail,
                client_ip=client_ip,
                created_at=created_at,
            )
            answer = ApiAnswer(
                client=client,
                kind=AnswerKind.INQUIRY,
                request_digest="d" * 64,
                status_code=200,
                body=body,
                created_at=created_at,
            )
            return record, answer

        (record_orm, answer_orm), (record_sql, answer_sql) = pair(), pair()
        record_orm.save()
        answer_orm.disclosure = record_orm
        answer_orm.save()
        insert_locked(record_sql, lock=WRITERS_LOCK, then=answer_sql, link="disclosure")

        assert not record_sql._state.adding and not answer_sql._state.adding
        assert answer_sql.disclosure_id == record_sql.pk
        read = {
            instance: type(instance).objects.get(pk=instance.pk)
            for instance in (record_orm, answer_orm, record_sql, answer_sql)
        }
        assert ApiAnswer.objects.get(pk=answer_sql.pk).disclosure_id == record_sql.pk
        apart = dict.fromkeys(("id", "salt", "disclosure_id"))
        for by_orm, by_sql in ((record_orm, record_sql), (answer_orm, answer_sql)):
            assert {**columns(read[by_sql]), **apart} == {**columns(read[by_orm]), **apart}
