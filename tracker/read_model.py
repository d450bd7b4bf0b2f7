"""The read model: rows that say what the history says, so that pages read them by an
index instead of working each pledge's status out of its history.

- `StatusPeriod`: for each pledge, the days over which each status update in force
  decides its status (from its effective date to the next update's), and which update
  that is. "As of" a past day joins the period that holds the day (PledgeQuerySet.as_of);
  an export finds each pledge's deciding update by it (history.deciding_updates).
- `StatusMonthCount`: by how much the number of pledges with each status at the end of
  each month moves; the dashboard's month-by-month figures are their running sum.
- `StatusTally`: how many pledges of each entity, statement and theme have each status
  now; the dashboard's rate tables for today.

The services rebuild a pledge's periods in the transaction that changes its updates
(`pledge_changed`, called by services.history_changed under the pledge's row lock) and
add to the month counts only the difference that makes, in the months it touches. A
pledge made or deleted, or a statement whose date moves, changes the month counts too
(tracker.signals). The tallies move with each status change, and with each pledge
made, deleted, or moved to another entity, statement or theme (`counted_before` and
`counted_after`, called by tracker.signals around each save).
`manage.py check_read_model` compares all of it with the history.

"As known on" a past day still reads the history itself: these rows hold the record as
it stands now.
"""

from __future__ import annotations

import datetime
import itertools
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F

from tracker.models import (
    NO_THEME,
    Pledge,
    Statement,
    StatusMonthCount,
    StatusPeriod,
    StatusTally,
    StatusUpdate,
)
from tracker.vocabulary import Status

NOT_ASSESSED = Status.NOT_ASSESSED.value

# Set while many pledges are made or deleted at once (`recounted_after`): the month
# counts are counted once at the end instead of pledge by pledge.
_bulk = threading.local()


def _in_bulk() -> bool:
    return getattr(_bulk, "on", False)


class Period(NamedTuple):
    status: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    update_id: int  # the status update that decides it


class Update(NamedTuple):
    """What of a status update in force decides the periods."""

    effective_on: datetime.date
    recorded_at: datetime.datetime
    id: int
    status: str


def periods_of(updates: Iterable[Update]) -> list[Period]:
    """The periods the updates in force give: each from its effective date until the next
    one's, in the order that decides the status (effective date, then the moment it was
    recorded, then its id). An update followed by another effective the same day decides
    nothing, and has no period."""
    ordered = sorted(updates)
    periods = []
    for update, following in itertools.zip_longest(ordered, ordered[1:]):
        valid_to = following.effective_on if following else None
        if valid_to is None or valid_to > update.effective_on:
            periods.append(Period(update.status, update.effective_on, valid_to, update.id))
    return periods


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def moves_of(made_on: datetime.date, periods: list[Period]) -> Counter:
    """What one pledge adds to the month counts, keyed (month, status): it is "not
    assessed" from its statement's month until its first period, then each period's
    status from the month it begins to the month it ends. A period that begins before the
    statement's month (its date was moved since) counts from that month, as the
    dashboard always counted it."""
    made = month_of(made_on)

    def month(day: datetime.date) -> datetime.date:
        return max(month_of(day), made)

    moves = Counter({(made, NOT_ASSESSED): 1})
    if periods:
        moves[(month(periods[0].valid_from), NOT_ASSESSED)] -= 1
    for period in periods:
        moves[(month(period.valid_from), period.status)] += 1
        if period.valid_to is not None:
            moves[(month(period.valid_to), period.status)] -= 1
    return moves


def updates_in_force(pledge_ids: Iterable[int]) -> dict[int, list[Update]]:
    """The updates in force of these pledges, by pledge: one query."""
    found: dict[int, list[Update]] = {}
    rows = (
        StatusUpdate.objects.in_force()
        .filter(pledge_id__in=list(pledge_ids))
        .order_by()
        .values_list("pledge_id", "effective_on", "recorded_at", "id", "status")
    )
    for pledge_id, *update in rows:
        found.setdefault(pledge_id, []).append(Update(*update))
    return found


def stored_periods(pledge_ids: Iterable[int] | None) -> dict[int, list[Period]]:
    """The periods stored for these pledges (None: for every pledge), by pledge."""
    found: dict[int, list[Period]] = {}
    rows = (
        StatusPeriod.objects.all()
        if pledge_ids is None
        else StatusPeriod.objects.filter(pledge_id__in=list(pledge_ids))
    )
    rows = rows.order_by("pledge_id", "valid_from").values_list(
        "pledge_id", "status", "valid_from", "valid_to", "update_id"
    )
    for pledge_id, *period in rows:
        found.setdefault(pledge_id, []).append(Period(*period))
    return found


