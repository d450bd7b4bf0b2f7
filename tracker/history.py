"""A pledge's history as one stream of entries: its status updates, its reviews, their
retractions, its evidence and the withdrawals of it, the changes an administrator made
to what analysts judge of it (its quote, summary, deadline ...), and the changes to its
statement's text.

Every reader of the history goes through here: the pledge page's timeline, the notice
of what changed when a form is out of date (409), the history CSV and the dashboard's
recent activity. Each entry says what happened, when it was recorded, by whom, and the
pledge's version it made (text revisions belong to the statement and make none).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import FilteredRelation, OuterRef, QuerySet, Subquery
from django.utils import timezone

from tracker.models import (
    Evidence,
    EvidenceWithdrawal,
    Pledge,
    PledgeRevision,
    Retraction,
    Review,
    ReviewRetraction,
    StatementRevision,
    StatusPeriod,
    StatusUpdate,
    all_known,
    as_one_parameter,
    end_of,
    holding,
)

UPDATE, RETRACTION, EVIDENCE, EDIT, REVISION = "update", "retraction", "evidence", "edit", "revision"
REVIEW, REVIEW_RETRACTION, WITHDRAWAL = "review", "review_retraction", "withdrawal"

# How each kind of entry is named in exports and notices.
LABELS = {
    UPDATE: "status update",
    RETRACTION: "retraction",
    REVIEW: "review",
    REVIEW_RETRACTION: "review retracted",
    EVIDENCE: "evidence",
    WITHDRAWAL: "evidence withdrawn",
    EDIT: "pledge edited",
    REVISION: "statement text changed",
}


@dataclass(frozen=True)
class Entry:
    kind: str
    version: int | None
    at: datetime.datetime
    by: object | None
    pledge: Pledge
    update: StatusUpdate | None = None
    retraction: Retraction | None = None
    review: Review | None = None
    review_retraction: ReviewRetraction | None = None
    evidence: Evidence | None = None
    withdrawal: EvidenceWithdrawal | None = None
    edit: PledgeRevision | None = None
    revision: StatementRevision | None = None

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def description(self) -> str:
        """The entry in a sentence, as told to an analyst whose form is out of date."""
        if self.kind == UPDATE:
            update = self.update
            day = update.effective_on
            said = f"Status update: {update.get_status_display()} from {day.day} {day:%B %Y}"
            return said + (f". {update.rationale}" if update.rationale else "")
        if self.kind == RETRACTION:
            return f"Retracted: {self.retraction.status_update}. Reason: {self.retraction.reason}"
        if self.kind == REVIEW:
            said = f"Reviewed: {self.review}"
            return said + (f". {self.review.note}" if self.review.note else "")
        if self.kind == REVIEW_RETRACTION:
            return f"Review retracted: {self.review}. Reason: {self.review_retraction.reason}"
        if self.kind == EVIDENCE:
            return f"Evidence added: {self.evidence.title}"
        if self.kind == WITHDRAWAL:
            return f"Evidence withdrawn: {self.evidence.title}. Reason: {self.withdrawal.reason}"
        if self.kind == EDIT:
            return f"Pledge edited: {self.changes}"
        return "The statement's text was changed."

    @property
    def changes(self) -> str:
        """An edit's fields, each with its old and new value."""
        edit = self.edit
        # Each value isolated (FSI … PDI), so that right-to-left text in one cannot turn
        # the quotes and arrows around it.
        return "; ".join(
            f"{name.replace('_', ' ')} “{_isolated(edit.before[name])}” → “{_isolated(edit.after.get(name))}”"
            for name in edit.before
        )

    # --- one entry for each kind of row ---

    @classmethod
    def of_update(cls, update: StatusUpdate, pledge: Pledge) -> Entry:
        return cls(UPDATE, update.version, update.recorded_at, update.author, pledge, update=update)

    @classmethod
    def of_retraction(cls, retraction: Retraction, pledge: Pledge) -> Entry:
        return cls(
            RETRACTION,
            retraction.version,
            retraction.retracted_at,
            retraction.retracted_by,
            pledge,
            update=retraction.status_update,
            retraction=retraction,
        )

    @classmethod
    def of_review(cls, review: Review, pledge: Pledge) -> Entry:
        return cls(REVIEW, review.version, review.recorded_at, review.author, pledge, review=review)

    @classmethod
    def of_review_retraction(cls, retraction: ReviewRetraction, pledge: Pledge) -> Entry:
        return cls(
            REVIEW_RETRACTION,
            retraction.version,
            retraction.retracted_at,
            retraction.retracted_by,
            pledge,
            review=retraction.review,
            review_retraction=retraction,
        )

    @classmethod
    def of_withdrawal(cls, withdrawal: EvidenceWithdrawal, pledge: Pledge) -> Entry:
        return cls(
            WITHDRAWAL,
            withdrawal.version,
            withdrawal.withdrawn_at,
            withdrawal.withdrawn_by,
            pledge,
            evidence=withdrawal.evidence,
            withdrawal=withdrawal,
        )

    @property
    def timeline_key(self) -> tuple:
        """Where it stands in "Status over time": updates by the day they took effect,
        reviews by the day they were recorded; then by the moment recorded."""
        row = self.update if self.kind == UPDATE else self.review
        day = row.effective_on if self.kind == UPDATE else timezone.localdate(row.recorded_at)
        return (day, row.recorded_at, row.pk)

    @classmethod
    def of_evidence(cls, evidence: Evidence, pledge: Pledge) -> Entry:
        return cls(
            EVIDENCE, evidence.version, evidence.added_at, evidence.added_by, pledge, evidence=evidence
        )

    @classmethod
    def of_edit(cls, edit: PledgeRevision, pledge: Pledge) -> Entry:
        return cls(EDIT, edit.version, edit.changed_at, edit.changed_by, pledge, edit=edit)

    @classmethod
    def of_revision(cls, revision: StatementRevision, pledge: Pledge) -> Entry:
        return cls(REVISION, None, revision.changed_at, revision.changed_by, pledge, revision=revision)


