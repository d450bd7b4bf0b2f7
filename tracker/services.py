"""Every write that changes a pledge's history, each one transaction.

Views and the admin call these; nothing else writes status updates, retractions or
evidence. Each function checks the person's permission itself, locks the pledge,
refuses a submit based on an older version of the pledge's history, writes, then
recomputes the pledge's current status and moves its version on.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.models import Evidence, Pledge, Retraction, Statement, StatementRevision, StatusUpdate
from tracker.text import normalize_newlines
from tracker.vocabulary import Status

# A final judgement of delivery must cite what it rests on.
STATUSES_NEEDING_EVIDENCE = {Status.FULFILLED, Status.PARTIALLY_FULFILLED, Status.NOT_FULFILLED}


class VersionConflict(Exception):
    """The pledge's history changed since the form was shown."""

    def __init__(self, pledge: Pledge, based_on_version: int):
        self.pledge = pledge
        self.based_on_version = based_on_version
        super().__init__(
            f"Pledge {pledge.pk} is at version {pledge.version}, "
            f"not {based_on_version}: its history changed since."
        )


def _lock_pledge(pledge: Pledge, based_on_version: int | None) -> Pledge:
    # PostgreSQL locks the row; SQLite's IMMEDIATE transaction already holds the
    # database's write lock. Either way, the version read here cannot move until commit.
    # Only the pledge's row: locking its statement too would queue the work on every
    # other pledge of the same statement behind this one.
    locked = Pledge.objects.select_for_update(of=("self",)).select_related("statement").get(pk=pledge.pk)
    if based_on_version is not None and locked.version != based_on_version:
        raise VersionConflict(locked, based_on_version)
    return locked


def current_status_from_history(pledge: Pledge) -> Status:
    """What the pledge's updates make its status; the stored one must always equal it."""
    latest = pledge.status_updates.in_force().newest_first().values_list("status", flat=True).first()
    return Status(latest or Status.NOT_ASSESSED)


def history_changed(pledge: Pledge) -> None:
    """Recompute the stored current status and move the version on. Call inside the
    transaction that changed the history, after writing rows stamped `pledge.version + 1`."""
    pledge.status = current_status_from_history(pledge)
    pledge.version += 1
    pledge.save(update_fields=["status", "version"])


def validate_status_update(
    *, pledge: Pledge, status: str, effective_on: datetime.date, rationale: str, evidence_count: int
) -> None:
    errors: dict[str, list[str]] = {}
    if status not in Status.judgements():
        errors["status"] = ["Choose the status the pledge has reached."]
    if effective_on > timezone.localdate():
        errors["effective_on"] = ["The effective date cannot be in the future."]
    elif effective_on < pledge.statement.delivered_on:
        errors["effective_on"] = [
            f"The effective date cannot be before the statement was delivered "
            f"({pledge.statement.delivered_on.day} {pledge.statement.delivered_on:%B %Y})."
        ]
    if status in Status.values and Status(status).is_final and not rationale.strip():
        errors["rationale"] = ["A final status needs a rationale: say why."]
    if status in STATUSES_NEEDING_EVIDENCE and not evidence_count:
        errors["evidence"] = [
            f"“{Status(status).label}” needs at least one piece of evidence: cite one, or add a new one."
        ]
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class NewEvidence:
    """Evidence as an analyst enters it, before it is checked and saved."""

    url: str
    title: str
    source_type: str
    stance: str
    publisher: str = ""
    published_on: datetime.date | None = None
    excerpt: str = ""


def _prepare_evidence(pledge: Pledge, added_by: AbstractBaseUser, new: NewEvidence) -> Evidence:
    """Checked, not yet saved. Raises ValidationError keyed by the evidence's fields."""
    evidence = Evidence(
        pledge=pledge,
        url=new.url,
        title=new.title.strip(),
        publisher=new.publisher.strip(),
        published_on=new.published_on,
        source_type=new.source_type,
        stance=new.stance,
        excerpt=new.excerpt.strip(),
        added_by=added_by,
        version=pledge.version + 1,
    )
    # Validates the link (http/https only) and normalises it before the duplicate check.
    evidence.full_clean(validate_constraints=False)
    first = Evidence.objects.filter(pledge=pledge, url=evidence.url).first()
    if first is not None:
        raise ValidationError(
            {
                "url": ValidationError(
                    "This link is already evidence on this pledge: “%(title)s”, added on %(date)s.",
                    code="duplicate",
                    params={
                        "title": first.title,
                        "date": f"{first.added_at.day} {first.added_at:%B %Y}",
                        "first": first.pk,
                    },
                )
            }
        )
    return evidence


