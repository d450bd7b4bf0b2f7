"""How quick each page is with 1,000 and with 100,000 pledges, on SQLite and PostgreSQL,
next to the Django admin's pledge changelist asked the same thing.

    make benchmark
    .venv/bin/python -m tests.benchmarks.pages --sizes 1000 100000 --databases sqlite postgresql

For each database and size it makes a database of its own (a SQLite file in a temporary
folder; a PostgreSQL database named pledge_benchmark_<size>, made afresh), fills it with
`manage.py generate_demo_data`, serves it with gunicorn as the README's production
command does (DEBUG off), and asks each page many times, one request after another, as
a logged-in manager (the queue and the follow-up as an analyst, the admin as an
administrator). Each of the app's pages is set beside the admin changelist with the same
filter and page size. Then readers and writers together load the server for a while.

It prints, per database, the median and 95th percentile of each page at each size, how
much the page grew from the smallest size to the largest, and its ratio to the admin
peer at the largest size; then the mixed load's figures. The figures are reported,
never asserted. PostgreSQL is reached at BENCHMARK_POSTGRES_URL
(postgres://postgres@127.0.0.1:5432/postgres by default).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
POSTGRES_URL = os.environ.get("BENCHMARK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
AS_OF = "2024-06-30"
LOAD_SECONDS = 30
READERS, WRITERS = 6, 2


@dataclass
class Page:
    """One thing to ask for: a page of the app, the admin changelist beside it (if any),
    and who asks."""

    name: str
    path: str
    peer: str | None = None
    role: str = "manager"
    method: str = "GET"


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    def p95(self) -> float:
        if len(self.seconds) < 2:
            return self.median()
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18]


# --- the database and the server ---------------------------------------------------------


def database_url(database: str, size: int, folder: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{folder / f'benchmark-{size}.sqlite3'}"
    name = f"pledge_benchmark_{size}"
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))


def app_environment(url: str, folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(folder / "static"),
        # Plain http on the loopback: no redirect to https, cookies sent without TLS.
        "SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "HSTS_SECONDS": "0",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(env: dict[str, str], size: int) -> dict:
    """Fill the database, then make the accounts and pick what to ask for (in a process
    of its own, with Django set up on that database)."""
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    manage(env, "generate_demo_data", "--pledges", str(size), "--seed", "1")
    done = subprocess.run(
        [PYTHON, "-m", "tests.benchmarks.pages", "--prepare"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def prepared() -> dict:
    """Run inside the app's environment: logged-in sessions for each role, and the
    records the pages are asked about."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.test import Client

    from tracker.models import Entity, Pledge, Statement
    from tracker.roles import ADMINISTRATORS, ANALYSTS, MANAGERS
    from tracker.vocabulary import PledgeKind, Status

    sessions = {}
    for role, group in (("manager", MANAGERS), ("analyst", ANALYSTS), ("admin", ADMINISTRATORS)):
        user, _ = get_user_model().objects.get_or_create(
            username=f"benchmark-{role}", defaults={"is_staff": role == "admin"}
        )
        user.groups.add(Group.objects.get(name=group))
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies["sessionid"].value
    entity = Entity.objects.annotate(n=Count("pledges")).order_by("-n", "pk").first()
    statement = Statement.objects.annotate(n=Count("pledges")).order_by("-n", "-delivered_on").first()
    pledges = Pledge.objects.order_by("pk").values_list("pk", flat=True)
    return {
        "sessions": sessions,
        "entity": entity.pk,
        "statement": statement.slug,
        "pledge": pledges[len(pledges) // 2],
        # Pledges to log follow-ups on, far from the one whose page is timed.
        "to_follow_up": list(pledges[: min(len(pledges) // 3, 200)]),
        "pledges": Pledge.objects.count(),
        "filtered": {"status": Status.IN_PROGRESS.value, "kind": PledgeKind.FINANCIAL.value},
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    """gunicorn as the README runs it in production."""
    server = subprocess.Popen(
        [
            GUNICORN,
            "tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            *("--workers", "3", "--worker-class", "gthread", "--threads", "4", "--timeout", "60"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


# --- asking ------------------------------------------------------------------------------


class Browser:
    """One client: a kept-alive connection and a role's session."""

    def __init__(self, port: int, session: str):
        self.port = port
        self.cookie = f"sessionid={session}; csrftoken=benchmarkbenchmarkbenchmarkbench"
        self.csrf = "benchmarkbenchmarkbenchmarkbench"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def ask(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        headers = {"Cookie": self.cookie, "Host": "127.0.0.1"}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.csrf,
                "Referer": f"http://127.0.0.1:{self.port}/",
            }
        for attempt in (1, 2):
            began = time.perf_counter()
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, OSError):
                # gunicorn closes a kept-alive connection left idle: open another, once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                if attempt == 2:
                    raise
        return response.status, content, time.perf_counter() - began


def time_page(browser: Browser, page: Page, times: int) -> Timings:
    timings = Timings()
    for attempt in range(times + 1):
        status, _, seconds = browser.ask(page.method, page.path)
        if status != 200:
            timings.errors.append(f"{page.path}: {status}")
        elif attempt:  # the first loads code and templates: not counted
            timings.seconds.append(seconds)
    return timings


def follow_up_form(browser: Browser, pledge: int) -> dict:
    """What the pledge page's follow-up form would send."""
    status, content, _ = browser.ask("GET", f"/pledges/{pledge}/")
    version = re.search(rb'name="based_on_version" value="(\d+)"', content)
    if status != 200 or version is None:
        raise SystemExit(f"/pledges/{pledge}/ gave no follow-up form ({status})")
    return {
        "status": "in_progress",
        "effective_on": time.strftime("%Y-%m-%d"),
        "rationale": "Benchmark: the ministry's latest report describes work under way.",
        "based_on_version": version.group(1).decode(),
    }


def time_follow_ups(browser: Browser, pledges: list[int], times: int) -> Timings:
    timings = Timings()
    for pledge in pledges[:times]:
        form = follow_up_form(browser, pledge)
        status, _, seconds = browser.ask("POST", f"/pledges/{pledge}/follow-ups/", form)
        if status in (200, 302):
            timings.seconds.append(seconds)
        else:
            timings.errors.append(f"follow-up on {pledge}: {status}")
    return timings


def time_export(browser: Browser, times: int) -> tuple[Timings, int]:
    timings, rows = Timings(), 0
    for _ in range(times):
        status, content, seconds = browser.ask("GET", "/pledges/export.csv")
        rows = content.count(b"\n") - 1
        (timings.seconds.append(seconds) if status == 200 else timings.errors.append(f"export: {status}"))
    return timings, rows


def mixed_load(port: int, facts: dict, pages: list[Page], seconds: float) -> tuple[dict[str, Timings], int]:
    """READERS readers going round the pages and WRITERS analysts logging follow-ups,
    all at once, for `seconds`."""
    results: dict[str, Timings] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def note(name: str, status: int, took: float) -> None:
        with lock:
            timings = results.setdefault(name, Timings())
            (timings.seconds.append(took) if status in (200, 302) else timings.errors.append(str(status)))

    def reader(offset: int) -> None:
        browsers = {role: Browser(port, session) for role, session in facts["sessions"].items()}
        turn = offset
        while time.monotonic() < stop:
            page = pages[turn % len(pages)]
            turn += 1
            try:
                status, _, took = browsers[page.role].ask("GET", page.path)
            except (http.client.HTTPException, OSError) as error:
                status, took = type(error).__name__, 0.0
            note(page.name, status, took)

    def writer(offset: int) -> None:
        browser = Browser(port, facts["sessions"]["analyst"])
        mine = facts["to_follow_up"][offset::WRITERS]
        turn = 0
        while time.monotonic() < stop and mine:
            pledge = mine[turn % len(mine)]
            turn += 1
            try:
                form = follow_up_form(browser, pledge)
                status, _, took = browser.ask("POST", f"/pledges/{pledge}/follow-ups/", form)
            except (http.client.HTTPException, OSError) as error:
                status, took = type(error).__name__, 0.0
            note("follow-up (POST)", status, took)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    served = sum(len(t.seconds) for t in results.values())
    return results, round(served / (time.monotonic() - began), 1)


# --- the run -----------------------------------------------------------------------------


def pages_of(facts: dict) -> list[Page]:
    entity, statement, pledge = facts["entity"], facts["statement"], facts["pledge"]
    status, kind = facts["filtered"]["status"], facts["filtered"]["kind"]
    last = max(1, -(-facts["pledges"] // 50))
    admin = "/admin/tracker/pledge/"
    filters = f"status={status}&kind={kind}&entity={entity}"
    admin_filters = f"status__exact={status}&kind__exact={kind}&actor__id__exact={entity}"
    return [
        Page("admin changelist", admin, role="admin"),
        Page("pledge list", "/pledges/", admin),
        Page("list, 3 filters", f"/pledges/?{filters}", f"{admin}?{admin_filters}"),
        Page("list, last page", f"/pledges/?page={last}", f"{admin}?p={last}"),
        Page("list as of a date", f"/pledges/?as_of={AS_OF}", admin),
        Page("dashboard", "/dashboard/", admin),
        Page("dashboard as of a date", f"/dashboard/?as_of={AS_OF}", admin),
        Page("entity page", f"/entities/{entity}/", f"{admin}?actor__id__exact={entity}"),
        Page("statement page", f"/statements/{statement}/", admin),
        Page("queue", "/queue/", admin, role="analyst"),
        Page("pledge page", f"/pledges/{pledge}/", role="analyst"),
    ]


def measure(database: str, size: int, folder: Path, times: int, load_seconds: float) -> dict:
    print(f"\n== {database}, {size:,} pledges ==", flush=True)
    url = database_url(database, size, folder)
    env = app_environment(url, folder)
    facts = prepare(env, size)
    port = free_port()
    server = serve(env, port)
    try:
        pages = pages_of(facts)
        browsers = {role: Browser(port, session) for role, session in facts["sessions"].items()}
        results: dict[str, Timings] = {}
        for page in pages:
            results[page.name] = time_page(browsers[page.role], page, times)
            for peer_name, peer in ((f"{page.name} [admin]", page.peer),):
                if peer and peer != "/admin/tracker/pledge/":
                    results[peer_name] = time_page(browsers["admin"], Page(peer_name, peer), times)
            print(f"  {page.name:<28} median {results[page.name].median() * 1000:8.1f} ms", flush=True)
        results["CSV export"], rows = time_export(browsers["manager"], 3)
        print(f"  CSV export: {rows:,} rows, median {results['CSV export'].median():.1f} s", flush=True)
        results["follow-up (POST)"] = time_follow_ups(browsers["analyst"], facts["to_follow_up"], times)
        load, per_second = ({}, 0.0)
        if load_seconds:
            readers = [page for page in pages if page.name != "admin changelist"]
            load, per_second = mixed_load(port, facts, readers, load_seconds)
        return {
            "pages": pages,
            "results": results,
            "load": load,
            "load_seconds": load_seconds,
            "per_second": per_second,
            "rows": rows,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        if database == "postgresql":
            import psycopg

            with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "pledge_benchmark_{size}" WITH (FORCE)')


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def report(database: str, runs: dict[int, dict]) -> str:
    """A Markdown table: median / p95 at each size, growth, ratio to the admin peer."""
    sizes = sorted(runs)
    small, large = sizes[0], sizes[-1]
    pages = runs[large]["pages"]
    head = ["page"] + [f"{size:,}: median / p95" for size in sizes]
    head += [f"{large:,} ÷ {small:,}", f"÷ admin at {large:,}"]
    lines = [f"| {' | '.join(head)} |", f"|{'---|' * len(head)}"]
    names = [page.name for page in pages] + ["CSV export", "follow-up (POST)"]
    peers = {page.name: page.peer for page in pages}
    for name in names:
        cells = [name]
        for size in sizes:
            timings = runs[size]["results"][name]
            cells.append(f"{ms(timings.median())} / {ms(timings.p95())}" + (" ⚠" if timings.errors else ""))
        big, little = runs[large]["results"][name], runs[small]["results"][name]
        cells.append(f"{big.median() / little.median():.2f}×" if len(sizes) > 1 else "")
        peer = peers.get(name)
        if peer:
            key = "admin changelist" if peer == "/admin/tracker/pledge/" else f"{name} [admin]"
            cells.append(f"{big.median() / runs[large]['results'][key].median():.2f}×")
        else:
            cells.append("")
        lines.append(f"| {' | '.join(cells)} |")
    load = runs[large]["load"]
    if load:
        lines.append("")
        lines.append(
            f"Mixed load at {large:,} pledges ({READERS} readers and {WRITERS} writers for "
            f"{runs[large]['load_seconds']:.0f} s): {runs[large]['per_second']} requests/s, "
            f"{sum(len(t.errors) for t in load.values())} errors."
        )
        lines.append("")
        lines.append("| page under load | requests | median | p95 | errors |")
        lines.append("|---|---|---|---|---|")
        for name, timings in sorted(load.items(), key=lambda item: names.index(item[0])):
            lines.append(
                f"| {name} | {len(timings.seconds)} | {ms(timings.median())} | {ms(timings.p95())} "
                f"| {len(timings.errors)} |"
            )
    return f"### {'SQLite' if database == 'sqlite' else 'PostgreSQL'}\n\n" + "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--requests", type=int, default=20, help="requests per page (default 20)")
    parser.add_argument(
        "--load-seconds", type=float, default=LOAD_SECONDS, help="0 leaves out the mixed load"
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.prepare:
        print(json.dumps(prepared()))
        return
    folder = Path(tempfile.mkdtemp(prefix="pledge-benchmark-"))
    tables = []
    try:
        for database in options.databases:
            runs = {
                size: measure(
                    database,
                    size,
                    folder,
                    options.requests,
                    options.load_seconds if size == max(options.sizes) else 0,
                )
                for size in sorted(options.sizes)
            }
            tables.append(report(database, runs))
            print("\n" + tables[-1], flush=True)
    finally:
        shutil.rmtree(folder)
    print("\n\n".join(["", f"Machine: {machine()}", *tables]))


def machine() -> str:
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cores} cores, {memory:.0f} GiB, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}"


if __name__ == "__main__":
    main()
