"""The read model (tracker.read_model) says what the history says, after any mix of
writes: a seeded random run of follow-ups (back-dated too), retractions, reviews,
evidence added and withdrawn, pledges made and deleted and a statement's date moved,
checked after each step against the history read directly and by `check_read_model`."""

import datetime
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import evidence_on, make_pledge, make_statement, retract, review_of, update_on, withdraw
from tracker import read_model, services
from tracker.figures import monthly_status_counts, monthly_status_counts_from_history
from tracker.management.commands.check_read_model import find_differences
from tracker.models import Pledge, StatusMonthCount, StatusPeriod, StatusUpdate
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2023, 1, 10)
NEEDS_EVIDENCE = {Status.FULFILLED, Status.PARTIALLY_FULFILLED, Status.NOT_FULFILLED}


def deciding_by_hand(pledge: Pledge, day: datetime.date) -> StatusUpdate | None:
    """The update in force that decides the pledge's status on `day`, read from the
    history without the read model."""
    updates = [
        update
        for update in pledge.status_updates.all()
        if not hasattr(update, "retraction") and update.effective_on <= day
    ]
    return max(updates, key=lambda u: (u.effective_on, u.recorded_at, u.pk), default=None)


def assert_agrees_with_history(today: datetime.date, days: list[datetime.date]) -> None:
    assert find_differences() == []
    for day in days:
        shown = {p.pk: p for p in Pledge.objects.as_of(day)}
        for pledge in Pledge.objects.filter(statement__delivered_on__lte=day).prefetch_related(
            "status_updates__retraction"
        ):
            deciding = deciding_by_hand(pledge, day)
            assert shown[pledge.pk].shown_status == (deciding.status if deciding else Status.NOT_ASSESSED)
            assert shown[pledge.pk].shown_last_change_on == (deciding.effective_on if deciding else None)
        assert monthly_status_counts(day) == monthly_status_counts_from_history(day), day


def random_step(rng: random.Random, statement, analyst, today: datetime.date) -> str:
    pledges = list(statement.pledges.order_by("number"))
    pledge = rng.choice(pledges)
    kind = rng.choice(["update", "update", "update", "back-dated", "retract", "review", "withdraw", "date"])
    if kind in ("update", "back-dated"):
        status = rng.choice(Status.judgements())
        latest = pledge.status_updates.in_force().newest_first().first()
        first = statement.delivered_on
        if kind == "update" and latest:
            first = latest.effective_on
        effective_on = first + datetime.timedelta(days=rng.randrange(0, max(1, (today - first).days + 1)))
        evidence = [evidence_on(pledge, analyst, url=f"https://example.org/{rng.random()}")]
        if status not in NEEDS_EVIDENCE and rng.random() < 0.5:
            evidence = []
        update_on(pledge, analyst, status, effective_on=min(effective_on, today), evidence=evidence)
    elif kind == "retract":
        standing = list(pledge.status_updates.in_force())
        if standing:
            retract(rng.choice(standing), analyst)
    elif kind == "review" and pledge.status != Status.NOT_ASSESSED and not pledge.status_evidence_withdrawn:
        review_of(pledge, analyst)
    elif kind == "withdraw":
        standing = list(pledge.evidence.standing())
        if standing:
            withdraw(rng.choice(standing), analyst)
    elif kind == "date":
        # An administrator moves the statement's date (earlier: no update may precede it).
        earliest = min(
            [
                statement.delivered_on,
                *StatusUpdate.objects.filter(pledge__statement=statement).values_list(
                    "effective_on", flat=True
                ),
            ]
        )
        statement.delivered_on = earliest - datetime.timedelta(days=rng.randrange(0, 90))
        services.save_statement(statement=statement, changed_by=None)
    return kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_read_model_agrees_with_the_history_after_random_writes(seed, today, analyst):
    rng = random.Random(seed)
    statement = make_statement(sentences=6)
    statement.delivered_on = FIRST
    statement.save()
    for number in range(1, 5):
        make_pledge(statement, number)
    days = [FIRST, datetime.date(2023, 6, 30), datetime.date(2024, 2, 15), today - datetime.timedelta(days=1)]
    for step in range(30):
        random_step(rng, statement, analyst, today)
        if step % 6 == 5:
            assert_agrees_with_history(today, days)
    # A pledge made, then deleted (it has no history): counted, then no longer.
    extra = make_pledge(statement, 5)
    assert_agrees_with_history(today, days)
    extra.delete()
    assert_agrees_with_history(today, days)


