"""Two analysts at once: of several submits based on the same version, exactly one wins.

Real threads on real connections, on SQLite (a file, IMMEDIATE transactions) and on
PostgreSQL (row locks).
"""

import contextlib
import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import SEED
from tests.factories import make_pledge, make_statement
from tests.helpers import form_values
from tracker import services
from tracker.models import Evidence, Pledge, PledgeRevision, Retraction, StatusUpdate
from tracker.vocabulary import SourceType, Stance, Status

pytestmark = pytest.mark.django_db(transaction=True)

SUBMITTERS = 6


def race(submit, count: int = SUBMITTERS) -> list[str]:
    """Start `count` submits at the same moment; return how each one ended."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            submit(index)
            outcomes.append("saved")
        except services.VersionConflict:
            outcomes.append("conflict")
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_of_simultaneous_follow_ups_on_the_same_version_exactly_one_is_saved(analyst, other_analyst):
    pledge = make_pledge(make_statement(), 1)
    authors = [analyst, other_analyst]
    statuses = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.STALLED]

    def submit(index: int) -> None:
        services.record_status_update(
            pledge=Pledge.objects.get(pk=pledge.pk),
            author=authors[index % 2],
            status=statuses[index % 3],
            effective_on=datetime.date(2024, 2, 1),
            rationale="Seen.",
            based_on_version=1,
        )

    assert race(submit) == ["conflict"] * (SUBMITTERS - 1) + ["saved"]
    pledge.refresh_from_db()
    assert StatusUpdate.objects.count() == 1
    assert pledge.version == 2
    assert pledge.status == StatusUpdate.objects.get().status


def test_a_follow_up_and_new_evidence_at_once_on_the_same_version_do_not_both_land(analyst, other_analyst):
    pledge = make_pledge(make_statement(), 1)

    def submit(index: int) -> None:
        fresh = Pledge.objects.get(pk=pledge.pk)
        if index == 0:
            services.record_status_update(
                pledge=fresh,
                author=analyst,
                status=Status.IN_PROGRESS,
                effective_on=datetime.date(2024, 2, 1),
                rationale="Under way.",
                based_on_version=1,
            )
        else:
            services.add_evidence(
                pledge=fresh,
                added_by=other_analyst,
                url=f"https://example.org/{index}",
                title="Report",
                source_type=SourceType.OFFICIAL,
                stance=Stance.SUPPORTS,
                based_on_version=1,
            )

    assert race(submit, count=2) == ["conflict", "saved"]
    assert StatusUpdate.objects.count() + Evidence.objects.count() == 1
    assert Pledge.objects.get(pk=pledge.pk).version == 2


def versions_used(pledge: Pledge) -> list[int]:
    """Every version that a row of the pledge's history was stamped with."""
    return sorted(
        [
            *StatusUpdate.objects.filter(pledge=pledge).values_list("version", flat=True),
            *Evidence.objects.filter(pledge=pledge).values_list("version", flat=True),
            *Retraction.objects.filter(status_update__pledge=pledge).values_list("version", flat=True),
            *PledgeRevision.objects.filter(pledge=pledge).values_list("version", flat=True),
        ]
    )


