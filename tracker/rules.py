"""The pledge's rules, each defined once: final, closed, scored, overdue, due within N
days, changed within N days, not checked for 180 days, and what needs an analyst.

Each rule is a `Q` builder over pledges annotated by `PledgeQuerySet.as_of()` (which
gives `shown_status`, `shown_last_change_on` and `shown_last_checked_at`), with a `PledgeQuerySet`
method named for it that the pages, the filters, the exports and the tests call. Where a
page judges one pledge already in hand, the same rule is written beside its `Q` as a
predicate on plain values, and a test checks that both agree on every boundary day.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from tracker.vocabulary import Status

# No statement the tracker follows is older than the United Nations; a date before this
# is a mistake (and arithmetic on dates near year 1 fails), and is refused where asked.
EARLIEST_DATE = datetime.date(1945, 1, 1)
# Deadlines can lie far ahead, but not past this.
LATEST_DEADLINE = datetime.date(2200, 12, 31)

# A pledge that nobody has checked (no status update, no review recorded) for this many
# days needs an analyst again, unless its status is closed.
NOT_CHECKED_DAYS = 180
# The dashboard's windows: deadlines coming up, and changes just made.
DUE_SOON_DAYS = 90
CHANGED_RECENTLY_DAYS = 30

NOT_CHECKED_FOR = datetime.timedelta(days=NOT_CHECKED_DAYS)

# The labels the pages give the rules, from the same numbers.
NOT_CHECKED_LABEL = f"Not checked for {NOT_CHECKED_DAYS} days"
DUE_SOON_LABEL = f"Due in the next {DUE_SOON_DAYS} days"
CHANGED_RECENTLY_LABEL = f"Changed in the last {CHANGED_RECENTLY_DAYS} days"

# What the queue holds, in the words of its page and of the README (a test holds them to it).
NEEDS_AN_ANALYST = [
    "never assessed;",
    "overdue and not final;",
    f"not checked for {NOT_CHECKED_DAYS} days: no status update and no review recorded since, "
    "unless its status is closed;",
    "or its status rests on evidence that was all withdrawn.",
]
CLOSED_EXPLAINED = (
    "Fulfilled, not fulfilled and withdrawn are closed: those pledges leave the queue. Partially "
    f"fulfilled and cannot be verified come back after {NOT_CHECKED_DAYS} days without a check. "
    f"A status update or a review starts the {NOT_CHECKED_DAYS} days again; an overdue pledge "
    "stays until its status is final."
)

# A compliance rate resting on fewer scored pledges than this is marked "too few to compare".
TOO_FEW_TO_COMPARE = 5


def too_few_to_compare(scored: int) -> bool:
    return scored < TOO_FEW_TO_COMPARE


# The statuses the compliance rate counts (tracker.vocabulary: fulfilled +1, partially 0, not −1).
SCORED_STATUSES = [status.value for status in Status if status.compliance_score is not None]


def final() -> Q:
    """Judged for good: fulfilled, partially or not fulfilled, withdrawn, cannot be verified."""
    return Q(shown_status__in=Status.final())


def not_final() -> Q:
    """~final(), named by the statuses it holds (an index on the status serves a list of
    them, not a list of those it leaves out)."""
    return Q(shown_status__in=[status for status in Status if not status.is_final])


def scored() -> Q:
    """Counted in the compliance rate."""
    return Q(shown_status__in=SCORED_STATUSES)


def never_assessed() -> Q:
    return Q(shown_status=Status.NOT_ASSESSED)


def overdue(day: datetime.date) -> Q:
    """Past its deadline on `day` (the deadline day itself is not past) and not final."""
    return Q(deadline_on__lt=day) & not_final()


def is_overdue(deadline_on: datetime.date | None, status: Status, day: datetime.date) -> bool:
    """overdue(), for one pledge in hand."""
    return bool(deadline_on and deadline_on < day and not status.is_final)


def due_within(day: datetime.date, days: int) -> Q:
    """A deadline from `day` to `days` days after it, both included, and not final."""
    return Q(deadline_on__gte=day, deadline_on__lte=day + datetime.timedelta(days=days)) & not_final()


def is_due_within(deadline_on: datetime.date | None, status: Status, day: datetime.date, days: int) -> bool:
    """due_within(), for one pledge in hand."""
    return bool(
        deadline_on and day <= deadline_on <= day + datetime.timedelta(days=days) and not status.is_final
    )


def changed_within(day: datetime.date, days: int) -> Q:
    """Its status changed (took effect) in the `days` days up to `day`: after day − days."""
    return Q(shown_last_change_on__gt=day - datetime.timedelta(days=days))


def is_changed_within(last_change_on: datetime.date | None, day: datetime.date, days: int) -> bool:
    """changed_within(), for one pledge in hand."""
    return bool(last_change_on and last_change_on > day - datetime.timedelta(days=days))


def changed_in_period(
    last_change_on: datetime.date | None,
    recorded_at: datetime.datetime | None,
    since: datetime.date,
    day: datetime.date,
) -> bool:
    """A briefing's "what changed since": the update that gives the pledge its status took
    effect after `since`, or was recorded after it (a judgement back-dated today is news),
    by `day`."""
    took_effect = bool(last_change_on and since < last_change_on <= day)
    recorded = bool(recorded_at and since < timezone.localdate(recorded_at) <= day)
    return took_effect or recorded


def closed() -> Q:
    """Settled for good: fulfilled, not fulfilled or withdrawn (see Status.is_closed)."""
    return Q(shown_status__in=Status.closed())


def _first_moment_still_checked(day: datetime.date) -> datetime.datetime:
    """A check recorded from this moment on (the start of the day NOT_CHECKED_DAYS − 1
    days before `day`, here) keeps a pledge checked on `day`."""
    start = day - NOT_CHECKED_FOR + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def not_checked(day: datetime.date) -> Q:
    """Assessed, not closed, and with no status update or review recorded (and not
    retracted) in the NOT_CHECKED_DAYS days up to `day`: its last check was recorded on
    day − NOT_CHECKED_DAYS or before, or not by then at all (an update back-dated to before
    `day` but recorded after it). A pledge never assessed is counted as such instead."""
    checked_long_ago = Q(shown_last_checked_at__lt=_first_moment_still_checked(day)) | Q(
        shown_last_checked_at__isnull=True
    )
    assessed_and_open = [s for s in Status if s is not Status.NOT_ASSESSED and not s.is_closed]
    # The status first: SQLite tests the conditions in their order, so that as of a past
    # day the last check (worked out of the history) is looked for only where it matters.
    return Q(shown_status__in=assessed_and_open) & checked_long_ago


def is_not_checked(
    last_checked_at: datetime.datetime | None, status: Status, day: datetime.date, zone=None
) -> bool:
    """not_checked(), for one pledge in hand (`zone`: the app's time zone, if the caller
    has it already: looking it up for each of a million checks takes seconds)."""
    if status is Status.NOT_ASSESSED or status.is_closed:
        return False
    return last_checked_at is None or timezone.localdate(last_checked_at, zone) <= day - NOT_CHECKED_FOR


def headlines(day: datetime.date) -> dict[str, Q]:
    """The dashboard's headline counts, by name: the rules above, on `day`."""
    return {
        "overdue": overdue(day),
        "due_soon": due_within(day, DUE_SOON_DAYS),
        "changed_recently": changed_within(day, CHANGED_RECENTLY_DAYS),
        "not_checked": not_checked(day),
        "never_assessed": never_assessed(),
    }


