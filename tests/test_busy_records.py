"""A record someone else holds: the analyst is told it is busy (503), nothing is saved,
and what they entered is shown back; never a bare 500. Real locks, on SQLite (another
connection holds the write lock) and on PostgreSQL (another session holds the row)."""

import contextlib
import sqlite3

import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse

from tests.helpers import HTMX
from tracker.models import StatusUpdate

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def held_by_someone_else(pledge, *, wait_ms: int | None = 200):
    """Another connection holds the pledge (PostgreSQL: its row; SQLite: the database's
    write lock) until the block ends. This thread's connection gives up waiting after
    `wait_ms` (None: the app's own limit, as for a live server in another thread)."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        other = connections.create_connection("default")
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM tracker_pledge WHERE id = %s FOR UPDATE", [pledge.pk])
        if wait_ms is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{int(wait_ms)}ms'")
        try:
            yield
        finally:
            other.rollback()
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    else:
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        if wait_ms is not None:
            connection.connection.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            connection.connection.execute("PRAGMA busy_timeout = 5000")


def follow_up(pledge) -> dict:
    return {
        "based_on_version": pledge.version,
        "status": "in_progress",
        "effective_on": "2024-02-29",
        "rationale": "Invitations went out in January.",
    }


def test_a_follow_up_on_a_busy_record_is_a_503_that_keeps_what_was_entered(
    client_for, analyst, judges_pledge
):
    client = client_for(analyst)
    url = reverse("log_follow_up", args=[judges_pledge.pk])

    with held_by_someone_else(judges_pledge):
        response = client.post(url, follow_up(judges_pledge))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "This record is busy" in page and "nothing of yours was saved" in page
    assert "Invitations went out in January." in page
    assert not StatusUpdate.objects.exists()
    # Once the record is free, the same entry goes in.
    assert client.post(url, follow_up(judges_pledge)).status_code == 302
    assert StatusUpdate.objects.count() == 1


def test_with_htmx_a_busy_record_is_a_503_and_the_form_is_left_as_it_is(client_for, analyst, judges_pledge):
    client = client_for(analyst)

    with held_by_someone_else(judges_pledge):
        response = client.post(
            reverse("log_follow_up", args=[judges_pledge.pk]), follow_up(judges_pledge), headers=HTMX
        )

    assert response.status_code == 503
    assert not StatusUpdate.objects.exists()


def test_connections_are_checked_before_reuse_and_locks_are_bounded():
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "5s"
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "30s"
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
    else:
        assert database["OPTIONS"]["timeout"] == 5


def test_the_busy_page_names_the_fields_as_people_read_them_and_links_back_safely(
    client_for, analyst, judges_pledge
):
    client = client_for(analyst)
    data = {
        **follow_up(judges_pledge),
        "new_url": "https://example.org/report",
        "new_title": "Course report",
        "new_source_type": "official",
        "new_stance": "supports",
    }

    with held_by_someone_else(judges_pledge):
        response = client.post(
            reverse("log_follow_up", args=[judges_pledge.pk]), data, HTTP_REFERER="javascript:alert(1)"
        )

    page = response.content.decode()
    assert "<dt>new evidence, title</dt>" in page and "<dt>rationale</dt>" in page
    assert 'href="/">Back to the page you came from' in page
    assert "javascript:" not in page