def _isolated(value) -> str:
    return f"\u2068{value}\u2069"


def of_pledge(pledge: Pledge) -> list[Entry]:
    """Everything recorded about the pledge, oldest first, in the order of the versions it
    made; a text revision stands after the last entry recorded before it. Reads what
    `PledgeQuerySet.for_detail()` prefetched, so that the page's queries stay fixed."""
    versioned = []
    for update in pledge.status_updates.all():
        versioned.append(Entry.of_update(update, pledge))
        if update.is_retracted:
            versioned.append(Entry.of_retraction(update.retraction, pledge))
    for review in pledge.reviews.all():
        versioned.append(Entry.of_review(review, pledge))
        if review.is_retracted:
            versioned.append(Entry.of_review_retraction(review.retraction, pledge))
    for item in pledge.evidence.all():
        versioned.append(Entry.of_evidence(item, pledge))
        if item.is_withdrawn:
            versioned.append(Entry.of_withdrawal(item.withdrawal, pledge))
    versioned += [Entry.of_edit(edit, pledge) for edit in pledge.revisions.all()]
    versioned.sort(key=lambda entry: entry.version)
    keyed = [((entry.version, 0, entry.at), entry) for entry in versioned]
    for revision in pledge.statement.revisions.all():
        before = max((entry.version for entry in versioned if entry.at <= revision.changed_at), default=0)
        keyed.append(((before, 1, revision.changed_at), Entry.of_revision(revision, pledge)))
    return [entry for _, entry in sorted(keyed, key=lambda pair: pair[0])]


def timeline(pledge: Pledge, limit: int | None = None) -> list[Entry]:
    """The pledge page's "Status over time": its status updates and reviews, newest first
    (updates in the order that decides its status), the first `limit` of them or all;
    `for_detail()` prefetches at least that many of each. Each entry's update or review
    shows its own retraction, if it has one."""
    entries = [Entry.of_update(update, pledge) for update in pledge.status_updates.all()]
    entries += [Entry.of_review(review, pledge) for review in pledge.reviews.all()]
    entries.sort(key=lambda entry: entry.timeline_key, reverse=True)
    return entries if limit is None else entries[:limit]


def edits(pledge: Pledge) -> list[Entry]:
    """The changes an administrator (or a fixture) made to what analysts judge of the
    pledge, newest first; `for_detail()` prefetches them."""
    return sorted((Entry.of_edit(edit, pledge) for edit in pledge.revisions.all()), key=lambda e: -e.version)


def since(pledge: Pledge, version: int) -> list[Entry]:
    """What changed in the pledge's history after `version`, oldest first."""
    entries = [
        Entry.of_update(update, pledge)
        for update in pledge.status_updates.filter(version__gt=version).select_related("author")
    ]
    entries += [
        Entry.of_evidence(item, pledge)
        for item in pledge.evidence.filter(version__gt=version).select_related("added_by")
    ]
    entries += [
        Entry.of_retraction(retraction, pledge)
        for retraction in Retraction.objects.filter(
            status_update__pledge=pledge, version__gt=version
        ).select_related("retracted_by", "status_update")
    ]
    entries += [
        Entry.of_edit(edit, pledge)
        for edit in pledge.revisions.filter(version__gt=version).select_related("changed_by")
    ]
    entries += [
        Entry.of_review(review, pledge)
        for review in pledge.reviews.filter(version__gt=version).select_related("author")
    ]
    entries += [
        Entry.of_review_retraction(retraction, pledge)
        for retraction in ReviewRetraction.objects.filter(
            review__pledge=pledge, version__gt=version
        ).select_related("retracted_by", "review")
    ]
    entries += [
        Entry.of_withdrawal(withdrawal, pledge)
        for withdrawal in EvidenceWithdrawal.objects.filter(
            evidence__pledge=pledge, version__gt=version
        ).select_related("withdrawn_by", "evidence")
    ]
    return sorted(entries, key=lambda entry: entry.version)


