"""The pledge's rules, each defined once: final, scored, overdue, due within N days,
changed within N days, no change for 180 days (stale), and what needs an analyst.

Each rule is a `Q` builder over pledges annotated by `PledgeQuerySet.as_of()` (which
gives `shown_status` and `last_change_on`), with a `PledgeQuerySet` method named for it
that the pages, the filters, the exports and the tests call. Where a page judges one
pledge already in hand, the same rule is written beside its `Q` as a predicate on plain
values, and a test checks that both agree on every boundary day.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from tracker.vocabulary import Status

# No statement the tracker follows is older than the United Nations; a date before this
# is a mistake (and arithmetic on dates near year 1 fails), and is refused where asked.
EARLIEST_DATE = datetime.date(1945, 1, 1)
# Deadlines can lie far ahead, but not past this.
LATEST_DEADLINE = datetime.date(2200, 12, 31)

# A pledge whose status has not changed for this many days needs an analyst again.
STALE_AFTER_DAYS = 180
# The dashboard's windows: deadlines coming up, and changes just made.
DUE_SOON_DAYS = 90
CHANGED_RECENTLY_DAYS = 30

STALE_AFTER = datetime.timedelta(days=STALE_AFTER_DAYS)

# The labels the pages give the rules, from the same numbers.
STALE_LABEL = f"No change for {STALE_AFTER_DAYS} days"
DUE_SOON_LABEL = f"Due in the next {DUE_SOON_DAYS} days"
CHANGED_RECENTLY_LABEL = f"Changed in the last {CHANGED_RECENTLY_DAYS} days"

# The statuses the compliance rate counts (tracker.vocabulary: fulfilled +1, partially 0, not −1).
SCORED_STATUSES = [status.value for status in Status if status.compliance_score is not None]


def final() -> Q:
    """Judged for good: fulfilled, partially or not fulfilled, withdrawn, cannot be verified."""
    return Q(shown_status__in=Status.final())


def scored() -> Q:
    """Counted in the compliance rate."""
    return Q(shown_status__in=SCORED_STATUSES)


def never_assessed() -> Q:
    return Q(shown_status=Status.NOT_ASSESSED)


def overdue(day: datetime.date) -> Q:
    """Past its deadline on `day` (the deadline day itself is not past) and not final."""
    return Q(deadline_on__lt=day) & ~final()


def is_overdue(deadline_on: datetime.date | None, status: Status, day: datetime.date) -> bool:
    """overdue(), for one pledge in hand."""
    return bool(deadline_on and deadline_on < day and not status.is_final)


def due_within(day: datetime.date, days: int) -> Q:
    """A deadline from `day` to `days` days after it, both included, and not final."""
    return Q(deadline_on__gte=day, deadline_on__lte=day + datetime.timedelta(days=days)) & ~final()


def changed_within(day: datetime.date, days: int) -> Q:
    """Its status changed (took effect) in the `days` days up to `day`: after day − days."""
    return Q(last_change_on__gt=day - datetime.timedelta(days=days))


def stale(day: datetime.date) -> Q:
    """No change for STALE_AFTER_DAYS: its last change took effect that many days before
    `day` or earlier. A pledge never assessed has no last change, and is not stale."""
    return Q(last_change_on__lte=day - STALE_AFTER)


def is_stale(last_change_on: datetime.date | None, day: datetime.date) -> bool:
    """stale(), for one pledge in hand."""
    return bool(last_change_on and last_change_on <= day - STALE_AFTER)


def needs_an_analyst(day: datetime.date) -> Q:
    """Never assessed, overdue and not final, or with no change for STALE_AFTER_DAYS."""
    return never_assessed() | overdue(day) | stale(day)