def pledge_changed(pledge: Pledge) -> None:
    """Rebuild the pledge's periods from its updates in force, and move the month counts
    by what that changes. Inside the transaction that changed the updates."""
    before, periods = rebuild_periods(pledge)
    if periods == before:
        return
    # Read afresh, under the pledge's lock: a statement's date moves only once it holds
    # the locks of all its pledges (statement_date_moved), so this is the date it counts.
    made_on = statement_day(pledge.statement_id)
    moves = moves_of(made_on, periods)
    moves.subtract(moves_of(made_on, before))
    add_moves(moves)


def rebuild_periods(pledge: Pledge) -> tuple[list[Period], list[Period]]:
    """Write the pledge's periods as its updates in force give them, if they differ from
    those stored: (before, after)."""
    periods = periods_of(updates_in_force([pledge.pk]).get(pledge.pk, []))
    before = stored_periods([pledge.pk]).get(pledge.pk, [])
    if periods != before:
        StatusPeriod.objects.filter(pledge=pledge).delete()
        StatusPeriod.objects.bulk_create(
            StatusPeriod(pledge=pledge, **period._asdict()) for period in periods
        )
    return before, periods


def statement_date_moved(statement: Statement, before: datetime.date, after: datetime.date) -> None:
    """A statement's date moved: its pledges count from another month. Call holding the
    statement's lock (statement_day): this takes its pledges' locks too, so that no
    update is half-counted meanwhile."""
    pledges = list(Pledge.objects.filter(statement=statement).select_for_update().order_by("pk").only("pk"))
    periods = stored_periods(pledge.pk for pledge in pledges)
    moves = Counter()
    for pledge in pledges:
        moves.update(moves_of(after, periods.get(pledge.pk, [])))
        moves.subtract(moves_of(before, periods.get(pledge.pk, [])))
    add_moves(moves)


def statement_day(statement_id: int, *, lock: bool = False) -> datetime.date:
    """The statement's date as committed; with `lock`, holding its row until the end of
    the transaction, so that the date cannot move meanwhile (nor pledges come or go
    while it moves)."""
    statements = Statement.objects.filter(pk=statement_id)
    if lock:
        statements = statements.select_for_update()
    return statements.values_list("delivered_on", flat=True).get()


def pledge_made(pledge: Pledge) -> None:
    if _in_bulk():
        return
    with transaction.atomic():  # (the lock lasts as long as the caller's transaction)
        made_on = statement_day(pledge.statement_id, lock=True)
        # The tallies before the month counts, as in every write: no two wait crosswise.
        add_tallies(tallies_of([pledge.pk]))
        add_moves(moves_of(made_on, []))


def pledge_deleted(pledge: Pledge) -> None:
    if _in_bulk():
        return
    with transaction.atomic():
        made_on = statement_day(pledge.statement_id, lock=True)
        tallies, moves = Counter(), Counter()
        tallies.subtract(tallies_of([pledge.pk]))
        add_tallies(tallies)
        moves.subtract(moves_of(made_on, stored_periods([pledge.pk]).get(pledge.pk, [])))
        add_moves(moves)


def add_moves(moves: Counter) -> None:
    """Add `moves` to the month counts: only the months and statuses they touch."""
    with transaction.atomic():
        for (month, status), change in sorted(moves.items()):
            if not change:
                continue
            counted, _ = StatusMonthCount.objects.get_or_create(month=month, status=status)
            StatusMonthCount.objects.filter(pk=counted.pk).update(moves=F("moves") + change)


# --- the tallies: each pledge counts once under its entity, its statement and each theme ---


def tallies_of(pledge_ids: Iterable[int] | None) -> Counter:
    """What these pledges (None: every pledge) count in the tallies as they stand in the
    database, keyed (group, key, status): two queries."""
    pledges = Pledge.objects.order_by()
    links = Pledge.themes.through.objects.order_by()
    if pledge_ids is not None:
        pledge_ids = list(pledge_ids)
        pledges = pledges.filter(pk__in=pledge_ids)
        links = links.filter(pledge_id__in=pledge_ids)
    return tallies_from(
        pledges.values_list("pk", "actor_id", "statement_id", "status"),
        links.values_list("pledge_id", "theme_id"),
    )


def tallies_from(pledges: Iterable[tuple], links: Iterable[tuple[int, int]]) -> Counter:
    """The tallies that these pledges (id, entity, statement, status) with these themes
    (pledge id, theme id) make."""
    status_of, themed = {}, set()
    counted = Counter()
    for pk, actor_id, statement_id, status in pledges:
        status_of[pk] = status
        counted[("entity", actor_id, status)] += 1
        counted[("statement", statement_id, status)] += 1
    for pledge_id, theme_id in links:
        if pledge_id in status_of:
            themed.add(pledge_id)
            counted[("theme", theme_id, status_of[pledge_id])] += 1
    for pk, status in status_of.items():
        if pk not in themed:
            counted[("theme", NO_THEME, status)] += 1
    return counted