def test_periods_leave_out_what_decides_nothing(today):
    updates = [
        read_model.Update(
            datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 6, tzinfo=datetime.UTC), 1, "in_progress"
        ),
        # The same day, recorded later: it decides, the first decides nothing.
        read_model.Update(
            datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 7, tzinfo=datetime.UTC), 2, "stalled"
        ),
        read_model.Update(
            datetime.date(2024, 3, 1), datetime.datetime(2024, 3, 2, tzinfo=datetime.UTC), 3, "fulfilled"
        ),
    ]
    assert read_model.periods_of(updates) == [
        read_model.Period("stalled", datetime.date(2024, 1, 5), datetime.date(2024, 3, 1)),
        read_model.Period("fulfilled", datetime.date(2024, 3, 1), None),
    ]


def test_the_check_names_what_differs_and_repair_restores_it(today, analyst):
    statement = make_statement(sentences=3)
    pledge = make_pledge(statement, 1)
    update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=statement.delivered_on)
    call_command("check_read_model", verbosity=0)  # agrees: no error

    # Something wrote past the services: the stored status, a period and a month count.
    Pledge.objects.filter(pk=pledge.pk).update(status=Status.STALLED)
    StatusPeriod.objects.filter(pledge=pledge).update(status=Status.WITHDRAWN)
    StatusMonthCount.objects.update(moves=7)
    differences = find_differences()
    assert any(line.startswith(f"pledge {pledge.pk}: status is 'stalled'") for line in differences)
    assert any("status periods" in line for line in differences)
    assert any(line.startswith("month count") for line in differences)
    with pytest.raises(CommandError, match="differences from the history"):
        call_command("check_read_model", verbosity=0)

    version = Pledge.objects.get(pk=pledge.pk).version
    call_command("check_read_model", "--repair", verbosity=0)
    assert find_differences() == []
    # Repairing moves nothing that analysts judged: the version stays.
    assert Pledge.objects.get(pk=pledge.pk).version == version


def test_a_fixture_with_the_read_model_is_refused_and_a_dump_leaves_it_out(tmp_path, today, analyst):
    statement = make_statement(sentences=3)
    pledge = make_pledge(statement, 1)
    update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=statement.delivered_on)
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "tracker", output=str(dump), verbosity=0)
    assert (
        "tracker.statusperiod" not in dump.read_text() and "tracker.statusmonthcount" not in dump.read_text()
    )
    every = tmp_path / "every.json"
    call_command("dumpdata", "tracker.statusperiod", "--all", output=str(every), verbosity=0)
    with pytest.raises(Exception, match="is the read model"):
        call_command("loaddata", str(every), verbosity=0)


def test_a_back_dated_update_moves_only_the_months_it_touches(analyst):
    statement = make_statement(sentences=3)
    statement.delivered_on = datetime.date(2023, 1, 10)
    statement.save()
    pledge = make_pledge(statement, 1)
    others = make_pledge(statement, 2)
    update_on(others, analyst, Status.STALLED, effective_on=datetime.date(2023, 7, 1))
    update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=datetime.date(2024, 1, 15))
    before = read_model.stored_month_counts()
    update_on(pledge, analyst, Status.NOT_STARTED, effective_on=datetime.date(2023, 3, 2))
    after = read_model.stored_month_counts()
    changed = {key for key in before.keys() | after.keys() if before.get(key, 0) != after.get(key, 0)}
    assert {month for month, _ in changed} == {datetime.date(2023, 3, 1), datetime.date(2024, 1, 1)}
    assert find_differences() == []


def test_the_check_names_a_stale_search_text_and_repair_restores_it(analyst):
    statement = make_statement(sentences=3)
    pledge = make_pledge(statement, 1, summary="Plant trees")
    Pledge.objects.filter(pk=pledge.pk).update(search_text="old words")
    assert any("search text 'old words'" in line for line in find_differences())
    call_command("check_read_model", "--repair", verbosity=0)
    assert find_differences() == []
    assert Pledge.objects.matching(["trees"]).get() == pledge


def test_the_check_names_a_search_index_that_lost_a_pledge(analyst):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's index is its own; only SQLite's FTS5 table can be told apart")
    statement = make_statement(sentences=3)
    pledge = make_pledge(statement, 1, summary="Plant trees")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tracker_pledge_search(tracker_pledge_search, rowid, search_text) "
            "VALUES ('delete', %s, %s)",
            [pledge.pk, pledge.search_text],
        )
    assert "the search index does not hold the pledges' search text" in find_differences()
    call_command("check_read_model", "--repair", verbosity=0)
    assert find_differences() == []
