"""Every write that spans rows, each one transaction: changes to a pledge's history,
statements imported, and pledges made from what was proposed.

Views, the admin, the import command and fixture loading call these; nothing else
writes status updates, retractions or evidence. Each function checks the person's
permission itself. Those that change a pledge's history lock the pledge, refuse a
submit based on an older version of it, write, then recompute the pledge's current
status and move its version on; those that make pledges lock their statement.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from tracker import read_model, search
from tracker.models import (
    AMOUNT_FIELDS,
    DEADLINE_FIELDS,
    Evidence,
    EvidenceWithdrawal,
    Pledge,
    PledgeRevision,
    ProposedPledge,
    Retraction,
    Review,
    ReviewRetraction,
    Speaker,
    Statement,
    StatementRevision,
    StatusUpdate,
    Theme,
)
from tracker.text import locate_quote, normalize_newlines, same_page
from tracker.vocabulary import DeadlinePrecision, ProposalState, Status

# A final judgement of delivery must cite what it rests on.
STATUSES_NEEDING_EVIDENCE = {Status.FULFILLED, Status.PARTIALLY_FULFILLED, Status.NOT_FULFILLED}


# What a form hears when the version it says it was based on is missing or impossible.
FORM_NOT_FROM_THE_PAGE = (
    "This form does not say which version of the pledge it was filled in on: reload the page, "
    "then enter it again. Nothing was saved."
)


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
    if based_on_version is not None and based_on_version > locked.version:
        # No page ever showed that version: the form was not made here.
        raise ValidationError({"based_on_version": [FORM_NOT_FROM_THE_PAGE]})
    if based_on_version is not None and locked.version != based_on_version:
        raise VersionConflict(locked, based_on_version)
    return locked


def deciding_update(pledge: Pledge) -> StatusUpdate | None:
    """The update that decides the pledge's status now: the newest in force."""
    return pledge.status_updates.in_force().newest_first().first()


def current_status_from_history(pledge: Pledge) -> Status:
    """What the pledge's updates make its status; the stored one must always equal it."""
    deciding = deciding_update(pledge)
    return Status(deciding.status) if deciding else Status.NOT_ASSESSED


def last_checked_from_history(pledge: Pledge) -> datetime.datetime | None:
    """When its latest status update or review that counts was recorded."""
    moments = [
        rows.in_force().order_by("-recorded_at").values_list("recorded_at", flat=True).first()
        for rows in (pledge.status_updates, pledge.reviews)
    ]
    return max((moment for moment in moments if moment is not None), default=None)


def status_evidence_withdrawn_from_history(pledge: Pledge, deciding: StatusUpdate | None) -> bool:
    """Whether the status rests on nothing: the update that decides it (`deciding`) cited
    evidence, all of it since withdrawn, and no review recorded after it cites evidence
    still standing."""
    if deciding is None or not deciding.evidence.exists() or deciding.evidence.standing().exists():
        return False
    confirmed = pledge.reviews.in_force().filter(
        status=deciding.status,
        recorded_at__gte=deciding.recorded_at,
        evidence__withdrawal__isnull=True,
        evidence__isnull=False,
    )
    return not confirmed.exists()


def history_changed(pledge: Pledge, *, version: int | None = None) -> None:
    """Recompute what the pledge stores from its history (its current status, its last
    check, whether its status rests on withdrawn evidence ...) and the read model's rows
    for it (tracker.read_model), and move the version on (to
    `version`, for a history row that came with its own, as a fixture's do). Call inside
    the transaction that changed the history, after writing rows stamped
    `pledge.version + 1`."""
    stored = stored_from_history(pledge)
    for name, value in stored.items():
        setattr(pledge, name, value)
    pledge.version = pledge.version + 1 if version is None else max(pledge.version, version)
    # Saving moves the read model's tallies by its status (tracker.signals), then the
    # periods and month counts follow.
    pledge.save(update_fields=[*stored, "version"])
    read_model.pledge_changed(pledge)