@transaction.atomic
def record_status_update(
    *,
    pledge: Pledge,
    author: AbstractBaseUser,
    status: str,
    effective_on: datetime.date,
    rationale: str = "",
    evidence: Iterable[Evidence] = (),
    new_evidence: NewEvidence | None = None,
    based_on_version: int | None,
) -> StatusUpdate:
    """Log a follow-up: one status update citing evidence, some of it perhaps new.

    Errors about the new evidence are keyed "new_evidence.<field>".
    """
    if not author.has_perm("tracker.add_statusupdate"):
        raise PermissionDenied("Only analysts and administrators log status updates.")
    if new_evidence and not author.has_perm("tracker.add_evidence"):
        raise PermissionDenied("Only analysts and administrators add evidence.")
    pledge = _lock_pledge(pledge, based_on_version)
    cited = list(evidence)
    errors: dict[str, list[str]] = {}
    if any(item.pledge_id != pledge.pk for item in cited):
        errors["evidence"] = ["Only evidence on this pledge can be cited."]
    fresh = None
    if new_evidence is not None:
        try:
            fresh = _prepare_evidence(pledge, author, new_evidence)
        except ValidationError as error:
            errors.update({f"new_evidence.{field}": messages for field, messages in error.error_dict.items()})
    try:
        validate_status_update(
            pledge=pledge,
            status=status,
            effective_on=effective_on,
            rationale=rationale,
            evidence_count=len(cited) + (new_evidence is not None),
        )
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)

    if fresh is not None:
        fresh.save()
        cited.append(fresh)
    update = StatusUpdate(
        pledge=pledge,
        status=status,
        effective_on=effective_on,
        author=author,
        rationale=rationale.strip(),
        version=pledge.version + 1,
    )
    update.full_clean()
    update.save()
    update.evidence.set(cited)
    history_changed(pledge)
    return update


def can_retract(user: AbstractBaseUser, update: StatusUpdate) -> bool:
    if user.has_perm("tracker.retract_any_statusupdate"):
        return True
    return update.author_id == user.pk and user.has_perm("tracker.add_retraction")


@transaction.atomic
def retract_status_update(
    *,
    status_update: StatusUpdate,
    retracted_by: AbstractBaseUser,
    reason: str,
    based_on_version: int | None,
) -> Retraction:
    if not can_retract(retracted_by, status_update):
        raise PermissionDenied("An analyst may retract their own updates; an administrator, any.")
    pledge = _lock_pledge(status_update.pledge, based_on_version)
    if Retraction.objects.filter(status_update=status_update).exists():
        raise ValidationError({"reason": ["This update has already been retracted."]})
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the update is retracted."]})
    retraction = Retraction.objects.create(
        status_update=status_update,
        retracted_by=retracted_by,
        reason=reason.strip(),
        version=pledge.version + 1,
    )
    history_changed(pledge)
    return retraction


@transaction.atomic
def add_evidence(
    *,
    pledge: Pledge,
    added_by: AbstractBaseUser,
    url: str,
    title: str,
    source_type: str,
    stance: str,
    publisher: str = "",
    published_on: datetime.date | None = None,
    excerpt: str = "",
    based_on_version: int | None = None,
) -> Evidence:
    if not added_by.has_perm("tracker.add_evidence"):
        raise PermissionDenied("Only analysts and administrators add evidence.")
    pledge = _lock_pledge(pledge, based_on_version)
    new = NewEvidence(
        url=url,
        title=title,
        source_type=source_type,
        stance=stance,
        publisher=publisher,
        published_on=published_on,
        excerpt=excerpt,
    )
    evidence = _prepare_evidence(pledge, added_by, new)
    evidence.save()
    history_changed(pledge)
    return evidence


@transaction.atomic
def save_statement(*, statement: Statement, changed_by: AbstractBaseUser | None) -> Statement:
    """Save a statement, keeping its text as it was before if the text changed."""
    statement.text = normalize_newlines(statement.text)
    if statement.pk is not None:
        text_before = Statement.objects.filter(pk=statement.pk).values_list("text", flat=True).first()
        if text_before is not None and text_before != statement.text:
            StatementRevision.objects.create(
                statement=statement, text_before=text_before, changed_by=changed_by
            )
    statement.save()
    return statement
