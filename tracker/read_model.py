"""The read model: rows that say what the history says, so that pages read them by an
index instead of working each pledge's status out of its history.

- `StatusPeriod`: for each pledge, the days over which each status update in force
  decides its status (from its effective date to the next update's). "As of" a past
  day joins the period that holds the day (PledgeQuerySet.as_of).
- `StatusMonthCount`: by how much the number of pledges with each status at the end of
  each month moves; the dashboard's month-by-month figures are their running sum.

The services rebuild a pledge's periods in the transaction that changes its updates
(`pledge_changed`, called by services.history_changed under the pledge's row lock) and
add to the month counts only the difference that makes, in the months it touches. A
pledge made or deleted, or a statement whose date moves, changes the month counts too
(tracker.signals). `manage.py check_read_model` compares all of it with the history.

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

from tracker.models import Pledge, Statement, StatusMonthCount, StatusPeriod, StatusUpdate
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
            periods.append(Period(update.status, update.effective_on, valid_to))
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
        "pledge_id", "status", "valid_from", "valid_to"
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
        add_moves(moves_of(statement_day(pledge.statement_id, lock=True), []))


def pledge_deleted(pledge: Pledge) -> None:
    if _in_bulk():
        return
    with transaction.atomic():
        moves = Counter()
        made_on = statement_day(pledge.statement_id, lock=True)
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


# --- the whole read model, from the history: for the check and for bulk writes ------------


@contextmanager
def recounted_after() -> Iterator[None]:
    """Bulk work on pledges (deleting the synthetic data, say): the month counts are
    counted afresh once it is done, in the same transaction."""
    _bulk.on = True
    try:
        yield
    finally:
        _bulk.on = False
    recount_months()


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