def stored_from_history(pledge: Pledge) -> dict:
    """What the pledge stores of its history, as its history gives it now (the fields of
    STORED_FROM_HISTORY)."""
    deciding = deciding_update(pledge)
    return {
        "status": Status(deciding.status) if deciding else Status.NOT_ASSESSED,
        "last_change_on": deciding.effective_on if deciding else None,
        "last_checked_at": last_checked_from_history(pledge),
        "status_evidence_withdrawn": status_evidence_withdrawn_from_history(pledge, deciding),
        "standing_evidence_count": pledge.evidence.standing().count(),
    }


# What a pledge stores of its history, written only by history_changed() (and by
# check_fixture_pledge(), which gives a fixture's row what the history held gives).
STORED_FROM_HISTORY = (
    "status",
    "last_change_on",
    "last_checked_at",
    "status_evidence_withdrawn",
    "standing_evidence_count",
)


def repair_read_model() -> int:
    """Give every pledge what its history says (STORED_FROM_HISTORY and its status
    periods), its search text and its statement's date, each under its row lock, without moving its version:
    nothing analysts judged changes. Then count the months afresh, and index the search
    text afresh. How many pledges needed it."""
    repaired = 0
    for pk in Pledge.objects.order_by("pk").values_list("pk", flat=True).iterator():
        with transaction.atomic():
            pledge = _lock_pledge(Pledge(pk=pk), None)
            stored = stored_from_history(pledge)
            stored["search_text"] = search.search_text_of(
                pledge.quote, pledge.summary, pledge.statement.title
            )
            stored["made_on"] = pledge.statement.delivered_on
            wrong = [name for name, value in stored.items() if getattr(pledge, name) != value]
            for name in wrong:
                setattr(pledge, name, stored[name])
            if wrong:
                pledge.save(update_fields=wrong)
            before, after = read_model.rebuild_periods(pledge)
            repaired += bool(wrong or before != after)
    read_model.recount_months()
    read_model.recount_tallies()
    read_model.recount_standings()
    search.rebuild_index()
    return repaired


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
    elif status != pledge.status and not rationale.strip():
        # A change nobody explained cannot be reviewed later by a manager.
        errors["rationale"] = ["Say why the status changes: a manager reading it later needs the reason."]
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
    # The same page under another spelling of its link counts as there already.
    wanted = same_page(evidence.url)
    first = next(
        (
            held
            for held in Evidence.objects.filter(pledge=pledge)
            .select_related("withdrawal")
            .order_by("added_at")
            if same_page(held.url) == wanted
        ),
        None,
    )
    if first is not None:
        # Withdrawn evidence stays on record under its link, and is not added twice.
        withdrawn = (
            f" and withdrawn on {first.withdrawal.withdrawn_at.day} {first.withdrawal.withdrawn_at:%B %Y}"
            if first.is_withdrawn
            else ""
        )
        raise ValidationError(
            {
                "url": ValidationError(
                    "This link is already evidence on this pledge: “%(title)s”, added on "
                    "%(date)s%(withdrawn)s.",
                    code="duplicate",
                    params={
                        "title": first.title,
                        "date": f"{first.added_at.day} {first.added_at:%B %Y}",
                        "withdrawn": withdrawn,
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
    errors.update(_citable_errors(pledge, cited))
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


def _citable_errors(pledge: Pledge, cited: list[Evidence]) -> dict[str, list[str]]:
    """Only evidence on this pledge, and still standing, can be cited."""
    if any(item.pledge_id != pledge.pk for item in cited):
        return {"evidence": ["Only evidence on this pledge can be cited."]}
    withdrawn = EvidenceWithdrawal.objects.filter(evidence__in=cited).select_related("evidence")
    if withdrawn:
        titles = "; ".join(f"“{item.evidence.title}”" for item in withdrawn)
        return {"evidence": [f"Withdrawn evidence cannot be cited: {titles}."]}
    return {}


def can_retract(user: AbstractBaseUser, entry: StatusUpdate | Review) -> bool:
    """A status update or a review: analysts retract their own, administrators any."""
    if user.has_perm("tracker.retract_any_statusupdate"):
        return True
    return entry.author_id == user.pk and user.has_perm("tracker.add_retraction")


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
def record_review(
    *,
    pledge: Pledge,
    author: AbstractBaseUser,
    note: str = "",
    evidence: Iterable[Evidence] = (),
    confirms: str | None = None,
    based_on_version: int | None,
) -> Review:
    """Record that `author` checked the pledge and its current status (the one they saw:
    `confirms`, if given) still stands."""
    if not author.has_perm("tracker.add_review"):
        raise PermissionDenied("Only analysts and administrators record reviews.")
    pledge = _lock_pledge(pledge, based_on_version)
    cited = list(evidence)
    errors = _citable_errors(pledge, cited)
    if confirms is not None and confirms != pledge.status:
        errors["__all__"] = [
            f"The status is now “{pledge.current_status.label}”, not the one this form confirms: "
            "nothing was saved. Check the pledge again."
        ]
    elif pledge.current_status is Status.NOT_ASSESSED:
        errors["__all__"] = [
            "Nothing to confirm yet: this pledge has never been assessed. Log a follow-up with its status."
        ]
    elif pledge.status_evidence_withdrawn and not cited:
        errors.setdefault("evidence", []).append(
            "Its status rests on evidence that was all withdrawn: cite other evidence to confirm it, "
            "or log a follow-up."
        )
    if errors:
        raise ValidationError(errors)
    review = Review(
        pledge=pledge, status=pledge.status, author=author, note=note.strip(), version=pledge.version + 1
    )
    review.full_clean()
    review.save()
    review.evidence.set(cited)
    history_changed(pledge)
    return review


@transaction.atomic
def retract_review(
    *, review: Review, retracted_by: AbstractBaseUser, reason: str, based_on_version: int | None
) -> ReviewRetraction:
    if not can_retract(retracted_by, review):
        raise PermissionDenied("An analyst may retract their own reviews; an administrator, any.")
    pledge = _lock_pledge(review.pledge, based_on_version)
    if ReviewRetraction.objects.filter(review=review).exists():
        raise ValidationError({"reason": ["This review has already been retracted."]})
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the review is retracted."]})
    retraction = ReviewRetraction.objects.create(
        review=review, retracted_by=retracted_by, reason=reason.strip(), version=pledge.version + 1
    )
    history_changed(pledge)
    return retraction


def can_withdraw(user: AbstractBaseUser, evidence: Evidence) -> bool:
    """Analysts withdraw the evidence they added; administrators any."""
    if user.has_perm("tracker.withdraw_any_evidence"):
        return True
    return evidence.added_by_id == user.pk and user.has_perm("tracker.add_evidencewithdrawal")


@transaction.atomic
def withdraw_evidence(
    *, evidence: Evidence, withdrawn_by: AbstractBaseUser, reason: str, based_on_version: int | None
) -> EvidenceWithdrawal:
    """Withdraw evidence added by mistake: it stays on record, struck through, with the
    reason, and no longer counts for any status."""
    if not can_withdraw(withdrawn_by, evidence):
        raise PermissionDenied("An analyst may withdraw the evidence they added; an administrator, any.")
    pledge = _lock_pledge(evidence.pledge, based_on_version)
    if EvidenceWithdrawal.objects.filter(evidence=evidence).exists():
        raise ValidationError({"reason": ["This evidence has already been withdrawn."]})
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the evidence is withdrawn."]})
    withdrawal = EvidenceWithdrawal.objects.create(
        evidence=evidence, withdrawn_by=withdrawn_by, reason=reason.strip(), version=pledge.version + 1
    )
    history_changed(pledge)
    return withdrawal


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
    keep_text_before(statement, changed_by=changed_by)
    statement.save()
    return statement


def keep_text_before(statement: Statement, *, changed_by: AbstractBaseUser | None) -> None:
    """Before a statement is saved with a new text: keep the text it had as a revision,
    and let its proposals follow their words. The admin and fixture loading both call it."""
    if statement.pk is None:
        return
    text_before = Statement.objects.filter(pk=statement.pk).values_list("text", flat=True).first()
    if text_before is not None and text_before != statement.text:
        StatementRevision.objects.create(statement=statement, text_before=text_before, changed_by=changed_by)
        proposals_follow_text(statement)


def proposals_follow_text(statement: Statement) -> None:
    """When a statement's text changes, each proposal's words are found again in the new
    text (the place nearest the old one) and its offsets follow; a proposal still awaiting
    review whose words the text no longer holds is dropped, as the extractor would not
    propose it now. Decided ones are kept where they were: they record a decision."""
    text = statement.text
    proposals = ProposedPledge.objects.select_for_update().filter(statement=statement)
    taken = set(proposals.values_list("quote_start", "quote_end"))
    for proposal in proposals:
        if text[proposal.quote_start : proposal.quote_end] == proposal.quote:
            continue
        located = locate_quote(text, proposal.quote, near=proposal.quote_start)
        if located is None or located in taken:
            if proposal.is_open:
                proposal.delete()
            continue
        taken.discard((proposal.quote_start, proposal.quote_end))
        taken.add(located)
        # The cue words' offsets, in the text too, move with the quote.
        shift = located[0] - proposal.quote_start
        proposal.cues = [
            {**cue, "start": cue["start"] + shift, "end": cue["end"] + shift} for cue in proposal.cues
        ]
        proposal.quote_start, proposal.quote_end = located
        proposal.save(update_fields=["quote_start", "quote_end", "cues"])


# --- a pledge's own fields: edited in the admin, or loaded from a fixture -----------------

# What analysts judge a pledge by (with its themes): a change to any of them keeps the old
# values as a PledgeRevision and moves the version, so that a form based on the old words
# gets a 409.
JUDGED_FIELDS = (
    "quote",
    "summary",
    "actor",
    "kind",
    *DEADLINE_FIELDS,
    *AMOUNT_FIELDS,
    "beneficiaries",
    "condition",
)
# The fields an administrator owns; `status` and `version` are never among them.
ADMIN_FIELDS = ("number", *JUDGED_FIELDS, "quote_start", "quote_end")


def _as_json(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | decimal.Decimal):
        return str(value)
    return value


@transaction.atomic
def edit_pledge(
    *, pledge: Pledge, changed_by: AbstractBaseUser, values: dict, themes: Iterable[Theme] | None = None
) -> Pledge:
    """Save an administrator's change to a pledge's own fields (`values`, by name) and,
    if given, its themes, under the pledge's lock: only what changed is written, never its
    status. A change to what analysts judge keeps the old values and moves the version."""
    if not changed_by.has_perm("tracker.change_pledge"):
        raise PermissionDenied("Only administrators edit pledges.")
    locked = _lock_pledge(pledge, None)
    changed = {
        name: value
        for name, value in values.items()
        if name in ADMIN_FIELDS and getattr(locked, name) != value
    }
    judged = [name for name in JUDGED_FIELDS if name in changed]
    before = {name: _as_json(getattr(locked, name)) for name in judged}
    after = {}
    if themes is not None:
        held = sorted(theme.name for theme in locked.themes.all())
        given = sorted(theme.name for theme in themes)
        if held != given:
            before["themes"], after["themes"] = ", ".join(held), ", ".join(given)
            locked.themes.set(themes)
    for name, value in changed.items():
        setattr(locked, name, value)
    written = list(changed)
    if before:
        locked.version += 1
        PledgeRevision.objects.create(
            pledge=locked,
            version=locked.version,
            before=before,
            after={**{name: _as_json(getattr(locked, name)) for name in judged}, **after},
            changed_by=changed_by,
        )
        written.append("version")
    if written:
        locked.save(update_fields=written)
    return locked


def check_fixture_pledge(pledge: Pledge) -> None:
    """Before a fixture's pledge row is written over the one held (a fixture writes the
    whole row): lock the held row, refuse a quote that would put the pledge's history
    under other words, and give the row the status and version that its history gives it
    now, moved on (with the old values kept) if the fixture changes what analysts judge."""
    held = Pledge.objects.select_for_update(of=("self",)).filter(pk=pledge.pk).first() if pledge.pk else None
    if held is None:
        for name in (*STORED_FROM_HISTORY, "version"):
            setattr(pledge, name, Pledge._meta.get_field(name).get_default())
        return
    has_history = held.status_updates.exists() or held.evidence.exists() or held.reviews.exists()
    if has_history and pledge.quote != held.quote:
        raise ValidationError(
            {
                "quote": [
                    f"pledge {held.number} of {held.statement.slug} has history, and the fixture gives it "
                    f"other words (“{pledge.quote[:60]}…” instead of “{held.quote[:60]}…”). A renumbered "
                    "or rewritten fixture would put that history under other words: change quotes in "
                    "the admin, which keeps the old ones. Nothing was loaded."
                ]
            }
        )
    judged = [name for name in JUDGED_FIELDS if getattr(pledge, name) != getattr(held, name)]
    for name, value in stored_from_history(held).items():
        setattr(pledge, name, value)
    pledge.version = held.version
    if judged:
        pledge.version += 1
        PledgeRevision.objects.create(
            pledge=held,
            version=pledge.version,
            before={name: _as_json(getattr(held, name)) for name in judged},
            after={name: _as_json(getattr(pledge, name)) for name in judged},
            changed_by=None,
        )


# --- statements in, and the review of their proposed pledges ----------------------------


@dataclass(frozen=True)
class ImportResult:
    statement: Statement
    created: bool
    proposals_added: int
    entity_created: bool = False
    speaker_created: bool = False
    text_edited: bool = False

    @property
    def summary(self) -> str:
        proposals = f"{self.proposals_added} proposed pledge{'s' if self.proposals_added != 1 else ''}"
        if self.text_edited:
            return (
                f"already imported as {self.statement.slug}, whose text has been edited since: "
                "nothing new (review its pledges on its page)."
            )
        if not self.created:
            added = f"{proposals} added" if self.proposals_added else "nothing new"
            return f"already imported as {self.statement.slug}: {added}."
        made = [
            f"statement {self.statement.slug}",
            *(["entity " + str(self.statement.entity)] if self.entity_created else []),
            *(["speaker " + self.statement.speaker.name] if self.speaker_created else []),
        ]
        return f"created {', '.join(made)}, with {proposals}."


def _serialize(key: str) -> None:
    """Two imports of one text at once queue here, so that only one creates it. SQLite's
    IMMEDIATE transactions already run one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _unique_slug(slug: str) -> str:
    candidate, n = slug, 1
    while Statement.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{slug[:95]}-{n}"
    return candidate


def _field_errors(prefix: str, error: ValidationError) -> ValidationError:
    return ValidationError({f"{prefix}.{field}": messages for field, messages in error.message_dict.items()})


@transaction.atomic
def import_statement(*, draft, imported_by: AbstractBaseUser | None) -> ImportResult:
    """Save a statement read from a file (a `tracker.importing.drafts.StatementDraft`), its
    speaker and entity where they are new, and its proposed pledges: all or nothing.

    The same text imported again creates no statement; only proposals it did not have
    (none, with the same extractor) are added. `imported_by` is None for the command line.
    """
    from tracker.importing.extraction import get_extractor
    from tracker.importing.matching import find_entity, find_speaker, new_entity

    if imported_by is not None and not imported_by.has_perm("tracker.import_statements"):
        raise PermissionDenied("Only administrators, and analysts given the permission, import statements.")
    if draft.problems:
        raise ValidationError(draft.problems)
    _serialize(draft.fingerprint)
    extractor = get_extractor().name
    existing = Statement.objects.filter(text_fingerprint=draft.fingerprint).first()
    if existing is not None:
        if existing.text != draft.text:
            # Edited since it was imported: the proposals' offsets hold in the old text only.
            return ImportResult(existing, False, 0, text_edited=True)
        return ImportResult(existing, False, _store_proposals(existing, draft.proposals, extractor))
    # Two different texts whose statements would take the same slug queue here too.
    _serialize(f"statement-slug:{draft.slug}")

    entity = find_entity(draft.entity, draft.entity_code)
    entity_created = entity is None
    if entity_created:
        entity = new_entity(draft.entity, draft.entity_code)
        try:
            entity.full_clean()
        except ValidationError as error:
            raise _field_errors("entity", error) from None
        entity.save()
    speaker = find_speaker(draft.speaker, entity)
    speaker_created = speaker is None
    if speaker_created:
        speaker = Speaker(name=draft.speaker, honorific=draft.honorific, role=draft.role, entity=entity)
        try:
            speaker.full_clean()
        except ValidationError as error:
            raise _field_errors("speaker", error) from None
        speaker.save()
    statement = Statement(
        slug=_unique_slug(draft.slug),
        title=draft.title,
        speaker=speaker,
        entity=entity,
        delivered_on=draft.delivered_on,
        organ=draft.organ,
        meeting=draft.meeting,
        language=draft.language,
        source_url=draft.source_url,
        text=draft.text,
    )
    statement.full_clean()
    statement.save()
    added = _store_proposals(statement, draft.proposals, extractor)
    return ImportResult(statement, True, added, entity_created, speaker_created)


def _store_proposals(statement: Statement, proposals, extractor: str) -> int:
    """Store the proposals the statement does not have yet: none twice, none over a pledge
    it already has, none that an analyst rejected before. Returns how many were added."""
    known = set(statement.proposals.values_list("quote_start", "quote_end"))
    pledged = list(statement.pledges.values_list("quote_start", "quote_end"))
    themes = {theme.name: theme for theme in Theme.objects.all()}
    added = 0
    for proposal in proposals:
        span = (proposal.start, proposal.end)
        if span in known or any(start < span[1] and span[0] < end for start, end in pledged):
            continue
        deadline, amount = proposal.deadline, proposal.amount
        stored = ProposedPledge.objects.create(
            statement=statement,
            quote=statement.text[proposal.start : proposal.end],
            quote_start=proposal.start,
            quote_end=proposal.end,
            reason=proposal.reason,
            cues=[{"start": c.start, "end": c.end, "kind": c.kind, "words": c.words} for c in proposal.cues],
            extractor=extractor,
            summary=proposal.summary[:300],
            actor=statement.entity if proposal.actor == statement.entity.name else None,
            kind=proposal.kind,
            deadline_text=deadline.text[:200] if deadline else "",
            deadline_on=deadline.on if deadline else None,
            deadline_precision=deadline.precision if deadline else DeadlinePrecision.NONE,
            amount=amount.value if amount else None,
            currency=amount.currency if amount else "",
            amount_stage=amount.stage if amount else "",
            amount_approximate=amount.approximate if amount else False,
            condition=proposal.condition[:500],
        )
        stored.themes.set([themes[name] for name in proposal.themes if name in themes])
        known.add(span)
        added += 1
    return added


# The fields of a pledge that the analyst sets when making it; the rest (statement,
# number, quote and its offsets, status, version) come from the text and the history.
PLEDGE_FIELDS = ("summary", "actor", "kind", *DEADLINE_FIELDS, *AMOUNT_FIELDS, "beneficiaries", "condition")


def _check_reviewer(user: AbstractBaseUser) -> None:
    if not user.has_perm("tracker.review_proposals"):
        raise PermissionDenied("Only analysts and administrators review proposed pledges.")


@transaction.atomic
def make_pledge(
    *,
    statement: Statement,
    start: int,
    end: int,
    made_by: AbstractBaseUser,
    fields: dict,
    themes: Iterable = (),
    proposals: Iterable[ProposedPledge] = (),
) -> Pledge:
    """Make a pledge of the passage `text[start:end]` of a statement: from one proposal
    (accepted), from neighbouring ones (merged), or from a passage an analyst selected.
    The quote and its offsets come from the text, never typed. Open proposals that lie
    inside the passage are closed with it."""
    _check_reviewer(made_by)
    # Locks the statement's row, so that two pledges made at once get two numbers.
    statement = Statement.objects.select_for_update(of=("self",)).get(pk=statement.pk)
    text = statement.text
    if not (0 <= start < end <= len(text)):
        raise ValidationError({"passage": [f"Choose a passage inside the text (characters 0–{len(text)})."]})
    start, end = trim_passage(text, start, end)
    if start == end:
        raise ValidationError(
            {"passage": ["The passage chosen holds only spaces: choose words of the text."]}
        )
    same = statement.pledges.filter(quote_start=start, quote_end=end).first()
    if same is not None:
        raise ValidationError(
            {"passage": [f"This passage is already pledge {same.number}: “{same.summary}”."]}
        )

    chosen = list(ProposedPledge.objects.select_for_update().filter(pk__in=[p.pk for p in proposals]))
    if any(p.statement_id != statement.pk or not p.is_open for p in chosen):
        raise ValidationError({"proposals": ["These proposals have been reviewed already: reload the page."]})
    if any(text[p.quote_start : p.quote_end] != p.quote for p in chosen):
        raise ValidationError(
            {"proposals": ["The statement's text has changed since this was proposed: reload the page."]}
        )
    if len(chosen) > 1 and not neighbouring(chosen):
        raise ValidationError(
            {"proposals": ["Only sentences that follow one another can be merged into one pledge."]}
        )
    inside = list(
        ProposedPledge.objects.select_for_update()
        .awaiting_review()
        .filter(statement=statement, quote_start__gte=start, quote_end__lte=end)
    )
    closing = {p.pk: p for p in [*chosen, *inside]}

    number = (statement.pledges.aggregate(n=Max("number"))["n"] or 0) + 1
    pledge = Pledge(
        statement=statement,
        number=number,
        quote=text[start:end],
        quote_start=start,
        quote_end=end,
        **{name: fields[name] for name in PLEDGE_FIELDS if name in fields},
    )
    pledge.full_clean()
    pledge.save()
    pledge.themes.set(themes)
    state = ProposalState.ACCEPTED if len(closing) == 1 else ProposalState.MERGED
    ProposedPledge.objects.filter(pk__in=closing).update(
        state=state, decided_by=made_by, decided_at=timezone.now(), pledge=pledge
    )
    return pledge


def trim_passage(text: str, start: int, end: int) -> tuple[int, int]:
    """The passage without the spaces and line breaks at either end of it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def neighbouring(proposals: list[ProposedPledge]) -> bool:
    """Whether the proposals follow one another in the text with nothing but spaces between."""
    ordered = sorted(proposals, key=lambda p: p.quote_start)
    text = ordered[0].statement.text
    return all(
        a.statement_id == b.statement_id
        and a.quote_end <= b.quote_start
        and not text[a.quote_end : b.quote_start].strip()
        for a, b in itertools.pairwise(ordered)
    )


@transaction.atomic
def reject_proposal(
    *, proposal: ProposedPledge, decided_by: AbstractBaseUser, note: str = ""
) -> ProposedPledge:
    """Not a pledge. Kept as rejected, so that importing the text again does not propose it."""
    _check_reviewer(decided_by)
    proposal = ProposedPledge.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_open:
        raise ValidationError({"proposals": ["This proposal has been reviewed already: reload the page."]})
    proposal.state = ProposalState.REJECTED
    proposal.decided_by = decided_by
    proposal.decided_at = timezone.now()
    proposal.decision_note = note.strip()
    proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    return proposal
