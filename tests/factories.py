"""Small builders for records the seed does not have."""

import datetime
import itertools

from tracker import services
from tracker.models import Entity, Pledge, Speaker, Statement
from tracker.vocabulary import EntityKind, PledgeKind, SourceType, Stance, Status

_counter = itertools.count(1)


def make_statement(*, sentences: int = 3, entity_name: str = "Freedonia") -> Statement:
    n = next(_counter)
    entity, _ = Entity.objects.get_or_create(name=entity_name, defaults={"kind": EntityKind.STATE})
    speaker, _ = Speaker.objects.get_or_create(name="Rufus T. Firefly", entity=entity)
    text = " ".join(f"Freedonia will do thing number {i} by next year." for i in range(1, sentences + 1))
    return Statement.objects.create(
        slug=f"freedonia-{n}",
        title=f"Statement {n}",
        speaker=speaker,
        entity=entity,
        delivered_on=datetime.date(2024, 1, 10),
        organ="General Assembly",
        text=text,
    )


def make_pledge(statement: Statement, number: int, **fields) -> Pledge:
    quote = f"Freedonia will do thing number {number} by next year."
    start = statement.text.index(quote)
    values = {
        "statement": statement,
        "number": number,
        "quote": quote,
        "quote_start": start,
        "quote_end": start + len(quote),
        "summary": f"Do thing {number}",
        "actor": statement.entity,
        "kind": PledgeKind.EVENT_OR_ACTIVITY,
    }
    values.update(fields)
    return Pledge.objects.create(**values)


# History goes through the services, as in the app; each helper takes the pledge's
# current version, as a form just shown would.


def evidence_on(
    pledge: Pledge, user, *, url: str = "https://example.org/report", title: str = "Report", **fields
):
    pledge.refresh_from_db()
    fields.setdefault("source_type", SourceType.OFFICIAL)
    fields.setdefault("stance", Stance.SUPPORTS)
    return services.add_evidence(
        pledge=pledge, added_by=user, url=url, title=title, based_on_version=pledge.version, **fields
    )


def update_on(pledge: Pledge, user, status: Status, effective_on=datetime.date(2024, 2, 1), **fields):
    # Every change of status says why (services.validate_status_update).
    fields.setdefault("rationale", f"Judged {Status(status).label.lower()}.")
    pledge.refresh_from_db()
    return services.record_status_update(
        pledge=pledge,
        author=user,
        status=status,
        effective_on=effective_on,
        based_on_version=pledge.version,
        **fields,
    )


def retract(update, user, reason: str = "Logged by mistake."):
    update.pledge.refresh_from_db()
    return services.retract_status_update(
        status_update=update, retracted_by=user, reason=reason, based_on_version=update.pledge.version
    )


def review_of(pledge: Pledge, user, *, note: str = "", evidence=()):
    pledge.refresh_from_db()
    return services.record_review(
        pledge=pledge, author=user, note=note, evidence=evidence, based_on_version=pledge.version
    )


def retract_review_of(review, user, reason: str = "Checked the wrong pledge."):
    review.pledge.refresh_from_db()
    return services.retract_review(
        review=review, retracted_by=user, reason=reason, based_on_version=review.pledge.version
    )


def withdraw(evidence, user, reason: str = "The wrong page."):
    evidence.pledge.refresh_from_db()
    return services.withdraw_evidence(
        evidence=evidence, withdrawn_by=user, reason=reason, based_on_version=evidence.pledge.version
    )


def recorded_days_ago(
    pledge: Pledge, user, status: Status, *, days: int, review: bool = False, effective_on=None
):
    """A status update (or a review) recorded `days` days ago, as a fixture would bring it:
    the services never back-date what they record, so the row is written here with its
    date and the pledge recomputed from its history, as loading a fixture does."""
    from django.db import transaction
    from django.utils import timezone

    from tracker.models import Review, StatusUpdate

    moment = timezone.now() - datetime.timedelta(days=days)
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if review:
            row = Review.objects.create(
                pledge=pledge,
                status=pledge.status,
                author=user,
                recorded_at=moment,
                version=pledge.version + 1,
            )
        else:
            row = StatusUpdate.objects.create(
                pledge=pledge,
                status=status,
                effective_on=effective_on or timezone.localdate(moment),
                recorded_at=moment,
                author=user,
                rationale="Judged then.",
                version=pledge.version + 1,
            )
        services.history_changed(pledge)
    return row


def made_days_ago(pledge: Pledge, days: int) -> Pledge:
    """The pledge as if it had been recorded here `days` days ago (a pledge's own row is
    not history: it may be changed, and a report "as known on" a day reads this date)."""
    import datetime as _datetime

    from django.utils import timezone

    Pledge.objects.filter(pk=pledge.pk).update(created_at=timezone.now() - _datetime.timedelta(days=days))
    pledge.refresh_from_db()
    return pledge