def test_fixture_reloads_and_admin_edits_during_follow_ups_rewind_nothing(seed, analyst, administrator):
    """Follow-ups on every seed pledge, while the seed is reloaded and an administrator
    saves a pledge page opened before they began: no version is used twice, and each
    pledge's status is the one its history gives it."""
    pledges = list(seed.pledges.order_by("number"))
    admin = Client()
    admin.force_login(administrator)
    target = pledges[3]
    page = admin.get(reverse("admin:tracker_pledge_change", args=[target.pk]))
    stale_form = form_values(page.context["adminform"].form)
    rounds = 5

    def submit(index: int) -> None:
        if index == 0:
            for _ in range(rounds):
                call_command("loaddata", SEED, verbosity=0)
        elif index == 1:
            client = Client()
            client.force_login(administrator)
            for n in range(rounds):
                data = {**stale_form, "summary": f"{stale_form['summary']} ({n})"}
                response = client.post(reverse("admin:tracker_pledge_change", args=[target.pk]), data)
                assert response.status_code == 302, response.content[:500]
        else:
            for n in range(rounds):
                for pledge in pledges:
                    fresh = Pledge.objects.get(pk=pledge.pk)
                    # A submit based on a version that moved meanwhile is refused: fine here.
                    with contextlib.suppress(services.VersionConflict):
                        services.record_status_update(
                            pledge=fresh,
                            author=analyst,
                            status=[Status.IN_PROGRESS, Status.STALLED][(index + n) % 2],
                            effective_on=datetime.date(2024, 2, 1) + datetime.timedelta(days=n),
                            rationale="Seen.",
                            based_on_version=fresh.version,
                        )

    outcomes = race(submit, count=4)

    assert all(not outcome.startswith("error") for outcome in outcomes), outcomes
    for pledge in pledges:
        pledge.refresh_from_db()
        used = versions_used(pledge)
        assert len(used) == len(set(used)), f"pledge {pledge.number} used a version twice: {used}"
        assert pledge.version == max([1, *used])
        assert pledge.status == services.current_status_from_history(pledge)
    assert PledgeRevision.objects.filter(pledge=target).count() >= 1


# --- the read model while a statement's date moves ---------------------------------------


@contextlib.contextmanager
def date_move_held_halfway(statement, new_date):
    """An administrator moves the statement's date in a transaction of their own, held
    just before the row is written (once the read model's signal has run) until the
    block ends; then it commits."""
    from django.db import transaction
    from django.db.models.signals import pre_save

    from tracker.models import Statement

    written, go = threading.Event(), threading.Event()

    def hold(sender, instance, **kwargs):
        if threading.current_thread().name == "administrator":
            written.set()
            go.wait(20)

    def move() -> None:
        try:
            with transaction.atomic():
                held = Statement.objects.get(pk=statement.pk)
                held.delivered_on = new_date
                held.save()
        finally:
            connection.close()

    # Connected after the read model's own signal: it runs once that has.
    pre_save.connect(hold, sender=Statement, weak=False, dispatch_uid="hold-the-date-move")
    administrator = threading.Thread(target=move, name="administrator")
    administrator.start()
    try:
        assert written.wait(20)
        yield
    finally:
        go.set()
        administrator.join(30)
        pre_save.disconnect(sender=Statement, dispatch_uid="hold-the-date-move")


def in_a_thread(work) -> threading.Thread:
    """`work` on a connection of its own; it may wait for the administrator's locks."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("write", ["a new pledge", "a follow-up"])
def test_the_read_model_agrees_after_writes_while_a_statements_date_moves(write, analyst):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: nothing happens meanwhile there")
    from tracker.management.commands.check_read_model import find_differences

    statement = make_statement(sentences=3)
    pledge = make_pledge(statement, 1)
    quote = "Freedonia will do thing number 2 by next year."
    start = statement.text.index(quote)

    def work() -> None:
        if write == "a new pledge":
            services.make_pledge(
                statement=statement,
                start=start,
                end=start + len(quote),
                made_by=analyst,
                fields={"summary": "Do thing 2", "actor": statement.entity, "kind": "event_or_activity"},
            )
        else:
            services.record_status_update(
                pledge=Pledge.objects.get(pk=pledge.pk),
                author=analyst,
                status=Status.IN_PROGRESS,
                effective_on=datetime.date(2024, 3, 1),
                rationale="Seen under way.",
                based_on_version=1,
            )

    with date_move_held_halfway(statement, datetime.date(2024, 6, 10)):
        writer = in_a_thread(work)
        writer.join(1)  # it waits for the administrator's locks, or is done
    writer.join(30)
    assert not writer.is_alive()
    assert Pledge.objects.filter(statement=statement).count() == (2 if write == "a new pledge" else 1)
    assert find_differences() == []
