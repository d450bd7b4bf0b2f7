"""History is guarded whole, in the database: every history table, and the links between
status updates or reviews and the evidence they cite, refuses UPDATE and DELETE (and TRUNCATE on
PostgreSQL), whatever sends them; the ORM refuses taking evidence off an update."""

import pytest
from django.db import DatabaseError, connection, transaction

from tests.factories import evidence_on, retract, retract_review_of, review_of, update_on, withdraw
from tracker import db_triggers, services
from tracker.models import HistoryEditRefused, Pledge, PledgeRevision, StatusUpdate
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(judges_pledge, analyst, administrator):
    """A row in every history table, and in the link between an update and its evidence."""
    evidence = evidence_on(judges_pledge, analyst)
    update = update_on(judges_pledge, analyst, Status.FULFILLED, rationale="Done.", evidence=[evidence])
    other = evidence_on(judges_pledge, analyst, url="https://example.org/second", title="Second")
    review = review_of(judges_pledge, analyst, note="Still so.", evidence=[other])
    retract_review_of(review, analyst)
    withdraw(other, analyst)
    retract(update, analyst)
    statement = judges_pledge.statement
    statement.text += " More."
    services.save_statement(statement=statement, changed_by=administrator)
    services.edit_pledge(
        pledge=judges_pledge, changed_by=administrator, values={"summary": "Judges in Malta"}
    )
    assert PledgeRevision.objects.exists()
    return update


GUARDED = [*db_triggers.HISTORY_TABLES, *db_triggers.LINK_TABLES]


def refused(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError:
        return True
    return False


@pytest.mark.parametrize("table", GUARDED)
def test_a_raw_delete_of_history_is_refused(history, table):
    assert refused(f"DELETE FROM {table}")  # noqa: S608 - a table name of our own
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] > 0


@pytest.mark.parametrize("table", GUARDED)
def test_a_raw_truncate_of_history_is_refused_on_postgresql(history, table):
    if connection.vendor != "postgresql":
        # SQLite has no TRUNCATE: its "DELETE FROM" without WHERE is refused above.
        assert refused(f"DELETE FROM {table} WHERE 1 = 1")  # noqa: S608
        return
    assert refused(f"TRUNCATE {table} CASCADE")


def test_a_raw_change_of_what_an_update_cites_is_refused(history, analyst):
    other = evidence_on(history.pledge, analyst, url="https://example.org/other", title="Other")

    assert refused(f"UPDATE tracker_statusupdate_evidence SET evidence_id = {other.pk}")  # noqa: S608
    assert list(history.evidence.values_list("title", flat=True)) == ["Report"]


def test_the_orm_refuses_taking_evidence_off_an_update(history):
    cited = history.evidence.first()
    with pytest.raises(HistoryEditRefused), transaction.atomic():
        history.evidence.clear()
    with pytest.raises(HistoryEditRefused), transaction.atomic():
        history.evidence.remove(cited)
    assert StatusUpdate.objects.get(pk=history.pk).evidence.count() == 1


def test_a_pledge_without_history_can_still_be_deleted(seed):
    pledge = seed.pledges.get(number=8)
    pledge.delete()
    assert not Pledge.objects.filter(pk=pledge.pk).exists()