def headlines_of(
    *,
    status: Status,
    deadline_on: datetime.date | None,
    last_change_on: datetime.date | None,
    last_checked_at: datetime.datetime | None,
    day: datetime.date,
    zone=None,
) -> dict[str, bool]:
    """headlines(), for one pledge in hand as it stood on `day`: which of them it counts in."""
    return {
        "overdue": is_overdue(deadline_on, status, day),
        "due_soon": is_due_within(deadline_on, status, day, DUE_SOON_DAYS),
        "changed_recently": is_changed_within(last_change_on, day, CHANGED_RECENTLY_DAYS),
        "not_checked": is_not_checked(last_checked_at, status, day, zone),
        "never_assessed": status is Status.NOT_ASSESSED,
    }


def status_evidence_withdrawn() -> Q:
    """The update that decides its status today cited evidence, all of it since withdrawn
    (stored on the pledge by the services; see services.history_changed)."""
    return Q(status_evidence_withdrawn=True)


def needs_an_analyst(day: datetime.date) -> Q:
    """NEEDS_AN_ANALYST: never assessed, overdue and not final, not checked for
    NOT_CHECKED_DAYS, or resting on withdrawn evidence. For today: the last rule reads
    what the pledge stores now."""
    return never_assessed() | overdue(day) | not_checked(day) | status_evidence_withdrawn()
