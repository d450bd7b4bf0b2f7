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
- `HeadlinePeriod`: for each pledge, the days over which it counts the same way in the
  dashboard's headline figures (its status, overdue, due soon, changed recently, not
  checked), from its statement's date on; `HeadlineMonthCount` and `HeadlineDayCount`:
  by how much those figures move in each month and on each day. The dashboard as of a
  past day sums the months before its own and the days of its month up to it.

The services rebuild a pledge's periods in the transaction that changes its updates
(`pledge_changed`, called by services.history_changed under the pledge's row lock) and
add to the month counts only the difference that makes, in the months it touches. A
pledge made or deleted, or a statement whose date moves, changes the month counts too
(tracker.signals). The tallies move with each status change, and with each pledge
made, deleted, or moved to another entity, statement or theme (`counted_before` and
`counted_after`, called by tracker.signals around each save). A pledge's headline periods
are rebuilt with its status periods, and when its deadline or its statement's date
moves, or it is made or deleted (`standings_changed`); the day counts move by the
difference.
`manage.py check_read_model` compares all of it with the history.

"As known on" a past day still reads the history itself: these rows hold the record as
it stands now.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tracker import rules
from tracker.models import (
    HEADLINE_FLAGS,
    NO_THEME,
    DayTally,
    HeadlineDayCount,
    HeadlineMonthCount,
    HeadlinePeriod,
    Pledge,
    Review,
    Statement,
    StatusMonthCount,
    StatusPeriod,
    StatusTally,
    StatusUpdate,
    WeekTally,
    week_of,
)
from tracker.vocabulary import Status

NOT_ASSESSED = Status.NOT_ASSESSED.value
STATUS_VALUES = tuple(Status.values)

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
    by what that changes; then its headline periods (a review changes those alone).
    Inside the transaction that changed the history."""
    before, periods = rebuild_periods(pledge)
    if periods != before:
        # Read afresh, under the pledge's lock: a statement's date moves only once it holds
        # the locks of all its pledges (statement_date_moved), so this is the date it counts.
        made_on = statement_day(pledge.statement_id)
        moves = moves_of(made_on, periods)
        moves.subtract(moves_of(made_on, before))
        add_moves(moves)
    standings_changed([pledge.pk])


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
    # (The statement is saved only after this: its pledges count from the date it gets.)
    standings_changed([pledge.pk for pledge in pledges], made_on=after)


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
        standings_changed([pledge.pk])


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
        # (Its headline periods go with it, by the cascade.)
        standings = stored_standings([pledge.pk])
        gone, weeks = Counter(), Counter()
        gone.subtract(day_moves_of(standings.get(pledge.pk, [])))
        add_day_moves(gone)
        weeks.subtract(dated_tallies_of(groups_of([pledge.pk]), standings))
        add_dated_tallies(weeks)


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
    weeks: Counter | None  # their week tallies, if the change may move them to other groups


def counted_before(pledge_ids: Iterable[int], *, regrouped: bool = True) -> Counted | None:
    """Before a change to these pledges' entity, statement, themes (`regrouped`) or
    status: what they count in the tallies (and the week tallies, if regrouped) now,
    holding their row locks (so that it is still theirs when the change is made). Give it
    to `counted_after` once the change is made."""
    pledge_ids = list(pledge_ids)
    if _in_bulk() or not pledge_ids:
        return None
    if transaction.get_connection().in_atomic_block:  # (a lock lasts only as long as one)
        list(Pledge.objects.filter(pk__in=pledge_ids).select_for_update().order_by("pk").values("pk"))
    weeks = dated_tallies_of(groups_of(pledge_ids), stored_standings(pledge_ids)) if regrouped else None
    return Counted(pledge_ids, tallies_of(pledge_ids), weeks)


def counted_after(before: Counted | None, *, standings_may_move: bool = False) -> None:
    """The tallies (and week and day tallies) move by the difference the change made (see
    counted_before). If the change may move the pledges' headline periods too (a
    deadline, say), they are rebuilt here, under the groups the pledges have now, and
    the week and day tallies move once for both: after the headline counts, as every
    writer moves them."""
    if before is None:
        return
    moves = tallies_of(before.pledge_ids)
    moves.subtract(before.tallies)
    add_tallies(moves)
    regrouped = Counter()
    if before.weeks is not None:
        regrouped = dated_tallies_of(groups_of(before.pledge_ids), stored_standings(before.pledge_ids))
        regrouped.subtract(before.weeks)
    if standings_may_move:
        standings_changed(before.pledge_ids, also=regrouped)
    else:
        add_dated_tallies(regrouped)


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


# --- the headline periods: how each pledge counts in the dashboard's headlines, day by day ---


class Standing(NamedTuple):
    """How a pledge counts in the headline figures from `valid_from` until `valid_to`
    (None: from then on): its status, and each of HEADLINE_FLAGS."""

    valid_from: datetime.date
    valid_to: datetime.date | None
    status: str
    overdue: bool
    due_soon: bool
    changed_recently: bool
    not_checked: bool

    def counted_as(self) -> tuple:
        return (self.status, self.overdue, self.due_soon, self.changed_recently, self.not_checked)


class Judged(NamedTuple):
    """What the headline rules read of one pledge, apart from its periods."""

    made_on: datetime.date
    deadline_on: datetime.date | None
    checks: list[datetime.datetime]  # when each status update and review in force was recorded


ONE_DAY = datetime.timedelta(days=1)


def standings_of(judged: Judged, periods: list[Period]) -> list[Standing]:
    """The pledge's headline periods, from its statement's date on. Its status and last
    change are those of the status period holding each day; each headline rule is judged
    by its predicate (rules.headlines_of) on each day where something it reads can
    change: a period's start and end, the end of its "changed recently" window, the
    deadline's window, each check and the day it grows 180 days old. Between those days
    none of them changes."""
    # (day, moment) of each check, in the order recorded: the last one recorded by a day
    # is the last of those up to (that day, the latest moment).
    zone = timezone.get_current_timezone()
    check_days = sorted((timezone.localdate(moment, zone), moment) for moment in judged.checks)
    # The days on which something a rule reads may change.
    change_days = {judged.made_on}
    for period in periods:
        change_days |= {period.valid_from, period.valid_to}
        change_days.add(period.valid_from + datetime.timedelta(days=rules.CHANGED_RECENTLY_DAYS))
    if judged.deadline_on:
        change_days |= {
            judged.deadline_on - datetime.timedelta(days=rules.DUE_SOON_DAYS),
            judged.deadline_on + ONE_DAY,
        }
    for day, _ in check_days:
        change_days |= {day, day + rules.NOT_CHECKED_FOR}
    starts = [period.valid_from for period in periods]
    standings: list[Standing] = []
    for day in sorted(day for day in change_days if day is not None and day >= judged.made_on):
        holding = bisect.bisect_right(starts, day) - 1
        period = periods[holding] if holding >= 0 else None
        if period is not None and period.valid_to is not None and period.valid_to <= day:
            period = None  # (periods leave no gap: only the last may end, and none does)
        status = period.status if period else NOT_ASSESSED
        checks_by_then = bisect.bisect_right(check_days, (day, _LATEST))
        checked = check_days[checks_by_then - 1][1] if checks_by_then else None
        judged_then = rules.headlines_of(
            status=Status(status),
            deadline_on=judged.deadline_on,
            last_change_on=period.valid_from if period else None,
            last_checked_at=checked,
            day=day,
            zone=zone,
        )
        standing = Standing(day, None, status, *(judged_then[name] for name in HEADLINE_FLAGS))
        if standings and standings[-1].counted_as() == standing.counted_as():
            continue
        if standings:
            standings[-1] = standings[-1]._replace(valid_to=day)
        standings.append(standing)
    return standings


# Sorts after every moment of a day, in (day, moment) pairs.
_LATEST = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def day_moves_of(standings: list[Standing]) -> Counter:
    """What one pledge's headline periods add to the day counts, keyed (day, status,
    *HEADLINE_FLAGS): one on the day each begins, minus one on the day it ends."""
    moves = Counter()
    for standing in standings:
        moves[(standing.valid_from, *standing.counted_as())] += 1
        if standing.valid_to is not None:
            moves[(standing.valid_to, *standing.counted_as())] -= 1
    return moves


def judged_of(pledge_ids: list[int], *, made_on: datetime.date | None = None) -> dict[int, Judged]:
    """What the headline rules read of these pledges (their statements' dates, or
    `made_on` for all of them; their deadlines; when each of their status updates and
    reviews in force was recorded): three queries."""
    checks: dict[int, list[datetime.datetime]] = {pk: [] for pk in pledge_ids}
    for model in (StatusUpdate, Review):
        rows = model.objects.in_force().filter(pledge_id__in=pledge_ids).order_by()
        for pledge_id, moment in rows.values_list("pledge_id", "recorded_at"):
            checks[pledge_id].append(moment)
    pledges = Pledge.objects.filter(pk__in=pledge_ids).order_by()
    return {
        pk: Judged(made_on or delivered_on, deadline_on, checks[pk])
        for pk, delivered_on, deadline_on in pledges.values_list(
            "pk", "statement__delivered_on", "deadline_on"
        )
    }


def expected_standings(
    pledge_ids: list[int], periods: dict[int, list[Period]] | None = None, *, made_on=None
) -> dict[int, list[Standing]]:
    """The headline periods these pledges' records give (with these status periods: the
    stored ones, if None)."""
    if periods is None:
        periods = stored_periods(pledge_ids)
    return {
        pk: standings_of(judged, periods.get(pk, []))
        for pk, judged in judged_of(pledge_ids, made_on=made_on).items()
    }


def stored_standings(pledge_ids: Iterable[int] | None) -> dict[int, list[Standing]]:
    """The headline periods stored for these pledges (None: every pledge), by pledge."""
    rows = HeadlinePeriod.objects.all()
    if pledge_ids is not None:
        rows = rows.filter(pledge_id__in=list(pledge_ids))
    found: dict[int, list[Standing]] = {}
    for pledge_id, *standing in rows.order_by("pledge_id", "valid_from").values_list(
        "pledge_id", *Standing._fields
    ):
        found.setdefault(pledge_id, []).append(Standing(*standing))
    return found


def standings_changed(
    pledge_ids: list[int], *, made_on: datetime.date | None = None, also: Counter | None = None
) -> None:
    """Rebuild these pledges' headline periods from what they are now (counted from
    `made_on`, if given, as their statement's new date), and move the month and day
    counts and the week and day tallies by the difference (and the tallies by `also`
    too: see counted_after). Inside the transaction of the change, holding the pledges'
    locks."""
    if _in_bulk() or not pledge_ids:
        return
    expected = expected_standings(pledge_ids, made_on=made_on)
    stored = stored_standings(pledge_ids)
    changed = [pk for pk in pledge_ids if expected.get(pk, []) != stored.get(pk, [])]
    if not changed:
        add_dated_tallies(also or Counter())
        return
    moves = Counter()
    for pk in changed:
        moves.update(day_moves_of(expected.get(pk, [])))
        moves.subtract(day_moves_of(stored.get(pk, [])))
    groups = groups_of(changed)
    weeks = dated_tallies_of(groups, {pk: expected.get(pk, []) for pk in changed})
    weeks.subtract(dated_tallies_of(groups, {pk: stored.get(pk, []) for pk in changed}))
    weeks.update(also or Counter())
    with transaction.atomic():
        HeadlinePeriod.objects.filter(pledge_id__in=changed).delete()
        HeadlinePeriod.objects.bulk_create(
            HeadlinePeriod(pledge_id=pk, **standing._asdict())
            for pk in changed
            for standing in expected.get(pk, [])
        )
        add_day_moves(moves)
        add_dated_tallies(weeks)


def add_day_moves(moves: Counter) -> None:
    """Add `moves` (keyed (day, status, *HEADLINE_FLAGS)) to the month counts and the day
    counts, in that order (as every writer does)."""
    for model, dated_by, dated in (
        (HeadlineMonthCount, "month", by_month(moves)),
        (HeadlineDayCount, "day", moves),
    ):
        _add_to(model, [dated_by, "status", *HEADLINE_FLAGS], {key: {"moves": n} for key, n in dated.items()})


def by_month(moves: Counter) -> Counter:
    """Day counts' moves (keyed (day, status, *HEADLINE_FLAGS)) by the month they fall in."""
    months = Counter()
    for (day, *counted_as), n in moves.items():
        months[(month_of(day), *counted_as)] += n
    return nonzero(months)


