"""Backups taken while analysts write hold every write acknowledged before they began,
and come back whole; on SQLite, where a plain file copy would lose what sits in the
write-ahead log, and on PostgreSQL."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tracker import services
from tracker.models import Pledge, StatusUpdate
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_under_concurrent_writes_restores_every_acknowledged_row(tmp_path, seed, analyst):
    pledges = list(seed.pledges.all())
    acknowledged: list[int] = []
    stop = threading.Event()

    def write() -> None:
        try:
            n = 0
            while not stop.is_set():
                pledge = Pledge.objects.get(pk=pledges[n % len(pledges)].pk)
                update = services.record_status_update(
                    pledge=pledge,
                    author=analyst,
                    status=[Status.IN_PROGRESS, Status.STALLED][n % 2],
                    effective_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 300),
                    rationale=f"Check {n}.",
                    based_on_version=pledge.version,
                )
                acknowledged.append(update.pk)
                n += 1
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    while len(acknowledged) < 20:
        stop.wait(0.01)
    before = list(acknowledged)
    path = tmp_path / "pledges.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    while len(acknowledged) < len(before) + 10:
        stop.wait(0.01)
    stop.set()
    writer.join(timeout=30)
    assert len(acknowledged) > len(before)

    call_command("restore", str(path), interactive=False, stdout=io.StringIO())

    kept = set(StatusUpdate.objects.values_list("pk", flat=True))
    assert set(before) <= kept
    for pledge in Pledge.objects.all():
        assert pledge.status == services.current_status_from_history(pledge)


def test_a_backup_never_overwrites_a_file(tmp_path, seed):
    path = tmp_path / "there.backup"
    path.write_text("an older backup")

    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(path))
    assert path.read_text() == "an older backup"


def test_restoring_something_that_is_no_backup_is_refused_and_changes_nothing(tmp_path, seed):
    path = tmp_path / "notes.txt"
    path.write_text("not a database")

    with pytest.raises(CommandError):
        call_command("restore", str(path), interactive=False)
    assert Pledge.objects.count() == 8


def test_unapplying_the_migrations_that_hold_history_is_refused_while_there_is_history(seed, analyst):
    pledge = seed.pledges.first()
    services.record_status_update(
        pledge=pledge,
        author=analyst,
        status=Status.IN_PROGRESS,
        effective_on=datetime.date(2024, 2, 1),
        rationale="Seen.",
        based_on_version=pledge.version,
    )

    with pytest.raises(CommandError, match=r"would delete tracker_\w+ and its 1 rows of history"):
        call_command("migrate", "tracker", "zero", verbosity=0)

    assert StatusUpdate.objects.count() == 1
    assert "tracker_statusupdate" in connection.introspection.table_names()
