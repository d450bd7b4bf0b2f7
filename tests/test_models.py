"""The rules the database keeps, and the messages the model gives before it gets there."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from tests.factories import evidence_on, make_pledge, make_statement
from tracker import db_triggers
from tracker.models import (
    Evidence,
    HistoryEditRefused,
    Pledge,
    Retraction,
    Statement,
    StatusUpdate,
    as_one_parameter,
)
from tracker.vocabulary import DeadlinePrecision, SourceType, Stance, Status

pytestmark = pytest.mark.django_db


def refused_by_database(**changes):
    """Apply `changes` to a fresh pledge straight in the database; expect a refusal."""
    pledge = make_pledge(make_statement(), 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(**changes)


def test_database_refuses_a_negative_amount():
    refused_by_database(amount=Decimal("-1"), currency="USD", amount_stage="announced")


def test_database_refuses_an_amount_without_currency():
    refused_by_database(amount=Decimal("10"), amount_stage="announced")


def test_database_refuses_a_currency_that_is_not_three_capitals():
    refused_by_database(amount=Decimal("10"), currency="usd", amount_stage="announced")


def test_database_refuses_an_unknown_kind():
    refused_by_database(kind="promise")


def test_database_refuses_an_unknown_status():
    refused_by_database(status="done")


def test_database_refuses_a_deadline_date_without_precision():
    refused_by_database(deadline_on=datetime.date(2024, 2, 29))


def test_database_refuses_offsets_that_do_not_span_the_quote():
    refused_by_database(quote_end=3)


def test_database_refuses_offsets_that_point_at_other_words():
    pledge = make_pledge(make_statement(), 2)
    with pytest.raises(IntegrityError, match="statement text"), transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(
            quote_start=pledge.quote_start - 1, quote_end=pledge.quote_end - 1
        )


def test_database_refuses_a_pledge_whose_quote_is_not_in_its_statement():
    statement = make_statement()
    quote = "Nothing like this was said."
    with pytest.raises(IntegrityError, match="statement text"), transaction.atomic():
        Pledge.objects.create(
            statement=statement,
            number=1,
            quote=quote,
            quote_start=0,
            quote_end=len(quote),
            summary="x",
            actor=statement.entity,
            kind="financial",
        )


def test_database_accepts_a_pledge_whose_quote_is_at_its_offsets():
    pledge = make_pledge(make_statement(sentences=3), 3)
    assert pledge.statement.text[pledge.quote_start : pledge.quote_end] == pledge.quote


def test_database_refuses_the_same_evidence_link_twice_on_one_pledge(analyst):
    pledge = make_pledge(make_statement(), 1)
    fields = dict(
        pledge=pledge, title="t", source_type="official", stance="supports", added_by=analyst, version=2
    )
    Evidence.objects.create(url="https://example.org/a", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(url="https://example.org/a", **fields)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/file", "data:text/html,hi"])
def test_database_refuses_evidence_links_that_are_not_http(analyst, url):
    pledge = make_pledge(make_statement(), 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(
            pledge=pledge,
            url=url,
            title="t",
            source_type="official",
            stance="supports",
            added_by=analyst,
            version=2,
        )


def test_database_refuses_a_status_update_that_says_not_assessed(analyst):
    pledge = make_pledge(make_statement(), 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdate.objects.create(
            pledge=pledge,
            status=Status.NOT_ASSESSED,
            effective_on=datetime.date(2024, 2, 1),
            author=analyst,
            version=2,
        )


def test_database_refuses_a_retraction_without_reason(analyst):
    pledge = make_pledge(make_statement(), 1)
    update = StatusUpdate.objects.create(
        pledge=pledge,
        status=Status.IN_PROGRESS,
        effective_on=datetime.date(2024, 2, 1),
        author=analyst,
        version=2,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Retraction.objects.create(status_update=update, retracted_by=analyst, reason="", version=3)


def make_update(analyst) -> StatusUpdate:
    pledge = make_pledge(make_statement(), 1)
    return StatusUpdate.objects.create(
        pledge=pledge,
        status=Status.IN_PROGRESS,
        effective_on=datetime.date(2024, 2, 1),
        author=analyst,
        version=2,
    )


def test_database_refuses_to_edit_a_status_update_in_place(analyst):
    update = make_update(analyst)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_statusupdate SET status = 'fulfilled' WHERE id = %s", [update.pk])
    update.refresh_from_db()
    assert update.status == Status.IN_PROGRESS


def test_database_lets_through_an_update_that_changes_nothing(analyst):
    # Reloading a fixture that holds history writes the same values again.
    update = make_update(analyst)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_statusupdate SET status = status WHERE id = %s", [update.pk])
    update.refresh_from_db()
    assert update.status == Status.IN_PROGRESS


def test_model_refuses_to_save_or_delete_history(analyst):
    update = make_update(analyst)
    update.rationale = "changed my mind"
    with pytest.raises(HistoryEditRefused):
        update.save()
    with pytest.raises(HistoryEditRefused):
        update.delete()
    with pytest.raises(HistoryEditRefused):
        StatusUpdate.objects.filter(pk=update.pk).update(rationale="x")
    with pytest.raises(HistoryEditRefused):
        StatusUpdate.objects.filter(pk=update.pk).delete()
    assert StatusUpdate.objects.get(pk=update.pk).rationale == ""


def test_a_pledge_with_history_cannot_be_deleted(analyst):
    update = make_update(analyst)
    with pytest.raises(ProtectedError):
        update.pledge.delete()
    assert Pledge.objects.filter(pk=update.pledge_id).exists()


def test_every_database_trigger_exists_after_all_migrations():
    # SQLite drops a table's triggers when a migration rebuilds the table.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            # information_schema leaves out TRUNCATE triggers.
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {row[0] for row in cursor.fetchall()}
    assert set(db_triggers.trigger_names(connection.vendor)) <= present


def made_on(pledge: Pledge) -> datetime.date:
    return Pledge.objects.values_list("made_on", flat=True).get(pk=pledge.pk)


def test_a_pledge_holds_its_statements_date_however_either_is_written(statement):
    """The database copies it (db_triggers): the queue reads it instead of the statement."""
    pledge = make_pledge(statement, 1)
    assert pledge.made_on is None  # (the instance made; the row has it)
    assert made_on(pledge) == statement.delivered_on
    # A write of another date, by a save of an instance read before, or by an update,
    # is put right.
    Pledge.objects.filter(pk=pledge.pk).update(made_on=datetime.date(2001, 1, 1))
    assert made_on(pledge) == statement.delivered_on
    pledge.save()
    assert made_on(pledge) == statement.delivered_on
    # The statement's date moves: its pledges' move with it, however it is written.
    statement.delivered_on = datetime.date(2024, 2, 2)
    statement.save()
    assert made_on(pledge) == datetime.date(2024, 2, 2)
    Statement.objects.filter(pk=statement.pk).update(delivered_on=datetime.date(2024, 3, 3))
    assert made_on(pledge) == datetime.date(2024, 3, 3)
    # A pledge moved to another statement (its quote is in that one's text too) takes its date.
    other = make_statement(sentences=1)
    Pledge.objects.filter(pk=pledge.pk).update(statement=other)
    assert made_on(pledge) == other.delivered_on != datetime.date(2024, 3, 3)


# --- messages before the database ------------------------------------------------------


def messages_for(pledge: Pledge) -> dict:
    with pytest.raises(ValidationError) as caught:
        pledge.full_clean()
    return caught.value.message_dict


def test_clean_names_the_amount_fields_that_are_missing():
    pledge = make_pledge(make_statement(), 1)
    pledge.amount = Decimal("5")
    errors = messages_for(pledge)
    assert "currency" in errors and "amount_stage" in errors


def test_clean_names_the_amount_when_negative():
    pledge = make_pledge(make_statement(), 1)
    pledge.amount, pledge.currency, pledge.amount_stage = Decimal("-5"), "USD", "announced"
    assert "amount" in messages_for(pledge)


def test_clean_names_the_currency_when_not_iso_4217():
    pledge = make_pledge(make_statement(), 1)
    pledge.amount, pledge.currency, pledge.amount_stage = Decimal("5"), "us$", "announced"
    assert "currency" in messages_for(pledge)


def test_clean_names_the_deadline_date_when_precision_needs_one():
    pledge = make_pledge(make_statement(), 1)
    pledge.deadline_precision = DeadlinePrecision.MONTH
    assert "deadline_on" in messages_for(pledge)


def test_clean_names_the_quote_when_it_is_not_at_its_offsets():
    pledge = make_pledge(make_statement(), 1)
    pledge.quote = "Freedonia will do thing number 9 by next year."
    errors = messages_for(pledge)
    assert "is not in the statement text" in errors["quote"][0]


def test_clean_names_an_evidence_link_that_is_not_http(analyst):
    pledge = make_pledge(make_statement(), 1)
    evidence = Evidence(
        pledge=pledge,
        url="javascript:alert(1)",
        title="t",
        source_type=SourceType.OFFICIAL,
        stance=Stance.SUPPORTS,
        added_by=analyst,
    )
    with pytest.raises(ValidationError) as caught:
        evidence.full_clean()
    assert "url" in caught.value.message_dict


def test_evidence_links_are_stored_with_a_lower_case_scheme_and_host(analyst):
    pledge = make_pledge(make_statement(), 1)
    evidence = evidence_on(pledge, analyst, url="  HTTPS://Example.ORG/Report?id=A ")
    assert Evidence.objects.get(pk=evidence.pk).url == "https://example.org/Report?id=A"


def test_ids_as_one_parameter_match_as_a_list_of_them_would(seed):
    pledges = list(Pledge.objects.order_by("pk").values_list("pk", flat=True))
    some = [pledges[0], None, pledges[-1], pledges[0]]
    for ids, expected in (
        (some, {pledges[0], pledges[-1]}),
        ([], set()),
        ([None], set()),
        (pledges, set(pledges)),
    ):
        found = set(Pledge.objects.filter(pk__in=as_one_parameter(ids)).values_list("pk", flat=True))
        assert found == expected == set(Pledge.objects.filter(pk__in=ids).values_list("pk", flat=True))
