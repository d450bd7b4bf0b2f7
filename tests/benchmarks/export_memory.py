"""How much memory the CSV and JSON exports take for 100 and for 100,000 pledges.

    make benchmark            (or: .venv/bin/python -m tests.benchmarks.export_memory 100 100000)

Builds a throwaway SQLite database in a temporary folder, fills it with pledges, then
downloads the whole list through the real view and reads it to the end, measuring the
peak of memory allocated meanwhile (tracemalloc) and the time taken. It prints a table;
the figures are reported, never asserted.
"""

import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

PER_STATEMENT = 1000


def main(sizes: list[int]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="pledge-benchmark-"))
    (folder / "static").mkdir()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DATABASE_URL=f"sqlite:///{folder / 'benchmark.sqlite3'}",
        ALLOWED_HOSTS="testserver",
        # As in production: with DEBUG on, Django would also keep the text of every query.
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + "x" * 40,
        STATIC_ROOT=str(folder / "static"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    print(f"Database: {folder / 'benchmark.sqlite3'}", flush=True)
    call_command("migrate", verbosity=0)
    measure("csv")  # once before measuring: the first request loads templates and code
    print(
        f"{'pledges':>8} {'format':>6} {'rows':>8} {'MB sent':>8} {'peak MiB':>9} {'seconds':>8}", flush=True
    )
    made = 0
    try:
        for size in sorted(sizes):
            made = fill(made, size)
            for fmt in ("csv", "json"):
                rows, sent, peak, seconds = measure(fmt)
                print(
                    f"{size:>8} {fmt:>6} {rows:>8} {sent / 1e6:>8.1f} {peak / 2**20:>9.2f} {seconds:>8.1f}",
                    flush=True,
                )
    finally:
        shutil.rmtree(folder)


def fill(made: int, size: int) -> int:
    """Add pledges until there are `size`, a statement to every PER_STATEMENT of them."""
    import datetime

    from tracker.models import Entity, Pledge, Speaker, Statement

    entity, _ = Entity.objects.get_or_create(name="Freedonia", defaults={"kind": "state"})
    speaker, _ = Speaker.objects.get_or_create(name="Rufus T. Firefly", entity=entity)
    while made < size:
        count = min(PER_STATEMENT, size - made)
        sentences = [f"Freedonia will do thing number {made + i} by next year." for i in range(count)]
        statement = Statement.objects.create(
            slug=f"benchmark-{made}",
            title=f"Statement {made}",
            speaker=speaker,
            entity=entity,
            delivered_on=datetime.date(2024, 1, 10),
            organ="General Assembly",
            text=" ".join(sentences),
        )
        pledges, start = [], 0
        for i, quote in enumerate(sentences):
            pledges.append(
                Pledge(
                    statement=statement,
                    number=i + 1,
                    quote=quote,
                    quote_start=start,
                    quote_end=start + len(quote),
                    summary=f"Do thing {made + i}",
                    actor=entity,
                    kind="event_or_activity",
                )
            )
            start += len(quote) + 1
        Pledge.objects.bulk_create(pledges, batch_size=500)
        made += count
        print(f"  {made} pledges in the database", file=sys.stderr, flush=True)
    return made


def measure(fmt: str) -> tuple[int, int, int, float]:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user, created = User.objects.get_or_create(username="benchmark-manager")
    if created:
        user.groups.add(Group.objects.get(name="Managers"))
    client = Client()
    client.force_login(user)
    tracemalloc.start()
    began = time.perf_counter()
    response = client.get(f"/pledges/export.{fmt}")
    sent = lines = 0
    for chunk in response.streaming_content:
        sent += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = lines - 1 if fmt == "csv" else lines - 2
    return rows, sent, peak, seconds


if __name__ == "__main__":
    main([int(size) for size in sys.argv[1:]] or [100, 100_000])
