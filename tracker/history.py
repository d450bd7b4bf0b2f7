"""A pledge's history as one stream of entries: its status updates, their retractions,
its evidence, the changes an administrator made to what analysts judge of it (its
quote, summary, deadline ...), and the changes to its statement's text.

Every reader of the history goes through here: the pledge page's timeline, the notice
of what changed when a form is out of date (409), the history CSV and the dashboard's
recent activity. Each entry says what happened, when it was recorded, by whom, and the
pledge's version it made (text revisions belong to the statement and make none).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tracker.models import Evidence, Pledge, PledgeRevision, Retraction, StatementRevision, StatusUpdate

UPDATE, RETRACTION, EVIDENCE, EDIT, REVISION = "update", "retraction", "evidence", "edit", "revision"

# How each kind of entry is named in exports and notices.
LABELS = {
    UPDATE: "status update",
    RETRACTION: "retraction",
    EVIDENCE: "evidence",
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
    evidence: Evidence | None = None
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
        if self.kind == EVIDENCE:
            return f"Evidence added: {self.evidence.title}"
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
    versioned += [Entry.of_evidence(item, pledge) for item in pledge.evidence.all()]
    versioned += [Entry.of_edit(edit, pledge) for edit in pledge.revisions.all()]
    versioned.sort(key=lambda entry: entry.version)
    keyed = [((entry.version, 0, entry.at), entry) for entry in versioned]
    for revision in pledge.statement.revisions.all():
        before = max((entry.version for entry in versioned if entry.at <= revision.changed_at), default=0)
        keyed.append(((before, 1, revision.changed_at), Entry.of_revision(revision, pledge)))
    return [entry for _, entry in sorted(keyed, key=lambda pair: pair[0])]


def timeline(pledge: Pledge) -> list[Entry]:
    """The pledge page's "Status over time": its status updates, newest first in the order
    that decides its status (`for_detail()` prefetches them so); each entry's update
    shows its own retraction, if it has one."""
    return [Entry.of_update(update, pledge) for update in pledge.status_updates.all()]


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
    return sorted(entries, key=lambda entry: entry.version)


def recent(day: datetime.date, limit: int) -> list[Entry]:
    """The latest status updates and evidence of every pledge up to `day`, newest first,
    in two queries."""
    updates = (
        StatusUpdate.objects.filter(effective_on__lte=day)
        .select_related("pledge", "author", "retraction")
        .order_by("-recorded_at", "-id")[:limit]
    )
    evidence = (
        Evidence.objects.filter(added_at__date__lte=day)
        .select_related("pledge", "added_by")
        .order_by("-added_at", "-id")[:limit]
    )
    entries = [Entry.of_update(update, update.pledge) for update in updates]
    entries += [Entry.of_evidence(item, item.pledge) for item in evidence]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]