def _add_to(model, keyed_by: list[str], changes: dict[tuple, dict[str, int]]) -> None:
    """Add `changes` to `model`'s rows: for each key (the values of the `keyed_by`
    columns), the change of each of its counting columns. One statement for all of them
    (an upsert per row, sent together), which makes the rows not there yet; in one order,
    so that two writers never wait on each other's rows crosswise."""
    rows = sorted((key, change) for key, change in changes.items() if any(change.values()))
    if not rows:
        return
    counting = sorted({column for _, change in rows for column in change})
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    keys = ", ".join(quote(column) for column in keyed_by)
    added = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in counting)
    marks = ", ".join(["%s"] * (len(keyed_by) + len(counting)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({keys}, {', '.join(quote(c) for c in counting)}) "  # noqa: S608 - names of our own
            f"VALUES ({marks}) ON CONFLICT ({keys}) DO UPDATE SET {added}",
            [(*key, *(change.get(c, 0) for c in counting)) for key, change in rows],
        )


# --- the week and day tallies: the rate tables by entity and theme, by date --------------------


def groups_of(pledge_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """The (group, key) each of these pledges counts under in the week tallies: its
    entity, and each of its themes (NO_THEME if none). Two queries."""
    groups = {
        pk: [("entity", actor_id)]
        for pk, actor_id in Pledge.objects.filter(pk__in=pledge_ids).order_by().values_list("pk", "actor_id")
    }
    links = Pledge.themes.through.objects.filter(pledge_id__in=pledge_ids).order_by()
    themed = set()
    for pledge_id, theme_id in links.values_list("pledge_id", "theme_id"):
        groups[pledge_id].append(("theme", theme_id))
        themed.add(pledge_id)
    for pk, own in groups.items():
        if pk not in themed:
            own.append(("theme", NO_THEME))
    return groups


def dated_tallies_of(
    groups: dict[int, list[tuple[str, int]]], standings: dict[int, list[Standing]]
) -> Counter:
    """What these pledges (in these groups, with these headline periods) add to the week
    and day tallies, keyed (group, key, day, status): one on the day each period begins,
    minus one on the day it ends, under each of the pledge's groups (periods that differ
    only by a headline rule cancel out)."""
    moves = Counter()
    for pk, own in standings.items():
        days = Counter()
        for standing in own:
            days[(standing.valid_from, standing.status)] += 1
            if standing.valid_to is not None:
                days[(standing.valid_to, standing.status)] -= 1
        for group, key in groups.get(pk, []):
            for (day, status), n in days.items():
                if n:
                    moves[(group, key, day, status)] += n
    return moves


def by_week(moves: Counter) -> Counter:
    """Dated tallies' moves (keyed (group, key, day, status)) by the week they fall in."""
    weeks = Counter()
    for (group, key, day, status), n in moves.items():
        weeks[(group, key, week_of(day), status)] += n
    return nonzero(weeks)


def nonzero(moves: Counter) -> Counter:
    """`moves` without those that add nothing (`+moves` would leave out the negative too)."""
    return Counter({key: n for key, n in moves.items() if n})


def add_dated_tallies(moves: Counter) -> None:
    """Add `moves` (keyed (group, key, day, status)) to the week tallies and the day
    tallies, in that order (as every writer does)."""
    for model, dated_by, dated in ((WeekTally, "week", by_week(moves)), (DayTally, "day", moves)):
        changes: dict[tuple, dict[str, int]] = {}
        for (group, key, day, status), n in dated.items():
            # Every column, so that a row made here has them all.
            changes.setdefault((group, key, day), dict.fromkeys(STATUS_VALUES, 0))[status] += n
        _add_to(model, ["group", "key", dated_by], changes)


def stored_dated_tallies(model: type[WeekTally] | type[DayTally]) -> Counter:
    """The week or day tallies stored, keyed (group, key, week or day, status)."""
    columns = [status.value for status in Status]
    dated_by = "week" if model is WeekTally else "day"
    counted = Counter()
    for group, key, day, *counts in model.objects.values_list("group", "key", dated_by, *columns):
        for status, n in zip(columns, counts, strict=True):
            if n:
                counted[(group, key, day, status)] = n
    return counted


def stored_day_counts(model: type[HeadlineDayCount] | type[HeadlineMonthCount]) -> Counter:
    """The day (or month) counts stored, keyed (day or month, status, *HEADLINE_FLAGS)."""
    columns = ["day" if model is HeadlineDayCount else "month", "status", *HEADLINE_FLAGS]
    return Counter(
        {tuple(key): moves for *key, moves in model.objects.values_list(*columns, "moves") if moves}
    )


def recount_standings() -> None:
    """Every pledge's headline periods, the month and day counts and the week and day
    tallies, made afresh from the record (bulk work, or repairing what the check found).
    Writers wait meanwhile."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The periods too: a writer rebuilding a pledge's meanwhile would leave it
                # two sets of them (or wait crosswise on the counts).
                cursor.execute(
                    "LOCK TABLE tracker_headlineperiod, tracker_headlinemonthcount, "
                    "tracker_headlinedaycount, tracker_weektally, tracker_daytally IN EXCLUSIVE MODE"
                )
        for model in (HeadlinePeriod, HeadlineMonthCount, HeadlineDayCount, WeekTally, DayTally):
            model.objects.all().delete()
        ids = list(Pledge.objects.order_by("pk").values_list("pk", flat=True))
        moves, tallies = Counter(), Counter()
        for chunk in itertools.batched(ids, 1000):
            expected = expected_standings(list(chunk))
            tallies.update(dated_tallies_of(groups_of(list(chunk)), expected))
            HeadlinePeriod.objects.bulk_create(
                (HeadlinePeriod(pledge_id=pk, **s._asdict()) for pk, own in expected.items() for s in own),
                batch_size=1000,
            )
            for own in expected.values():
                moves.update(day_moves_of(own))
        add_day_moves(moves)
        add_dated_tallies(tallies)


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
    recount_standings()


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
