"""Guards for rows that arrive through fixtures (`loaddata`), which skip `save()`.

A fixture row is validated like a form would validate it, so a bad fixture stops
with a message naming the field and, since `loaddata` runs in one transaction,
writes nothing. Loading a fixture again never rewrites what analysts recorded: a
pledge keeps the status and version its history gives it, and a statement whose
text the fixture changes keeps the text before as a revision. Both go through the
same service functions as the admin and the web (tracker.services).
"""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import connections, transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_migrate, pre_save
from django.dispatch import receiver

from tracker import read_model, search, services
from tracker.db_triggers import HISTORY_TABLES
from tracker.middleware import client_address, mark_session_seen
from tracker.models import (
    DayTally,
    Evidence,
    EvidenceWithdrawal,
    HeadlineDayCount,
    HeadlineMonthCount,
    HeadlinePeriod,
    HistoryEditRefused,
    Pledge,
    Retraction,
    Review,
    ReviewRetraction,
    Statement,
    StatusMonthCount,
    StatusPeriod,
    StatusTally,
    StatusUpdate,
    Theme,
    WeekTally,
)
from tracker.text import text_fingerprint


class FixtureRowRefused(ValueError):
    """A fixture row breaks a rule. `loaddata` reports it with the row it was loading."""


def _describe(error: ValidationError) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())


# The read model's rows (tracker.read_model): never in a fixture.
READ_MODEL = (
    StatusPeriod,
    StatusMonthCount,
    StatusTally,
    HeadlinePeriod,
    HeadlineMonthCount,
    HeadlineDayCount,
    WeekTally,
    DayTally,
)


@receiver(pre_save)
def check_fixture_row(sender, instance, raw: bool, **kwargs) -> None:
    if not raw or sender._meta.app_label != "tracker":
        return
    if sender in READ_MODEL:
        raise FixtureRowRefused(
            f"{sender._meta.label} is the read model, rebuilt from the history as it loads: "
            "leave it out of the fixture (dumpdata without --all leaves it out)."
        )
    # A row found by its natural key is an update, and must not clash with itself.
    if instance.pk is not None and sender._base_manager.filter(pk=instance.pk).exists():
        instance._state.adding = False
    try:
        if sender is Pledge:
            services.check_fixture_pledge(instance)
            # A fixture's row is written whole, past Pledge.save().
            instance.search_text = search.search_text_of(
                instance.quote, instance.summary, instance.statement.title
            )
        instance.full_clean()
    except ValidationError as error:
        raise FixtureRowRefused(_describe(error)) from None
    if sender is Statement:
        services.keep_text_before(instance, changed_by=None)


# Each history row, and how to reach its pledge.
_PLEDGE_OF = {
    StatusUpdate: lambda row: row.pledge_id,
    Evidence: lambda row: row.pledge_id,
    Review: lambda row: row.pledge_id,
    Retraction: lambda row: row.status_update.pledge_id,
    ReviewRetraction: lambda row: row.review.pledge_id,
    EvidenceWithdrawal: lambda row: row.evidence.pledge_id,
}


@receiver(post_save)
def history_loaded_from_fixture(sender, instance, raw: bool, created: bool, **kwargs) -> None:
    if not raw or not created or sender not in _PLEDGE_OF:
        return
    # `loaddata` links what the row cites only after saving it: that recomputes too.
    instance.loaded_from_fixture = True
    _pledge_history_loaded(instance, sender)


def _pledge_history_loaded(instance, sender) -> None:
    pledge = Pledge.objects.get(pk=_PLEDGE_OF[sender](instance))
    services.history_changed(pledge, version=instance.version)


