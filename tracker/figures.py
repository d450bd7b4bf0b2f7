"""The figures the pages show, apart from how they are drawn: the dashboard's counts,
the compliance rates, the statuses month by month and by theme, and the scorecards of
entities and speakers. Each number comes with the link to the pledge list that it
counts, made by one builder (`list_link`), so that clicking it shows those pledges.

The rules the counts apply (overdue, not checked for 180 days ...) live in tracker.rules.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from tracker import history, read_model, rules
from tracker.models import (
    WEEK_TALLY_GROUPS,
    HeadlineDayCount,
    Pledge,
    StatusMonthCount,
    StatusTally,
    StatusUpdate,
    Theme,
    WeekTally,
    all_known,
    as_stored,
)
from tracker.vocabulary import Status

# How many recent changes the dashboard lists.
RECENT_ACTIVITY = 10


def list_link(
    as_of: datetime.date | None = None, known_on: datetime.date | None = None, **base
) -> Callable[..., str]:
    """A builder of links to the pledge list: `base` filters, and those given to each
    link, at the as-of and as-known-on dates (those asked for)."""

    pledge_list = reverse("pledge_list")

    def link(**filters) -> str:
        filters = {**base, **filters}
        if as_of:
            filters["as_of"] = as_of.isoformat()
        if known_on:
            filters["known_on"] = known_on.isoformat()
        return f"{pledge_list}?{urlencode(filters, doseq=True)}"

    return link


def dated_link(
    name: str, as_of: datetime.date | None = None, known_on: datetime.date | None = None, **params
) -> str:
    """A link to the page `name` (a list that takes the dates), with `params` and the
    as-of and as-known-on dates asked for."""
    dates = {"as_of": as_of, "known_on": known_on}
    query = urlencode({**params, **{field: day.isoformat() for field, day in dates.items() if day}})
    return reverse(name) + (f"?{query}" if query else "")


def dashboard(
    day: datetime.date,
    *,
    as_of: datetime.date | None,
    known_on: datetime.date | None = None,
    rates_by: str = "name",
) -> dict:
    """Everything the dashboard counts, as of `day` (`as_of` is the date asked for, if
    any, which the links carry) as known on `known_on` (None: all that is recorded),
    each count with its link."""
    link = list_link(as_of, known_on)
    pledges = Pledge.objects.as_of(day, known_on)
    # How many pledges are of statements dated after the day (today), and whether the
    # day is past with the record as it stands now (read from the dated summaries).
    later, dated = None, False
    if as_stored(day, known_on):
        # As the record stands today: read what the pledges store, by indexes, and the
        # tallies (tracker.read_model), unless a statement is dated later than the day.
        counts, by_status, later = Pledge.objects.counts_today(day)
    elif all_known(known_on):
        # A past day, as the record stands now: the sum of the day counts up to it.
        dated = True
        counts, by_status = HeadlineDayCount.objects.counts_as_of(day)
    else:
        counts, by_status = pledges.counts_as_of(day)

    # The compliance rate per entity, theme and statement, each row with the links to
    # the pledges it rests on and to all its pledges; the first RATES_SHOWN of each,
    # with the link to the full list where there are more.
    def rates(group: str, key: str, name: str, limit: int | None) -> list[dict]:
        # Every table holds the same figures: read from the tallies today (unless a
        # statement is dated later), from the week and day tallies for a past day as the
        # record stands now (entities and themes), or else counted pledge by pledge.
        if later == 0:
            return StatusTally.objects.compliance_by(group, order=rates_by, limit=limit)
        if dated and group in WEEK_TALLY_GROUPS:
            return WeekTally.objects.compliance_as_of(group, day, order=rates_by, limit=limit)
        return pledges.compliance_by(key, name, order=rates_by, limit=limit)

    compliance = [
        rate_table(rates, group, heading, key, name, full_list, link, as_of, known_on)
        for group, heading, key, name, full_list in RATE_GROUPS
    ]
    # The theme chart counts what the theme rates counted: every theme, by status.
    themes = _by_theme(next(rows for group, _, rows, _ in compliance if group == "theme"))

    def theme_link(theme, status: Status) -> str:
        return link(theme=theme.pk, status=status.value) if theme else link(status=status.value)

    months = monthly_status_counts(day, known_on, at_day=by_status)
    return {
        "total": counts["total"],
        "all_link": link(),
        "by_status": [(status, n, link(status=status.value)) for status, n in by_status.items()],
        "headlines": [
            ("Overdue", counts["overdue"], link(overdue="yes")),
            (rules.DUE_SOON_LABEL, counts["due_soon"], link(due_within=rules.DUE_SOON_DAYS)),
            (
                rules.CHANGED_RECENTLY_LABEL,
                counts["changed_recently"],
                link(changed_within=rules.CHANGED_RECENTLY_DAYS),
            ),
            (rules.NOT_CHECKED_LABEL, counts["not_checked"], link(not_checked="yes")),
            ("Never assessed", counts["never_assessed"], link(status=Status.NOT_ASSESSED.value)),
        ],
        "compliance": compliance,
        # Each month's figures link to the list as of that month's end.
        "months": [
            (end, [(status, n, month_link(status=status.value)) for status, n in figures.items()])
            for end, figures in months
            for month_link in [list_link(end, known_on)]
        ],
        "themes": [
            (theme, [(status, n, theme_link(theme, status)) for status, n in figures.items()])
            for theme, figures in themes
        ],
        "activity": history.recent(day, RECENT_ACTIVITY),
    }


# Each grouping of the compliance rate: its filter in the list, its heading, the fields
# that key and name it, and the page listing every one of them (themes are few).
RATE_GROUPS = [
    ("entity", "Entity", "actor_id", "actor__name", "entity_list"),
    ("theme", "Theme", "themes", "themes__name", None),
    ("statement", "Statement", "statement_id", "statement__title", "statement_list"),
]
# How many rows each table of rates shows on the dashboard.
RATES_SHOWN = 20
# How many overdue pledges, and statements, an entity's or a speaker's page lists; a link
# leads to all of them.
SHOWN_ON_A_PAGE = 20


def rate_table(rates, group, heading, key, name, full_list, link, as_of, known_on) -> tuple:
    """(group, heading, rows, link to all of them if some are left out) for the dashboard,
    the rows as `rates` reads them."""
    limit = RATES_SHOWN + 1 if full_list else None
    rows = rates(group, key, name, limit)
    more = None
    if len(rows) > RATES_SHOWN and full_list:
        rows = rows[:RATES_SHOWN]
        more = dated_link(full_list, as_of, known_on)
    for row in rows:
        row["link"] = (
            link(**{group: row["key"], "status": rules.SCORED_STATUSES})
            if row["key"]
            else link(status=rules.SCORED_STATUSES)
        )
        row["all_link"] = link(**{group: row["key"]}) if row["key"] else link()
    return group, heading, rows, more


def _by_theme(rows: list[dict]) -> list[tuple[Theme | None, dict[Status, int]]]:
    """Pledges by theme, then status, from the theme rates' rows: by the theme's name,
    those without a theme (None) last. A pledge with several themes counts under each."""
    themed = [
        (Theme(pk=row["key"], name=row["name"]) if row["key"] else None, row["by_status"]) for row in rows
    ]
    return sorted(themed, key=lambda item: (item[0] is None, item[0].name if item[0] else ""))


def scorecard(pledges, *, day: datetime.date, dates: dict, standing: dict | None = None, **filters) -> dict:
    """Pledges (as of `day`) by status, the compliance rate and the overdue pledges,
    each with a link to the pledge list filtered to what it counts (`filters` select
    these pledges there; `dates`, the as-of and as-known-on dates asked for).
    `standing`: the pledges' standing() if read already (from a tally)."""
    link = list_link(dates.get("as_of"), dates.get("known_on"), **filters)
    standing = standing or pledges.standing()
    return {
        "by_status": [
            (status, n, link(status=status.value)) for status, n in standing["by_status"].items() if n
        ],
        "compliance": {**standing, "link": link(status=rules.SCORED_STATUSES)},
        # The first SHOWN_ON_A_PAGE (and whether there are more): the link has them all.
        "overdue": list(pledges.overdue(day).order_by("deadline_on", "pk")[: SHOWN_ON_A_PAGE + 1]),
        "overdue_link": link(overdue="yes"),
        "all_link": link(),
    }


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The end of each month from `first`'s to `last`'s; the last one is `last` itself."""
    ends = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        ends.append(min(month_end(datetime.date(year, month, 1)), last))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


def monthly_status_counts(
    day: datetime.date,
    known_on: datetime.date | None = None,
    *,
    at_day: dict[Status, int] | None = None,
) -> list[tuple[datetime.date, dict[Status, int]]]:
    """How the statuses stood at the end of each month up to `day` (the last figures are
    those of `day` itself), as the updates effective by then make them; retracted ones
    never count.

    From the read model's month counts (tracker.read_model), whatever the number of
    pledges: each month's figures are the running sum of its moves, and `day`'s are the
    counts by status as of `day` (`at_day`, if the caller has them already). As known on
    a past day, from the history itself (monthly_status_counts_from_history).
    """
    if known_on is not None and known_on < timezone.localdate():
        return monthly_status_counts_from_history(day, known_on)
    if at_day is None:
        at_day = Pledge.objects.as_of(day).count_by_status()
    moves = (
        StatusMonthCount.objects.filter(month__lt=read_model.month_of(day))
        .exclude(moves=0)
        .order_by("month")
        .values_list("month", "status", "moves")
    )
    moves = list(moves)
    if not moves and not any(at_day.values()):
        return []
    ends = _months(moves[0][0] if moves else day, day)
    index = {(end.year, end.month): i for i, end in enumerate(ends)}
    by_month = [dict.fromkeys(Status, 0) for _ in ends]
    for month, status, change in moves:
        by_month[index[(month.year, month.month)]][Status(status)] += change
    figures, running = [], dict.fromkeys(Status, 0)
    for end, move in zip(ends[:-1], by_month[:-1], strict=True):
        running = {status: running[status] + move[status] for status in Status}
        figures.append((end, running))
    figures.append((ends[-1], dict(at_day)))
    return figures


def monthly_status_counts_from_history(
    day: datetime.date, known_on: datetime.date | None = None
) -> list[tuple[datetime.date, dict[Status, int]]]:
    """How the statuses stood at the end of each month up to `day`, as the updates
    effective by then make them (retracted ones never count; as known on `known_on`,
    only those recorded by then count).

    Two queries, whatever the number of pledges: each pledge adds one to "not assessed"
    in the month its statement was made, and each month's last update moves it from
    one status to another; the running sum gives every month's figures.
    """
    made = dict(
        Pledge.objects.filter(statement__delivered_on__lte=day).values_list("pk", "statement__delivered_on")
    )
    if not made:
        return []
    ends = _months(min(made.values()), day)
    index = {(end.year, end.month): i for i, end in enumerate(ends)}
    updates = (
        StatusUpdate.objects.counting(known_on)
        .filter(effective_on__lte=day, pledge__statement__delivered_on__lte=day)
        .order_by("pledge_id", "effective_on", "recorded_at", "id")
        .values_list("pledge_id", "effective_on", "status")
    )
    # The status each pledge ends each month with, for the months in which it changes.
    month_ends: dict[int, dict[int, Status]] = {
        pk: {index[(delivered.year, delivered.month)]: Status.NOT_ASSESSED} for pk, delivered in made.items()
    }
    for pk, effective_on, status in updates:
        # An update that took effect before its statement's month (the statement's date was
        # moved in the admin since) counts from the statement's month.
        made_in = index[(made[pk].year, made[pk].month)]
        month = max(index.get((effective_on.year, effective_on.month), 0), made_in)
        month_ends[pk][month] = Status(status)

    moves = [dict.fromkeys(Status, 0) for _ in ends]
    for by_month in month_ends.values():
        before = None
        for month in sorted(by_month):
            now = by_month[month]
            if before is not None:
                moves[month][before] -= 1
            moves[month][now] += 1
            before = now
    running = dict.fromkeys(Status, 0)
    figures = []
    for end, move in zip(ends, moves, strict=True):
        running = {status: running[status] + move[status] for status in Status}
        figures.append((end, running))
    return figures
