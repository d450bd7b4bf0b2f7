"""Fixture reloads and admin edits while analysts post follow-ups: does any write rewind
another? Reports figures, asserts nothing (tests/test_concurrency.py holds the test).

    make benchmark-reload                                   (SQLite, a throwaway file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make benchmark-reload
                                                            (PostgreSQL, a throwaway database)

WRITERS threads post follow-ups on the seed's pledges, each based on the version just
read; one in five is deliberately based on the version before it, and must be refused.
Meanwhile one thread reloads the seed fixture RELOADS times, and one saves a pledge's
admin page opened before it all began, RELOADS times, with a new summary each time.
Then, for every pledge: was any version used twice, and does its status equal what its
history gives?
"""

import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

WRITERS = 16
ROUNDS = 12
RELOADS = 25
SEED = "japan-unsc-2023-12-07"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="pledge-load-"))
    given = os.environ.get("DATABASE_URL", "")
    throwaway = f"pledge_load_{uuid.uuid4().hex[:8]}"
    if given.startswith("postgres"):
        _create_postgres(given, throwaway)
        url = given.rsplit("/", 1)[0] + "/" + throwaway
    else:
        url = f"sqlite:///{folder / 'load.sqlite3'}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DATABASE_URL=url,
        # The admin's pages need their static files found without collectstatic.
        DEBUG="1",
        ALLOWED_HOSTS="testserver",
    )
    try:
        run()
    finally:
        if given.startswith("postgres"):
            from django.db import connections

            connections.close_all()
            _drop_postgres(given, throwaway)
        shutil.rmtree(folder, ignore_errors=True)


def run() -> None:
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # so that the test client gives the admin page's form back
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from tests.helpers import form_values
    from tracker import roles, services
    from tracker.models import Evidence, Pledge, PledgeRevision, Retraction, StatusUpdate

    call_command("migrate", verbosity=0)
    call_command("loaddata", SEED, verbosity=0)
    analyst = User.objects.create_user("loader")
    analyst.groups.add(Group.objects.get(name=roles.ANALYSTS))
    administrator = User.objects.create_user("keeper", is_staff=True)
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    pledges = list(Pledge.objects.order_by("number").values_list("pk", flat=True))
    target = pledges[3]
    admin = Client()
    admin.force_login(administrator)
    stale_page = form_values(
        admin.get(reverse("admin:tracker_pledge_change", args=[target])).context["adminform"].form
    )
    counts = {"saved": 0, "refused": 0, "stale accepted": 0, "errors": 0, "reloads": 0, "admin edits": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(WRITERS + 2)

    def count(name: str) -> None:
        with lock:
            counts[name] += 1

    def writer(index: int) -> None:
        import datetime

        barrier.wait()
        for n in range(ROUNDS * len(pledges)):
            pledge = Pledge.objects.get(pk=pledges[(index + n) % len(pledges)])
            stale = n % 5 == 4 and pledge.version > 1
            try:
                services.record_status_update(
                    pledge=pledge,
                    author=analyst,
                    status=["in_progress", "stalled", "not_started"][(index + n) % 3],
                    effective_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=(index + n) % 600),
                    rationale=f"Writer {index}, round {n}.",
                    based_on_version=pledge.version - 1 if stale else pledge.version,
                )
                count("stale accepted" if stale else "saved")
            except services.VersionConflict:
                count("refused")
            except Exception as error:  # reported, not hidden
                print(f"writer {index}: {error!r}", file=sys.stderr)
                count("errors")
        connection.close()

    def reloader() -> None:
        barrier.wait()
        for _ in range(RELOADS):
            call_command("loaddata", SEED, verbosity=0)
            count("reloads")
        connection.close()

    def editor() -> None:
        client = Client()
        client.force_login(administrator)
        barrier.wait()
        for n in range(RELOADS):
            data = {**stale_page, "summary": f"{stale_page['summary']} (edit {n})"}
            response = client.post(reverse("admin:tracker_pledge_change", args=[target]), data)
            count("admin edits" if response.status_code == 302 else "errors")
        connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    threads += [threading.Thread(target=reloader), threading.Thread(target=editor)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started

    twice, disagree = 0, 0
    for pledge in Pledge.objects.all():
        used = [
            *StatusUpdate.objects.filter(pledge=pledge).values_list("version", flat=True),
            *Evidence.objects.filter(pledge=pledge).values_list("version", flat=True),
            *Retraction.objects.filter(status_update__pledge=pledge).values_list("version", flat=True),
            *PledgeRevision.objects.filter(pledge=pledge).values_list("version", flat=True),
        ]
        twice += len(used) - len(set(used))
        disagree += pledge.status != services.current_status_from_history(pledge)
    print(
        f"Database: {connection.vendor}; {WRITERS} writers, {RELOADS} fixture reloads, {RELOADS} admin edits"
    )
    for name, value in counts.items():
        print(f"  {name:<30} {value:>6}")
    print(f"  {'pledge revisions recorded':<30} {PledgeRevision.objects.count():>6}")
    print(f"  {'versions used twice':<30} {twice:>6}")
    print(f"  {'pledges whose status ≠ history':<30} {disagree:>6}")
    print(f"  {'seconds':<30} {seconds:>6.1f}")


def _admin_connection(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _create_postgres(url: str, name: str) -> None:
    with _admin_connection(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres(url: str, name: str) -> None:
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