def tally_rows(counts: Counter) -> dict[tuple[str, int], dict[str, int]]:
    """`counts` as rows: for each (group, key), the count of each status it has."""
    rows: dict[tuple[str, int], dict[str, int]] = {}
    for (group, key, status), n in sorted(counts.items()):
        if n:
            rows.setdefault((group, key), {})[status] = n
    return rows


class Counted(NamedTuple):
    pledge_ids: list[int]
    tallies: Counter


def counted_before(pledge_ids: Iterable[int]) -> Counted | None:
    """Before a change to these pledges' entity, statement, themes or status: what they
    count in the tallies now, holding their row locks (so that it is still theirs when the
    change is made). Give it to `counted_after` once the change is made."""
    pledge_ids = list(pledge_ids)
    if _in_bulk() or not pledge_ids:
        return None
    if transaction.get_connection().in_atomic_block:  # (a lock lasts only as long as one)
        list(Pledge.objects.filter(pk__in=pledge_ids).select_for_update().order_by("pk").values("pk"))
    return Counted(pledge_ids, tallies_of(pledge_ids))


def counted_after(before: Counted | None) -> None:
    """The tallies move by the difference the change made (see counted_before)."""
    if before is None:
        return
    moves = tallies_of(before.pledge_ids)
    moves.subtract(before.tallies)
    add_tallies(moves)


def add_tallies(moves: Counter) -> None:
    """Add `moves` (keyed (group, key, status)) to the tallies: only the rows they touch,
    each by an increment, in one order, so that two writers never wait on each other's
    rows crosswise."""
    by_row = tally_rows(moves)
    with transaction.atomic():
        # Rows not there yet are made empty first (another writer may be making them too).
        StatusTally.objects.bulk_create(
            [StatusTally(group=group, key=key) for group, key in by_row], ignore_conflicts=True
        )
        for (group, key), changes in by_row.items():
            StatusTally.objects.filter(group=group, key=key).update(
                **{status: F(status) + change for status, change in changes.items()}
            )


def stored_tallies() -> Counter:
    columns = [status.value for status in Status]
    counted = Counter()
    for group, key, *counts in StatusTally.objects.values_list("group", "key", *columns):
        for status, n in zip(columns, counts, strict=True):
            if n:
                counted[(group, key, status)] = n
    return counted


def recount_tallies() -> None:
    """The tallies, counted afresh from every pledge (bulk work, or repairing what the
    check found). Writers wait meanwhile, as for recount_months()."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE tracker_statustally IN EXCLUSIVE MODE")
        StatusTally.objects.all().delete()
        StatusTally.objects.bulk_create(
            (
                StatusTally(group=group, key=key, **counts)
                for (group, key), counts in tally_rows(tallies_of(None)).items()
            ),
            batch_size=1000,
        )


# --- the whole read model, from the history: for the check and for bulk writes ------------


@contextmanager
def recounted_after() -> Iterator[None]:
    """Bulk work on pledges (deleting the synthetic data, say): the month counts and the
    tallies are counted afresh once it is done, in the same transaction."""
    _bulk.on = True
    try:
        yield
    finally:
        _bulk.on = False
    recount_months()
    recount_tallies()


def recount_months() -> None:
    """The month counts, counted afresh from every pledge's periods. Writers wait
    meanwhile (PostgreSQL: the table's lock, taken before anything is read; SQLite: its
    write lock), so that none adds to counts about to be replaced."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE tracker_statusmonthcount IN EXCLUSIVE MODE")
        made_on = dict(Pledge.objects.values_list("pk", "statement__delivered_on"))
        replace_month_counts(month_counts_from(made_on, stored_periods(None)))


def expected_periods(pledge_ids: list[int]) -> dict[int, list[Period]]:
    return {pk: periods_of(updates) for pk, updates in updates_in_force(pledge_ids).items()}


def month_counts_from(made_on: dict[int, datetime.date], periods: dict[int, list[Period]]) -> Counter:
    """The month counts that these pledges (their statements' dates, their periods) make."""
    total = Counter()
    for pk, day in made_on.items():
        total.update(moves_of(day, periods.get(pk, [])))
    return total


def stored_month_counts() -> Counter:
    return Counter(
        {
            (month, status): moves
            for month, status, moves in StatusMonthCount.objects.values_list("month", "status", "moves")
            if moves
        }
    )


def replace_month_counts(counts: Counter) -> None:
    """Write the month counts afresh (bulk loading, or repairing what the check found)."""
    with transaction.atomic():
        StatusMonthCount.objects.all().delete()
        StatusMonthCount.objects.bulk_create(
            StatusMonthCount(month=month, status=status, moves=moves)
            for (month, status), moves in sorted(counts.items())
            if moves
        )
