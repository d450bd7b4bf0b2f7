"""Two analysts at once: of several submits based on the same version, exactly one wins.

Real threads on real connections, on SQLite (a file, IMMEDIATE transactions) and on
PostgreSQL (row locks).
"""

import datetime
import threading

import pytest
from django.db import connection

from tests.factories import make_pledge, make_statement
from tracker import services
from tracker.models import Evidence, Pledge, StatusUpdate
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