def recent(day: datetime.date, limit: int) -> list[Entry]:
    """The latest status updates, reviews and evidence of every pledge up to `day`, newest
    first, in three queries."""
    # A range on the moment itself, not a date cast of it, so that its index serves.
    end = end_of(day)
    updates = (
        StatusUpdate.objects.filter(effective_on__lte=day, recorded_at__lt=end)
        .select_related("pledge", "author", "retraction")
        .order_by("-recorded_at", "-id")[:limit]
    )
    reviews = (
        Review.objects.filter(recorded_at__lt=end)
        .select_related("pledge", "author", "retraction")
        .order_by("-recorded_at", "-id")[:limit]
    )
    evidence = (
        Evidence.objects.filter(added_at__lt=end)
        .select_related("pledge", "added_by", "withdrawal")
        .order_by("-added_at", "-id")[:limit]
    )
    entries = [Entry.of_update(update, update.pledge) for update in updates]
    entries += [Entry.of_review(review, review.pledge) for review in reviews]
    entries += [Entry.of_evidence(item, item.pledge) for item in evidence]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]


@dataclass
class Deciding:
    """What a report says of the status update that decides a pledge's status."""

    pk: int
    effective_on: datetime.date
    recorded_at: datetime.datetime
    rationale: str
    judged_by: str  # the author's username
    cited: list[tuple[str, str]] = field(default_factory=list)  # (title, url) still standing


def deciding_updates(
    keys: list[int], day: datetime.date, known_on: datetime.date | None
) -> dict[int, Deciding]:
    """For each of the pledges `keys`, the status update that decides its status as of
    `day` (as known on `known_on`), with who judged, and the evidence it cites that still
    stood then. Three queries, whatever the number of pledges: the deciding updates' ids
    (from the status periods holding the day, with all that is known; else from the
    history), then only those updates (a pledge has many), as plain values (a report
    reads thousands), then what they cite. (Given the ids as a subquery instead,
    PostgreSQL reads every update there is.)"""
    if all_known(known_on):
        # With all that is known: the read model's period holding the day names it.
        periods = StatusPeriod.objects.filter(holding(day), pledge_id__in=as_one_parameter(keys))
        ids = list(periods.values_list("update_id", flat=True))
    else:
        top = (
            StatusUpdate.objects.counting(known_on)
            .filter(pledge_id=OuterRef("pk"), effective_on__lte=day)
            .newest_first()
            .values("pk")[:1]
        )
        ids = list(
            Pledge.objects.filter(pk__in=as_one_parameter(keys))
            .annotate(deciding=Subquery(top))
            .values_list("deciding", flat=True)
        )
    username = f"author__{get_user_model().USERNAME_FIELD}"
    updates = StatusUpdate.objects.filter(pk__in=as_one_parameter(ids)).values_list(
        "pledge_id", "pk", "effective_on", "recorded_at", "rationale", username
    )
    deciding = {pledge_id: Deciding(*update) for pledge_id, *update in updates}
    cite(deciding.values(), known_on)
    return deciding


# With all that is known, a list of pledges reads each one's deciding update in its own
# rows (with_deciding_update): the period holding the day, and the update it names.
DECIDING = "deciding_period"


def with_deciding_update(pledges: QuerySet, day: datetime.date) -> QuerySet:
    """`pledges` joined to the status period holding `day` (with all that is known): its
    values DECIDING_FIELDS give each one's deciding update (deciding_from)."""
    return pledges.annotate(
        **{DECIDING: FilteredRelation("status_periods", condition=holding(day, "status_periods__"))}
    )


def deciding_fields() -> list[str]:
    username = get_user_model().USERNAME_FIELD
    return [
        f"{DECIDING}__update_id",
        f"{DECIDING}__update__effective_on",
        f"{DECIDING}__update__recorded_at",
        f"{DECIDING}__update__rationale",
        f"{DECIDING}__update__author__{username}",
    ]


def deciding_from(row: dict, fields: list[str]) -> Deciding | None:
    """The deciding update in a row read with deciding_fields() (None: never assessed)."""
    values = [row[name] for name in fields]
    return Deciding(*values) if values[0] is not None else None


def cite(deciding: Iterable[Deciding], known_on: datetime.date | None) -> None:
    """Give each deciding update the evidence it cites that still stood on `known_on`:
    one query."""
    by_update = {update.pk: update for update in deciding}
    # From the links the updates make: asked with "and not withdrawn", PostgreSQL reads
    # every piece of evidence there is. A withdrawal after `known_on` did not count yet.
    cited = (
        StatusUpdate.evidence.through.objects.filter(statusupdate_id__in=as_one_parameter(by_update))
        .order_by("evidence__added_at", "evidence_id")
        .values_list(
            "statusupdate_id", "evidence__title", "evidence__url", "evidence__withdrawal__withdrawn_at"
        )
    )
    counted_until = end_of(known_on) if known_on is not None else None
    for update_pk, title, url, withdrawn_at in cited:
        if withdrawn_at is None or (counted_until is not None and withdrawn_at >= counted_until):
            by_update[update_pk].cited.append((title, url))