@receiver(m2m_changed, sender=StatusUpdate.evidence.through)
@receiver(m2m_changed, sender=Review.evidence.through)
def citations_loaded_from_fixture(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    """What a fixture's status update or review cites decides whether its status rests on
    withdrawn evidence: the pledge is recomputed once it is linked. (The services link it
    before they recompute, and mark nothing.)"""
    if action == "post_add" and not reverse and getattr(instance, "loaded_from_fixture", False):
        _pledge_history_loaded(instance, type(instance))


@receiver(pre_save, sender=Statement)
def fingerprint_first_text(sender, instance: Statement, **kwargs) -> None:
    """A statement keeps the fingerprint of its text as first recorded, however it came
    in (import, admin, fixture), so that importing that text again finds it."""
    if not instance.text_fingerprint:
        instance.text_fingerprint = text_fingerprint(instance.text)


# --- the read model's month counts, as pledges come and go -------------------------------
# (Changes to a pledge's history reach the read model through services.history_changed.)


@receiver(post_save, sender=Pledge)
def pledge_counted_from_its_month(sender, instance: Pledge, created: bool, **kwargs) -> None:
    if created:
        read_model.pledge_made(instance)


@receiver(pre_delete, sender=Pledge)
def pledge_no_longer_counted(sender, instance: Pledge, **kwargs) -> None:
    read_model.pledge_deleted(instance)


# --- the read model's tallies, as a pledge's status, entity, statement or themes change ---
# (What it counted is read before each change and again after: read_model.counted_before.)


@receiver(pre_save, sender=Pledge)
def pledge_counted_before(sender, instance: Pledge, update_fields=None, **kwargs) -> None:
    if instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not {"status", "actor", "statement"} & set(update_fields):
        return
    regrouped = update_fields is None or bool({"actor", "statement"} & set(update_fields))
    instance._counted_before = read_model.counted_before([instance.pk], regrouped=regrouped)


@receiver(post_save, sender=Pledge)
def pledge_counted_after(sender, instance: Pledge, created: bool, update_fields=None, **kwargs) -> None:
    # A pledge whose deadline or statement (its date) may have moved counts in other
    # headline figures on other days.
    moved = not created and (update_fields is None or bool({"deadline_on", "statement"} & set(update_fields)))
    before = instance.__dict__.pop("_counted_before", None)
    if before is None and moved:
        read_model.standings_changed([instance.pk])
    else:
        read_model.counted_after(before, standings_may_move=moved)


@receiver(m2m_changed, sender=Pledge.themes.through)
def themes_counted(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action.startswith("pre_"):
        if not reverse:
            pledge_ids = [instance.pk]
        elif pk_set is not None:
            pledge_ids = sorted(pk_set)
        else:  # a theme's pledges all cleared
            pledge_ids = list(instance.pledges.values_list("pk", flat=True))
        instance._counted_before = read_model.counted_before(pledge_ids)
    else:
        read_model.counted_after(instance.__dict__.pop("_counted_before", None))


@receiver(pre_delete, sender=Theme)
def theme_taken_off_its_pledges(sender, instance: Theme, **kwargs) -> None:
    """A theme about to be deleted is first taken off its pledges, one theme at a time
    (themes_counted moves the tallies): deleting several at once sends every pre_delete
    before any row goes, so counting each theme's pledges before and after its own
    deletion counted a pledge with two of them twice."""
    instance.pledges.clear()


@receiver(pre_save, sender=Statement)
def pledges_follow_the_statement(sender, instance: Statement, **kwargs) -> None:
    """A statement whose date moves moves its pledges to another month of the read
    model's counts; one whose title changes changes its pledges' search text. Its row
    and its pledges' rows are locked first, so that no pledge comes, goes or changes its
    history halfway (read_model.statement_date_moved)."""
    if instance.pk is None:
        return
    # (The locks last as long as the caller's transaction: the admin's, or a fixture's.)
    with transaction.atomic():
        statements = Statement.objects.filter(pk=instance.pk).select_for_update()
        before = statements.values_list("delivered_on", "title").first()
        if before is None:
            return
        delivered_on, title = before
        if delivered_on != instance.delivered_on:
            read_model.statement_date_moved(instance, delivered_on, instance.delivered_on)
        if title != instance.title:
            # The pledges' search text holds the title.
            for pledge in instance.pledges.select_for_update().only("pk", "quote", "summary"):
                Pledge.objects.filter(pk=pledge.pk).update(
                    search_text=search.search_text_of(pledge.quote, pledge.summary, instance.title)
                )


# --- migrations that would drop history --------------------------------------------------

# Set by `manage.py migrate --allow-losing-history`.
allow_losing_history = False


@receiver(pre_migrate)
def refuse_to_drop_history(sender, plan=None, using: str = "default", **kwargs) -> None:
    """Unapplying a migration that made a history table (`migrate tracker zero`, say)
    drops the table and all its rows. Refused while the table holds rows, unless forced."""
    if allow_losing_history or not plan or sender.label != "tracker":
        return
    tables = set(connections[using].introspection.table_names())
    for migration, backwards in plan:
        if not backwards or migration.app_label != "tracker":
            continue
        for operation in migration.operations:
            table = f"tracker_{getattr(operation, 'name', '').lower()}"
            if (
                type(operation).__name__ != "CreateModel"
                or table not in HISTORY_TABLES
                or table not in tables
            ):
                continue
            with connections[using].cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - a table name of our own
                rows = cursor.fetchone()[0]
            if rows:
                raise CommandError(
                    f"Unapplying tracker.{migration.name} would delete {table} and its {rows} rows of "
                    "history. Back up first (manage.py backup), then run migrate again with "
                    "--allow-losing-history if that is really meant. Nothing was changed."
                )


# --- the evidence a status update cites ---------------------------------------------------


@receiver(m2m_changed, sender=StatusUpdate.evidence.through)
@receiver(m2m_changed, sender=Review.evidence.through)
def refuse_to_change_what_an_update_cites(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    """What an update or a review cites is part of it: evidence is added when it is
    recorded, and never taken off (the database refuses it too)."""
    if action in ("pre_remove", "pre_clear"):
        raise HistoryEditRefused("What a status update or a review cites is history: it is never changed.")


# --- logins ----------------------------------------------------------------------------------

security_log = logging.getLogger("tracker.security")


def _address(request) -> str:
    return (client_address(request) if request is not None else None) or "?"


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs) -> None:
    security_log.info("login: %s from %s", user.get_username(), _address(request))
    if request is not None and hasattr(request, "session"):
        mark_session_seen(request.session)


@receiver(user_login_failed)
def log_failed_login(sender, credentials, request=None, **kwargs) -> None:
    # The password is never logged; Django has blanked it in `credentials` already.
    security_log.warning(
        "login failed: %s from %s", str(credentials.get("username", "?"))[:150], _address(request)
    )


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs) -> None:
    security_log.info("logout: %s from %s", user.get_username() if user else "?", _address(request))


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    security_log.warning("login locked out: %s from %s", str(username)[:150], ip_address or "?")
