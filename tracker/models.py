"""Who said what, the pledges inside it, and what became of each one.

History (status updates, their retractions, evidence and the earlier texts of a
statement) is append-only: rows are added, never changed. The model refuses to save
an existing history row, the database refuses an UPDATE that changes one (a trigger,
see migration 0002), and deleting a pledge, statement or user that history points at
is PROTECTed.
"""

from __future__ import annotations

import datetime
import itertools
import json
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Case, Exists, F, FilteredRelation, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Greatest, Length, NullIf, RowNumber, Upper
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone

from tracker import rules, search
from tracker.text import cut_at_cues, normalize_newlines, normalize_web_url, validate_web_url
from tracker.vocabulary import (
    AmountStage,
    DeadlinePrecision,
    EntityKind,
    PledgeKind,
    ProposalState,
    SourceType,
    Stance,
    Status,
)


def _web_url_check(field: str, *, blank_allowed: bool) -> Q:
    check = Q(**{f"{field}__startswith": "http://"}) | Q(**{f"{field}__startswith": "https://"})
    return check | Q(**{field: ""}) if blank_allowed else check


class WebURLField(models.URLField):
    """A link that can only be http or https, stored with its scheme in lower case."""

    default_validators = [validate_web_url]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalize_web_url(super().to_python(value))

    def pre_save(self, model_instance, add):
        value = normalize_web_url(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class HistoryEditRefused(Exception):
    """Raised when code tries to change or delete a history row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise HistoryEditRefused(f"{self.model.__name__} rows are history: they are never edited.")

    def delete(self):
        raise HistoryEditRefused(f"{self.model.__name__} rows are history: they are never deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise HistoryEditRefused(f"{type(self).__name__} {self.pk} is history: it is never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryEditRefused(f"{type(self).__name__} {self.pk} is history: it is never deleted.")


# --- who ---------------------------------------------------------------------------


class EntityManager(models.Manager):
    def get_by_natural_key(self, name: str) -> Entity:
        return self.get(name=name)


class Entity(models.Model):
    """Who a statement is made for or a pledge is made by: a state, an organisation, a group."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=EntityKind.choices)
    code = models.CharField(
        "ISO 3166 code",
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use the three capital letters of ISO 3166-1.")],
        help_text="For states: the ISO 3166-1 alpha-3 code, such as JPN.",
    )

    objects = EntityManager()

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntityKind.values), name="entity_kind_known"),
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="entity_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("entity_detail", args=[self.pk])

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class SpeakerManager(models.Manager):
    def get_by_natural_key(self, name: str, entity_name: str) -> Speaker:
        return self.get(name=name, entity__name=entity_name)


class Speaker(models.Model):
    name = models.CharField(max_length=200, help_text="As the person writes it: ISHIKANE Kimihiro.")
    honorific = models.CharField(max_length=100, blank=True, help_text="H.E. Ambassador")
    role = models.CharField(max_length=300, blank=True)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="speakers")

    objects = SpeakerManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "entity"], name="speaker_unique_per_entity")]

    def __str__(self) -> str:
        return f"{self.honorific} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("speaker_detail", args=[self.pk])

    def natural_key(self) -> tuple[str, str]:
        return (self.name, *self.entity.natural_key())

    natural_key.dependencies = ["tracker.entity"]


# --- what was said -------------------------------------------------------------------


class StatementManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> Statement:
        return self.get(slug=slug)


class Statement(models.Model):
    """What a speaker said at one meeting, verbatim."""

    slug = models.SlugField(
        max_length=100, unique=True, help_text="A short stable name, such as japan-unsc-2023-12-07."
    )
    title = models.CharField(max_length=500)
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="statements")
    entity = models.ForeignKey(
        Entity,
        on_delete=models.PROTECT,
        related_name="statements",
        help_text="Who the statement was made for.",
    )
    delivered_on = models.DateField("date delivered")
    organ = models.CharField(max_length=200, help_text="Security Council")
    meeting = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=10, default="en", help_text="An IETF language tag: en, fr.")
    source_url = WebURLField("source link", blank=True)
    text = models.TextField(help_text="The verbatim text. Pledge quotes are found in it.")
    # The SHA-256 of the text as first recorded, so that importing the same text again
    # is recognised (see tracker.signals); a later edit of the text does not change it.
    text_fingerprint = models.CharField(max_length=64, editable=False, db_index=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StatementManager()

    class Meta:
        ordering = ["-delivered_on", "title"]
        permissions = [("import_statements", "Can import statements from files and pasted text")]
        # The pledge list's order (newest statement first, then by slug and number) reads
        # the statements in this index, and each statement's pledges in their own.
        # The dashboard's rates by statement walk the statements by title, stopping at the
        # first few that hold pledges.
        indexes = [
            models.Index(fields=["delivered_on", "slug"], name="statement_list_order"),
            models.Index(fields=["title"], name="statement_by_title"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_web_url_check("source_url", blank_allowed=True),
                name="statement_source_url_http",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="statement_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.entity}, {self.organ}, {self.delivered_on:%d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("statement_detail", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def clean(self) -> None:
        self.text = normalize_newlines(self.text)

    def text_with_pledges(self, pledges) -> list[tuple[str, Pledge | None]]:
        """The text cut where pledges' quotes begin and end: (words, the pledge they
        belong to, or None). Where quotes overlap, the one that starts first has them."""
        cuts = sorted({0, len(self.text), *[p.quote_start for p in pledges], *[p.quote_end for p in pledges]})
        by_start = sorted(pledges, key=lambda p: (p.quote_start, p.number))
        pieces = []
        for start, end in itertools.pairwise(cuts):
            owner = next((p for p in by_start if p.quote_start <= start and end <= p.quote_end), None)
            if pieces and pieces[-1][1] is owner:
                pieces[-1] = (pieces[-1][0] + self.text[start:end], owner)
            else:
                pieces.append((self.text[start:end], owner))
        return pieces


class StatementRevision(AppendOnlyModel):
    """The text of a statement before one change to it: who changed it and when."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="revisions")
    text_before = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Empty when the change came from loading a fixture.",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.statement}: text before {self.changed_at:%Y-%m-%d %H:%M}"


class ThemeManager(models.Manager):
    def get_by_natural_key(self, name: str) -> Theme:
        return self.get(name=name)


class Theme(models.Model):
    name = models.CharField(max_length=100, unique=True)

    objects = ThemeManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


# --- pledges ---------------------------------------------------------------------------


# A pledge's fields by group, in the order every form, export and admin page shows them.
DEADLINE_FIELDS = ("deadline_text", "deadline_on", "deadline_precision")
AMOUNT_FIELDS = ("amount", "currency", "amount_stage", "amount_approximate")


def holding(day: datetime.date, prefix: str = "") -> Q:
    """The status periods (reached by `prefix`) that hold `day`: begun by it, not ended."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__gt": day}) | Q(**{f"{prefix}valid_to__isnull": True})
    )


def all_known(known_on: datetime.date | None) -> bool:
    """Whether a report as known on `known_on` reads all that is recorded (none asked, or
    today or later), so that the read model, which holds the record as it stands now,
    tells it."""
    return known_on is None or known_on >= timezone.localdate()


def as_stored(day: datetime.date, known_on: datetime.date | None = None) -> bool:
    """Whether pledges as of `day` as known on `known_on` are as they stand today, so that
    what each stores tells it: no update takes effect in the future, so the stored status
    and last check are those of any day from today on, with all that is known."""
    return day >= timezone.localdate() and all_known(known_on)


class PledgeQuerySet(models.QuerySet):
    def as_of(self, day: datetime.date, known_on: datetime.date | None = None) -> PledgeQuerySet:
        """Each pledge as its updates effective on or before `day` make it; a retracted
        update never counts. As known on `known_on` (if given): only what was recorded by
        the end of that day counts, and a retraction made later does not undo an update;
        so a report as known on a past day reads the same whatever was back-filled since.

        Annotates `shown_status`, `shown_last_change_on` (the effective date of its latest
        update that counts) and `shown_last_checked_at` (when its latest update or review
        that counts was recorded, by the end of `day`); leaves out pledges made after `day`,
        and, as known on `known_on`, those recorded here after it."""
        latest = (
            StatusUpdate.objects.counting(known_on)
            .filter(pledge=OuterRef("pk"), effective_on__lte=day)
            .newest_first()
        )
        pledges = self.made_by(day, known_on)
        if as_stored(day, known_on):
            return pledges.shown_as_stored()
        if all_known(known_on):
            # The read model's period holding the day (tracker.read_model): one join.
            pledges = pledges.annotate(
                period=FilteredRelation("status_periods", condition=holding(day, "status_periods__"))
            )
            shown_status = Coalesce(F("period__status"), Value(Status.NOT_ASSESSED.value))
            last_change_on = F("period__valid_from")
            last_checked_at = _last_checked_by(day)
        else:
            shown_status = Coalesce(Subquery(latest.values("status")[:1]), Value(Status.NOT_ASSESSED.value))
            last_change_on = Subquery(latest.values("effective_on")[:1])
            last_checked_at = _last_checked_by(min(day, known_on), known_on)
        return pledges._shown(shown_status, last_change_on, last_checked_at)

    def made_by(
        self, day: datetime.date, known_on: datetime.date | None = None, *, by_own_date: bool = False
    ) -> PledgeQuerySet:
        """The pledges that as_of() shows, without working out how each stood: those of
        statements made by `day`, and, as known on a past day, recorded here by then.
        Asked of their statements, whose index of dates serves the list's order (newest
        statement first); or, `by_own_date`, of the date each pledge holds of its
        statement (`made_on`), which the queue's own index holds."""
        pledges = (
            self.filter(made_on__lte=day) if by_own_date else self.filter(statement__delivered_on__lte=day)
        )
        if not all_known(known_on):
            # A pledge the record did not hold yet is not in a report as known on that day.
            pledges = pledges.filter(created_at__lt=end_of(known_on))
        return pledges

    def shown_as_stored(self) -> PledgeQuerySet:
        """Every one of these pledges as it stands today, from what it stores: as_of()'s
        annotations, without leaving out those whose statement is dated later."""
        return self._shown(F("status"), F("last_change_on"), F("last_checked_at"))

    def _shown(self, status, last_change_on, last_checked_at) -> PledgeQuerySet:
        return self.annotate(
            shown_status=status,
            shown_last_change_on=last_change_on,
            shown_last_checked_at=last_checked_at,
            status_rank=Case(
                *[When(shown_status=s.value, then=Value(s.order)) for s in Status],
                output_field=models.IntegerField(),
            ),
        )

    def matching(self, words: list[str]) -> PledgeQuerySet:
        """Those whose quote, summary or statement title hold every one of `words`, in
        any case (tracker.search)."""
        return self.filter(search.matching(words, connections[self.db].vendor))

    # --- the rules (tracker.rules), on pledges annotated by as_of() ---

    def final(self) -> PledgeQuerySet:
        return self.filter(rules.final())

    def scored(self) -> PledgeQuerySet:
        return self.filter(rules.scored())

    def overdue(self, day: datetime.date) -> PledgeQuerySet:
        return self.filter(rules.overdue(day))

    def due_within(self, day: datetime.date, days: int) -> PledgeQuerySet:
        return self.filter(rules.due_within(day, days))

    def changed_within(self, day: datetime.date, days: int) -> PledgeQuerySet:
        return self.filter(rules.changed_within(day, days))

    def not_checked(self, day: datetime.date) -> PledgeQuerySet:
        return self.filter(rules.not_checked(day))

    def needing_an_analyst(self, *, today: datetime.date) -> PledgeQuerySet:
        """rules.needs_an_analyst, as of today; longest unchecked first (never checked,
        then by their last check), in one query. (With the entity, which the queue shows,
        not the statement: its whole text in every row made sorting 15,000 of them slow.)

        The rule is asked of each pledge as one expression, which no index answers: so
        the database walks the queue's index (migration 0018) in order and stops at the
        page's last pledge, instead of gathering all that need an analyst by the indexes
        of each reason, then sorting them (SQLite without statistics chose that: 0.1 s at
        100,000 pledges). count_needing_an_analyst() counts them."""
        needs = Case(When(rules.needs_an_analyst(today), then=Value(True)), default=Value(False))
        return (
            # As as_of(today) shows them, all from the pledge's own row.
            self.made_by(today, by_own_date=True)
            .shown_as_stored()
            .alias(needs_an_analyst=needs)
            .filter(needs_an_analyst=True)
            .select_related("actor")
            .order_by(*QUEUE_ORDER)
        )

    def count_needing_an_analyst(self, *, today: datetime.date) -> int:
        """How many of needing_an_analyst(), in one query answered by the indexes of each
        reason alone: all those the rule finds as stored, less those of statements dated
        after today (few, if any). Asking each pledge its statement's date instead reads
        every row found (0.07 s for 15,000 of 100,000 pledges on SQLite, against 0.01 s)."""
        found = self.shown_as_stored().order_by().filter(rules.needs_an_analyst(today))
        return _all_less_later(found, models.Count("*"), found.filter(pk__in=_made_later_than(today)))

    def count_as_stored(self, day: datetime.date) -> int:
        """How many pledges as_of(`day`) shows, `day` today or later, as the record stands:
        every pledge, from the tallies (each counts once under its entity), less those of
        statements dated after `day` (few, if any); one query, whatever the number of
        pledges. Of every pledge: ask Pledge.objects."""
        return _all_less_later(
            StatusTally.objects.filter(group="entity"),
            models.Sum(sum((F(status.value) for status in Status), Value(0))),
            self.filter(pk__in=_made_later_than(day)),
        )

    def after_in_queue(self, pledge: Pledge, *, checked_before: datetime.datetime) -> list[PledgeQuerySet]:
        """Those that come after `pledge` in the queue's order (QUEUE_ORDER), by the place
        it had (its last check, then its statement's date, statement and number), among
        those never checked or last checked before `checked_before`: in two parts, those
        of the same last check, then those checked later, each a range of the queue's
        index read in its order. (One condition for both had the database gather every
        pledge after this one, then sort them: up to a second at 100,000 pledges.)"""
        checked, made_on = pledge.last_checked_at, pledge.statement.delivered_on
        after_in_record = (
            Q(made_on__gt=made_on)
            | Q(made_on=made_on, statement_id__gt=pledge.statement_id)
            | Q(statement_id=pledge.statement_id, number__gt=pledge.number)
        )
        if checked is None:
            same_check, checked_later = (
                Q(shown_last_checked_at__isnull=True),
                Q(shown_last_checked_at__isnull=False),
            )
        else:
            same_check = Q(shown_last_checked_at=checked, shown_last_checked_at__lt=checked_before)
            checked_later = Q(shown_last_checked_at__gt=checked)
        return [
            self.filter(same_check, made_on__gte=made_on).filter(after_in_record),
            self.filter(checked_later, shown_last_checked_at__lt=checked_before),
        ]

    # --- figures for the dashboard; each works on pledges annotated by as_of() ---

    def count_by_status(self) -> dict[Status, int]:
        counts = dict(self.order_by().values_list("shown_status").annotate(n=models.Count("pk")))
        return {status: counts.get(status.value, 0) for status in Status}

    def counts_as_of(self, day: datetime.date) -> tuple[dict[str, int], dict[Status, int]]:
        """The headline counts (total, and each of rules.headlines) and the counts by
        status, as of `day`, in one pass over the pledges."""
        by_status = {
            f"n_{status.value}": models.Count("pk", filter=Q(shown_status=status)) for status in Status
        }
        counts = self.order_by().aggregate(
            total=models.Count("pk"),
            **{name: models.Count("pk", filter=rule) for name, rule in rules.headlines(day).items()},
            **by_status,
        )
        return (
            {name: n for name, n in counts.items() if name not in by_status},
            {status: counts[f"n_{status.value}"] for status in Status},
        )

    def counts_today(self, day: datetime.date) -> tuple[dict[str, int], dict[Status, int], int]:
        """counts_as_of() for `day` (today or later), in one query: (headline counts, by
        status, how many pledges are of statements dated after `day`). Every pledge's
        statuses come from the tallies (each pledge counts once under its entity), the
        rules' counts from what every pledge stores, by its indexes; those of pledges
        whose statement is dated later (few, if any) are counted apart and taken off, so
        that counting the rest needs no join. Call on pledges not yet annotated."""
        everyone = self.shown_as_stored().order_by()
        # (By their ids: so the planner starts from the statements dated later, if any.)
        later = everyone.filter(pk__in=_made_later_than(day))
        headlines = rules.headlines(day)

        def counted(rows, side: str, label, n=None):
            return (
                rows.annotate(side=Value(side), label=label)
                .values("side", "label")
                .annotate(n=n or models.Count("*"))
                .values_list("side", "label", "n")
            )

        parts = [counted(everyone.filter(rule), "all", Value(name)) for name, rule in headlines.items()]
        parts += [counted(later.filter(rule), "later", Value(name)) for name, rule in headlines.items()]
        parts.append(counted(later, "later", F("status")))
        entities = StatusTally.objects.filter(group="entity").order_by()
        parts += [
            counted(entities, "all", Value(status.value), models.Sum(status.value)) for status in Status
        ]
        found = {"all": Counter(), "later": Counter()}
        for side, label, n in parts[0].union(*parts[1:], all=True).order_by():
            found[side][label] += n or 0  # (a sum over no tally is none)
        counts = found["all"] - found["later"]
        by_status = {status: counts[status.value] for status in Status}
        headline = {"total": sum(by_status.values()), **{name: counts[name] for name in headlines}}
        return headline, by_status, sum(found["later"][status.value] for status in Status)

    def tallied(self, day: datetime.date, known_on: datetime.date | None = None) -> bool:
        """Whether these pledges as of `day` as known on `known_on` stand as their tallies
        (StatusTally) count them: the record as it stands today, and none of them of a
        statement dated later (which the tallies count, and the day does not show)."""
        # (By the ids of those made later, few if any: SQLite, without statistics, would
        # otherwise read these pledges by another index, all of them.)
        return as_stored(day, known_on) and not self.filter(pk__in=_made_later_than(day)).exists()

    def standing(self) -> dict:
        """The G7 Research Group's compliance rate of these pledges (the mean score of
        the scored ones, shown as (mean + 1) / 2 × 100 %), with how many it rests on and
        how many pledges have each status, in one query: a row as compliance_by() gives
        for each group, for these pledges together."""
        row = self.order_by().aggregate(
            pledges=models.Count("pk"),
            **_compliance_aggregates(),
            **{
                f"n_{status.value}": models.Count("pk", filter=Q(shown_status=status.value))
                for status in Status
            },
        )
        return _rate_rows([{**row, "key": None, "name": None}], "key", "name")[0]

    def compliance_by_entity(self) -> list[dict]:
        """standing(), for each entity that made pledges."""
        return self.compliance_by("actor_id", "actor__name")

    def compliance_by(
        self, key: str, name: str, *, order: str = "name", limit: int | None = None
    ) -> list[dict]:
        """standing(), for each group of pledges sharing `key` (a theme, a statement, an
        entity ...), named by `name`; in one query. Each row: key, name, pledges, scored,
        mean, rate, whether the rate rests on too few pledges to compare, and how many
        pledges have each status (by_status). In the `order` of RATE_ORDERS: by name, by
        rate (highest first, unscored last) or by scored pledges (most first); the first
        `limit` groups, or all. Each pledge counts once in each group it is in: the
        pledges must not come twice (no join that repeats them), as for the mean."""
        pledges = self
        if order == "name" and limit is not None:
            pledges = self._of_first_groups_by_name(key, name, limit)
        rows = (
            pledges.order_by()
            .values(key, name)
            .annotate(
                pledges=models.Count("pk"),
                scored=models.Count("pk", filter=rules.scored()),
                mean=models.Avg(_compliance_score()),
                **{
                    f"n_{status.value}": models.Count("pk", filter=Q(shown_status=status.value))
                    for status in Status
                },
            )
            .order_by(*_rate_order(name, order), key)
        )
        return _rate_rows(rows if limit is None else rows[:limit], key, name)

    def _of_first_groups_by_name(self, key: str, name: str, limit: int) -> PledgeQuerySet:
        """These pledges, of the first `limit` groups by name that hold any: found by
        walking the groups (entities, statements) in that order, so that only their
        pledges are counted, not every pledge. `key` must be a foreign key that `name`
        names the group by (its name has no NULLs); otherwise, all of them."""
        relation, _, field = name.partition("__")
        link = self.model._meta.get_field(relation)
        if not link.many_to_one or key != link.attname or link.null:
            return self
        first = (
            link.related_model.objects.filter(Exists(self.order_by().filter(**{relation: OuterRef("pk")})))
            .order_by(field, "pk")
            .values("pk")[:limit]
        )
        return self.filter(**{f"{key}__in": first})

    def for_detail(self, *, latest: int | None = None) -> PledgeQuerySet:
        """What the pledge page shows, in a fixed number of queries whatever its history:
        its `latest` status updates, reviews and pieces of evidence (all, if None), and how
        many it has of each (`updates_count`, `reviews_count`, `evidence_count`)."""
        return (
            self.select_related("statement__speaker", "statement__entity", "actor")
            .prefetch_related(
                "themes",
                *_history_prefetch(latest),
                models.Prefetch("revisions", queryset=PledgeRevision.objects.select_related("changed_by")),
            )
            .annotate(
                updates_count=_count_of(StatusUpdate.objects.filter(pledge=OuterRef("pk"))),
                reviews_count=_count_of(Review.objects.filter(pledge=OuterRef("pk"))),
                evidence_count=_count_of(Evidence.objects.filter(pledge=OuterRef("pk"))),
            )
        )

    def with_history(self) -> PledgeQuerySet:
        """Everything tracker.history.of_pledge() reads, in a fixed number of queries:
        the status updates and reviews, their retractions and evidence, the evidence and
        its withdrawals, the pledge's edits, and the statement's revisions."""
        return self.select_related("statement", "actor").prefetch_related(
            *_history_prefetch(),
            models.Prefetch("revisions", queryset=PledgeRevision.objects.select_related("changed_by")),
            models.Prefetch(
                "statement__revisions", queryset=StatementRevision.objects.select_related("changed_by")
            ),
        )


def _history_prefetch(latest: int | None = None) -> tuple[models.Prefetch, ...]:
    """A pledge's status updates (newest first, as they decide its status), reviews and
    evidence (newest first), each with what retracted or withdrew it: the `latest` of
    each, or all."""

    def cited() -> models.Prefetch:
        # One each: a Prefetch takes the path it is used under.
        return models.Prefetch("evidence", queryset=Evidence.objects.select_related("withdrawal"))

    updates = (
        StatusUpdate.objects.newest_first()
        .select_related("author", "retraction__retracted_by")
        .prefetch_related(cited())
    )
    reviews = Review.objects.select_related("author", "retraction__retracted_by").prefetch_related(cited())
    evidence = Evidence.objects.select_related("added_by", "withdrawal__withdrawn_by")
    if latest is not None:
        updates, reviews, evidence = (
            _first_of_each_pledge(rows, latest) for rows in (updates, reviews, evidence)
        )
    return (
        models.Prefetch("status_updates", queryset=updates),
        models.Prefetch("reviews", queryset=reviews),
        models.Prefetch("evidence", queryset=evidence),
    )


def _first_of_each_pledge(rows: models.QuerySet, count: int) -> models.QuerySet:
    """The first `count` of `rows` (in their order) for each pledge, in one query: a
    prefetch cannot take a slice here, so each row is numbered within its pledge."""
    order = [
        F(name[1:]).desc() if name.startswith("-") else F(name).asc()
        for name in (rows.query.order_by or rows.model._meta.ordering)
    ]
    place = models.Window(RowNumber(), partition_by=F("pledge_id"), order_by=order)
    return rows.annotate(place=place).filter(place__lte=count)


def _count_of(rows: models.QuerySet) -> Coalesce:
    """How many `rows` there are, as a subquery (a join would multiply the pledge's rows)."""
    counted = rows.order_by().values("pledge").annotate(n=models.Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0))


# The queue's order: the longest unchecked first (never checked before all), then in the
# order of the record.
QUEUE_ORDER = (
    F("shown_last_checked_at").asc(nulls_first=True),
    "made_on",
    "statement_id",
    "number",
)


def _all_less_later(every: models.QuerySet, counted, later: models.QuerySet) -> int:
    """What `counted` (an aggregate) makes of the rows `every`, less how many rows `later`
    holds: in one query, each part read by its own indexes."""
    parts = [
        rows.order_by().annotate(side=Value(side)).values("side").annotate(n=n)
        for side, rows, n in (("all", every, counted), ("later", later, models.Count("*")))
    ]
    counts = dict(parts[0].union(parts[1], all=True).values_list("side", "n").order_by())
    return (counts.get("all") or 0) - counts.get("later", 0)


def _made_later_than(day: datetime.date) -> models.QuerySet:
    """The ids of the pledges of statements dated after `day`: by the statements' date
    index, for they are few (if any) when `day` is today."""
    return Pledge.objects.filter(statement__delivered_on__gt=day).order_by().values("pk")


def as_one_parameter(ids: Iterable[int]) -> RawSQL | list[int]:
    """`ids` as a subquery with one parameter, for `field__in=as_one_parameter(ids)`: a
    list of a thousand ids costs Django and psycopg work for each (that was most of an
    export's time on PostgreSQL); one array (PostgreSQL) or JSON text (SQLite) does not.
    None matches nothing, as in `field__in`."""
    ids = [int(pk) for pk in ids if pk is not None]
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    if connection.Database.sqlite_version_info < (3, 38):  # (JSON is built in since 3.38)
        return ids
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`, in the app's time zone: what was recorded "by `day`"
    was recorded before it."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


class LatestOf(Greatest):
    """The later of two moments, either of which may be NULL (none). PostgreSQL's
    GREATEST leaves NULLs out; SQLite's MAX() gives NULL if either is, so there a missing
    moment stands as the empty text, which sorts before every stored moment, and the
    result is NULL again if both are missing. (Falling back on the other side instead
    read each subquery twice, for every pledge.)"""

    def as_sqlite(self, compiler, connection, **extra_context):
        first, second = self.get_source_expressions()
        none, text = Value(""), models.TextField()
        latest = Greatest(
            Coalesce(first, none, output_field=text),
            Coalesce(second, none, output_field=text),
            output_field=text,
        )
        return compiler.compile(NullIf(latest, none, output_field=self.output_field))


def _last_checked_by(day: datetime.date, known_on: datetime.date | None = None) -> LatestOf:
    """When the pledge's latest status update or review that counts (as known on
    `known_on`) was recorded, by the end of `day`: what the services store as
    `last_checked_at`, for a day in the past."""
    latest = {
        model: Subquery(
            model.objects.counting(known_on)
            .filter(pledge=OuterRef("pk"), recorded_at__lt=end_of(day))
            .order_by("-recorded_at")
            .values("recorded_at")[:1]
        )
        for model in (StatusUpdate, Review)
    }
    return LatestOf(latest[StatusUpdate], latest[Review])


# How a table of compliance rates can be ordered (PledgeQuerySet.compliance_by).
RATE_ORDERS = {"name": "name", "rate": "highest rate first", "scored": "most scored pledges first"}


def _rate_order(name: str, order: str) -> list:
    """A table of rates in the `order` of RATE_ORDERS (rows with `name`, `mean`, `scored`)."""
    by_name = F(name).asc(nulls_last=True)
    return {
        "name": [by_name],
        "rate": [F("mean").desc(nulls_last=True), by_name],
        "scored": [F("scored").desc(), by_name],
    }[order]


def _rate_rows(rows, key: str, name: str) -> list[dict]:
    """compliance_by()'s rows, from rows with `key`, `name`, pledges, scored, mean and
    n_<status> for each status."""
    return [
        {
            "key": row[key],
            "name": row[name],
            "pledges": row["pledges"],
            "scored": row["scored"],
            "mean": row["mean"],
            "rate": compliance_rate(row["mean"]),
            "too_few": rules.too_few_to_compare(row["scored"]),
            "by_status": {status: row[f"n_{status.value}"] for status in Status},
        }
        for row in rows
    ]


def _compliance_score() -> Case:
    """Each pledge's score (NULL when it is not scored)."""
    return Case(
        *[
            When(shown_status=status.value, then=Value(status.compliance_score))
            for status in Status
            if status.compliance_score is not None
        ],
        output_field=models.IntegerField(),
    )


def _compliance_aggregates() -> dict:
    score = _compliance_score()
    return {"scored": models.Count(score), "mean": models.Avg(score)}


def compliance_rate(mean) -> float | None:
    """The G7 Research Group's rate, from the mean score: (mean + 1) / 2 × 100 %."""
    return None if mean is None else round((float(mean) + 1) / 2 * 100, 1)


class PledgeManager(models.Manager.from_queryset(PledgeQuerySet)):
    def get_by_natural_key(self, statement_slug: str, number: int) -> Pledge:
        return self.get(statement__slug=statement_slug, number=number)


class Pledge(models.Model):
    """One commitment inside a statement: its verbatim quote and what it promises."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="pledges")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Its number within the statement: 1 for the first pledge, and so on.",
    )
    quote = models.TextField(help_text="Verbatim, exactly as in the statement text.")
    quote_start = models.PositiveIntegerField(
        editable=False, help_text="Offset of the quote's first character in the statement text."
    )
    quote_end = models.PositiveIntegerField(
        editable=False, help_text="Offset just past the quote's last character."
    )
    summary = models.CharField(max_length=300, help_text="In the analyst's own words.")
    actor = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="pledges", help_text="Who makes the pledge."
    )
    kind = models.CharField(max_length=30, choices=PledgeKind.choices)
    themes = models.ManyToManyField(Theme, related_name="pledges", blank=True)

    deadline_text = models.CharField(
        "deadline as worded", max_length=200, blank=True, help_text='The words used: "in February 2024".'
    )
    deadline_on = models.DateField(
        "deadline date", null=True, blank=True, help_text="The date those words end on."
    )
    deadline_precision = models.CharField(
        max_length=10, choices=DeadlinePrecision.choices, default=DeadlinePrecision.NONE
    )

    amount = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use the three capital letters of ISO 4217, such as USD.")],
    )
    amount_stage = models.CharField(max_length=10, choices=AmountStage.choices, blank=True)
    amount_approximate = models.BooleanField(
        default=False, help_text='The statement hedges the amount: "approximately", "about".'
    )
    beneficiaries = models.CharField(max_length=500, blank=True)
    condition = models.CharField(
        max_length=500,
        blank=True,
        help_text="What the pledge depends on, in the statement's words (\"subject to the approval of "
        'the Diet"); empty when it depends on nothing.',
    )

    # Kept here so that lists can filter on it without reading the history; services
    # recompute it in the same transaction as every change to the history.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOT_ASSESSED, editable=False, db_index=True
    )
    # True when the update that decides its status cited evidence and all of it has been
    # withdrawn, and no review since cites evidence still standing: the status rests on
    # nothing. Services recompute it with the status; the queue lists such pledges.
    status_evidence_withdrawn = models.BooleanField(default=False, editable=False)
    # When an analyst last recorded a status update or a review of it that still stands
    # (see tracker.rules.not_checked); kept by the services like the status.
    last_checked_at = models.DateTimeField(null=True, editable=False)
    # The day its status last changed: when the update that decides it took effect (None
    # if never assessed); and how many pieces of its evidence still stand. Kept by the
    # services like the status, so that lists sort and filter on them by an index.
    last_change_on = models.DateField(null=True, editable=False)
    standing_evidence_count = models.PositiveIntegerField(default=0, editable=False)
    # Moves on with every change to the history, so that a form based on an older
    # version can be told what changed since.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The quote, summary and statement title, case-folded, for the list's search (an
    # index serves it: tracker.search). Written with every save of those.
    search_text = models.TextField(default="", editable=False)
    # Its statement's date, copied here by the database itself (tracker.db_triggers), on
    # every write of the pledge or of the statement's date: the queue filters and sorts
    # by it from an index instead of joining every pledge to its statement.
    made_on = models.DateField(null=True, editable=False)

    objects = PledgeManager()

    class Meta:
        ordering = ["statement", "number"]
        permissions = [("export_pledges", "Can export pledge lists")]
        # The list sorts and filters on these. The queue's order (QUEUE_ORDER, the longest
        # unchecked first) has an index of its own, made by migration 0018 for each
        # database: PostgreSQL's must put the never checked first, which SQLite's index
        # does without saying and cannot say.
        indexes = [
            models.Index(fields=["last_change_on"], name="pledge_last_change_on"),
            models.Index(fields=["last_checked_at"], name="pledge_last_checked_at"),
            # The list counts its pledges by the statement date each holds (made_by()).
            models.Index(fields=["made_on"], name="pledge_made_on"),
            # The dashboard's counts today and the queue: overdue and due soon, not checked
            # (tracker.rules) ...
            models.Index(fields=["status", "deadline_on"], name="pledge_status_deadline"),
            models.Index(fields=["status", "last_checked_at"], name="pledge_status_last_checked"),
            # ... and the queue's last reason (with the two above, PostgreSQL reads its
            # pledges from indexes alone instead of every pledge).
            models.Index(
                fields=["status_evidence_withdrawn"],
                condition=Q(status_evidence_withdrawn=True),
                name="pledge_evidence_withdrawn",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="pledge_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="pledge_number_positive"),
            models.CheckConstraint(condition=~Q(quote=""), name="pledge_quote_not_empty"),
            models.CheckConstraint(
                condition=Q(quote_end=F("quote_start") + Length("quote")),
                name="pledge_offsets_span_quote",
            ),
            models.CheckConstraint(condition=Q(kind__in=PledgeKind.values), name="pledge_kind_known"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="pledge_status_known"),
            models.CheckConstraint(
                condition=Q(deadline_precision__in=DeadlinePrecision.values),
                name="pledge_deadline_precision_known",
            ),
            models.CheckConstraint(
                condition=(
                    Q(deadline_precision=DeadlinePrecision.NONE, deadline_on__isnull=True)
                    | (~Q(deadline_precision=DeadlinePrecision.NONE) & Q(deadline_on__isnull=False))
                ),
                name="pledge_deadline_date_matches_precision",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="pledge_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(amount__isnull=True, currency="", amount_stage="")
                    | (Q(amount__isnull=False) & ~Q(currency="") & ~Q(amount_stage=""))
                ),
                name="pledge_amount_has_currency_and_stage",
            ),
            models.CheckConstraint(
                condition=Q(amount_stage="") | Q(amount_stage__in=AmountStage.values),
                name="pledge_amount_stage_known",
            ),
            models.CheckConstraint(
                condition=Q(currency="")
                | Q(Exact(Length("currency"), 3), Exact(Upper("currency"), F("currency"))),
                name="pledge_currency_iso_4217",
            ),
        ]

    def __str__(self) -> str:
        return f"Pledge {self.number}: {self.summary}"

    def save(self, *args, update_fields=None, **kwargs) -> None:
        if update_fields is None or {"quote", "summary", "statement"} & set(update_fields):
            # The title as committed, not as loaded with the pledge: it may have changed since.
            title = Statement.objects.filter(pk=self.statement_id).values_list("title", flat=True).first()
            self.search_text = search.search_text_of(self.quote, self.summary, title or self.statement.title)
            if update_fields is not None:
                update_fields = {*update_fields, "search_text"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("pledge_detail", args=[self.pk])

    def natural_key(self) -> tuple[str, int]:
        return (*self.statement.natural_key(), self.number)

    natural_key.dependencies = ["tracker.statement"]

    @property
    def statement_if_set(self) -> Statement | None:
        """Its statement, or None; in the admin, the statement may not be saved yet."""
        if self.statement_id is None and not Pledge.statement.is_cached(self):
            return None
        return self.statement

    @property
    def current_status(self) -> Status:
        return Status(self.status)

    @property
    def shown(self) -> Status:
        """The status a list shows: as of its date when annotated by as_of(), else the current one."""
        return Status(getattr(self, "shown_status", self.status))

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return rules.is_overdue(self.deadline_on, self.current_status, today or timezone.localdate())

    def reasons_for_attention(self, *, today: datetime.date) -> list[str]:
        """Why the queue lists it (rules.NEEDS_AN_ANALYST), for one pledge in hand."""
        reasons = []
        if self.current_status is Status.NOT_ASSESSED:
            reasons.append("never assessed")
        if self.is_overdue(today):
            reasons.append(f"overdue since {self.deadline_on.day} {self.deadline_on:%B %Y}")
        if rules.is_not_checked(self.last_checked_at, self.current_status, today):
            checked = timezone.localdate(self.last_checked_at)
            reasons.append(f"not checked since {checked.day} {checked:%B %Y}")
        if self.status_evidence_withdrawn:
            reasons.append("its only evidence was withdrawn")
        return reasons

    @property
    def deadline_note(self) -> str:
        """ "overdue", "due today", "due in N days", or nothing once final or without a deadline."""
        if not self.deadline_on or self.current_status.is_final:
            return ""
        if self.is_overdue():
            return "overdue"
        days = (self.deadline_on - timezone.localdate()).days
        if days == 0:
            return "due today"
        return f"due in {days} day{'s' if days != 1 else ''}"

    @property
    def amount_display(self) -> str:
        if self.amount is None:
            return ""
        number = f"{self.amount:,.0f}" if self.amount == self.amount.to_integral() else f"{self.amount:,.2f}"
        hedge = "approximately " if self.amount_approximate else ""
        return f"{hedge}{number} {self.currency} ({self.get_amount_stage_display().lower()})"

    @property
    def text_before_quote(self) -> str:
        return self.statement.text[: self.quote_start]

    @property
    def text_after_quote(self) -> str:
        return self.statement.text[self.quote_end :]

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.quote = normalize_newlines(self.quote)
        statement = self.statement_if_set
        has_offsets = self.quote_start is not None and self.quote_end is not None
        if (
            statement
            and self.quote
            and has_offsets
            and statement.text[self.quote_start : self.quote_end] != self.quote
        ):
            errors.setdefault("quote", []).append(
                f"The quote of pledge {self.number} is not in the statement text at "
                f"characters {self.quote_start}–{self.quote_end}; it must be verbatim."
            )
        if self.deadline_on and not (rules.EARLIEST_DATE <= self.deadline_on <= rules.LATEST_DEADLINE):
            errors.setdefault("deadline_on", []).append(
                f"Give a date from {rules.EARLIEST_DATE:%-d %B %Y} to {rules.LATEST_DEADLINE:%-d %B %Y}."
            )
        if self.deadline_precision == DeadlinePrecision.NONE and self.deadline_on:
            errors.setdefault("deadline_precision", []).append(
                "Say how precise the deadline is (day, month, quarter or year)."
            )
        if self.deadline_precision != DeadlinePrecision.NONE and not self.deadline_on:
            errors.setdefault("deadline_on", []).append(
                "Give the date the deadline ends on, or set its precision to “No deadline”."
            )
        if self.amount is None:
            if self.currency:
                errors.setdefault("currency", []).append("A currency needs an amount.")
            if self.amount_stage:
                errors.setdefault("amount_stage", []).append("A stage needs an amount.")
        else:
            if not self.currency:
                errors.setdefault("currency", []).append("Give the ISO 4217 currency of the amount.")
            if not self.amount_stage:
                errors.setdefault("amount_stage", []).append(
                    "Say whether the amount is announced, allocated, committed or disbursed."
                )
        if errors:
            raise ValidationError(errors)


# --- what became of them ----------------------------------------------------------------


class EvidenceQuerySet(AppendOnlyQuerySet):
    def standing(self) -> EvidenceQuerySet:
        """Evidence that counts: every piece that has not been withdrawn."""
        return self.filter(withdrawal__isnull=True)


class Evidence(AppendOnlyModel):
    """A source that bears on a pledge."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="evidence")
    url = WebURLField("link")
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField("date published", null=True, blank=True)
    source_type = models.CharField(max_length=20, choices=SourceType.choices)
    stance = models.CharField(max_length=20, choices=Stance.choices)
    excerpt = models.TextField(blank=True, help_text="The passage that matters, verbatim.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        editable=False, help_text="The pledge's version that this change to its history made."
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["-added_at", "-id"]
        # The dashboard's recent activity reads the latest.
        indexes = [models.Index(fields=["added_at"], name="evidence_added_at")]
        permissions = [("withdraw_any_evidence", "Can withdraw any analyst's evidence")]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "url"], name="evidence_url_once_per_pledge"),
            models.CheckConstraint(
                condition=_web_url_check("url", blank_allowed=False), name="evidence_url_http"
            ),
            models.CheckConstraint(
                condition=Q(source_type__in=SourceType.values), name="evidence_source_type_known"
            ),
            models.CheckConstraint(condition=Q(stance__in=Stance.values), name="evidence_stance_known"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return hasattr(self, "withdrawal")


class EvidenceWithdrawal(AppendOnlyModel):
    """The record that a piece of evidence was added by mistake (a wrong page, a duplicate):
    it stays visible, struck through, and no longer counts as evidence for a status."""

    evidence = models.OneToOneField(Evidence, on_delete=models.PROTECT, related_name="withdrawal")
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        editable=False, help_text="The pledge's version that this change to its history made."
    )
    reason = models.TextField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="evidence_withdrawal_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Withdrawal of {self.evidence}"


class CountingQuerySet(AppendOnlyQuerySet):
    """Status updates or reviews, each of which a retraction may undo."""

    def in_force(self):
        """The ones that count: every one that has not been retracted."""
        return self.filter(retraction__isnull=True)

    def counting(self, known_on: datetime.date | None = None):
        """The ones that count now (known_on None), or as the record stood on `known_on`:
        recorded by the end of that day, and not retracted by then."""
        if known_on is None:
            return self.in_force()
        end = end_of(known_on)
        return self.filter(recorded_at__lt=end).exclude(retraction__retracted_at__lt=end)


class StatusUpdateQuerySet(CountingQuerySet):
    def newest_first(self) -> StatusUpdateQuerySet:
        # The order that decides a pledge's current status: effective date, then the
        # moment it was recorded, then the id as a last tie-break.
        return self.order_by("-effective_on", "-recorded_at", "-id")


def _only_evidence_withdrawn(row: StatusUpdate | Review) -> bool:
    """A status update or a review cited evidence, and every piece of it has been
    withdrawn since."""
    cited = list(row.evidence.all())
    return bool(cited) and all(item.is_withdrawn for item in cited)


class StatusUpdate(AppendOnlyModel):
    """One dated judgement of a pledge's status, by one analyst. Never edited."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="status_updates")
    status = models.CharField(max_length=20, choices=[(s.value, s.label) for s in Status.judgements()])
    effective_on = models.DateField(help_text="When it took effect in the world.")
    recorded_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded here.")
    version = models.PositiveIntegerField(
        editable=False, help_text="The pledge's version that this change to its history made."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="status_updates"
    )
    rationale = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, related_name="cited_by", blank=True)

    objects = StatusUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_on", "-recorded_at", "-id"]
        permissions = [("retract_any_statusupdate", "Can retract any analyst's status update")]
        indexes = [
            models.Index(fields=["recorded_at"], name="status_update_recorded_at"),
            # A pledge's last check by a day: its latest update recorded before then.
            models.Index(fields=["pledge", "recorded_at"], name="status_update_pledge_recorded"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status.judgements()]),
                name="status_update_status_is_a_judgement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.effective_on:%Y-%m-%d}"

    @property
    def recorded_status(self) -> Status:
        return Status(self.status)

    @property
    def is_retracted(self) -> bool:
        return hasattr(self, "retraction")

    only_evidence_withdrawn = property(_only_evidence_withdrawn)


class PledgeRevision(AppendOnlyModel):
    """What a pledge said before one change to what analysts judge (its quote, summary,
    deadline, amount ...): the old values and the new, who changed them and when. Like a
    status update it moves the pledge's version, so that a form based on the old words
    is told (409)."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField(
        editable=False, help_text="The pledge's version that this change to its history made."
    )
    before = models.JSONField(help_text="The fields changed, with the values they had.")
    after = models.JSONField(help_text="The same fields, with the values they were given.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the change came from loading a fixture.",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pledge", "version"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "version"], name="pledge_revision_version_unique")
        ]

    def __str__(self) -> str:
        return f"Pledge {self.pledge_id}, version {self.version}: {', '.join(self.before)} changed"


class RetractionRecord(AppendOnlyModel):
    """What a retraction records, of a status update or a review: who, when, why, and the
    pledge's version it made."""

    retracted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retracted_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(
        editable=False, help_text="The pledge's version that this change to its history made."
    )
    reason = models.TextField()

    class Meta:
        abstract = True


class Retraction(RetractionRecord):
    """The record that a status update was a mistake: it stays visible, and stops counting."""

    status_update = models.OneToOneField(StatusUpdate, on_delete=models.PROTECT, related_name="retraction")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="retraction_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Retraction of {self.status_update}"


class ReviewQuerySet(CountingQuerySet):
    pass


class Review(AppendOnlyModel):
    """The record that an analyst checked a pledge and its status still stands: no change
    of status, but the date of its last check (see tracker.rules.not_checked). Never
    edited; retracted like a status update, by its author or an administrator."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(
        max_length=20,
        choices=[(s.value, s.label) for s in Status.judgements()],
        help_text="The status that still stands.",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    note = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, related_name="reviewed_in", blank=True)
    version = models.PositiveIntegerField(
        editable=False, help_text="The pledge's version that this change to its history made."
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["recorded_at"], name="review_recorded_at"),
            # A pledge's last check by a day: its latest review recorded before then.
            models.Index(fields=["pledge", "recorded_at"], name="review_pledge_recorded"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status.judgements()]),
                name="review_status_is_a_judgement",
            ),
        ]

    def __str__(self) -> str:
        checked = timezone.localdate(self.recorded_at)
        return f"Still {self.get_status_display().lower()}, checked {checked:%Y-%m-%d}"

    @property
    def recorded_status(self) -> Status:
        return Status(self.status)

    @property
    def is_retracted(self) -> bool:
        return hasattr(self, "retraction")

    only_evidence_withdrawn = property(_only_evidence_withdrawn)


class ReviewRetraction(RetractionRecord):
    """The record that a review was a mistake: it stays visible, and stops counting."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="retraction")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="review_retraction_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Retraction of {self.review}"


# --- the read model: what the history gives, kept for reading fast ----------------------
# Not history: tracker.read_model rebuilds these rows from the status updates, in the
# transaction of each change to them (services.history_changed), and
# `manage.py check_read_model` compares them with the history.


# The groupings a StatusTally counts by: those of the dashboard's rate tables.
TALLY_GROUPS = ("entity", "statement", "theme")
# The key that pledges with no theme count under.
NO_THEME = 0


class NotDumpedManager(models.Manager):
    """The default manager of the read model's rows, which `dumpdata` reads: none. A
    fixture carries the history, and loading it rebuilds these rows (tracker.signals)."""

    def get_queryset(self):
        return super().get_queryset().none()


class StatusPeriod(models.Model):
    """The days over which one status update decides a pledge's status, as the record
    stands now (retracted updates left out): from its effective date to the next one's.
    "As of" a past day reads the period holding that day."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="status_periods")
    status = models.CharField(max_length=20, choices=Status.choices)
    update = models.ForeignKey(
        StatusUpdate, on_delete=models.CASCADE, related_name="+", help_text="The update that decides it."
    )
    valid_from = models.DateField()
    valid_to = models.DateField(
        null=True, blank=True, help_text="The first day it no longer holds; empty: it still does."
    )

    not_dumped = NotDumpedManager()
    objects = models.Manager()

    class Meta:
        # The period holding a day, read from the index alone: "as of" a past day looks
        # one up for every pledge.
        indexes = [
            models.Index(fields=["pledge", "valid_from", "valid_to", "status"], name="status_period_holding")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="status_period_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.valid_from:%Y-%m-%d}"


class StatusMonthCount(models.Model):
    """By how much the number of pledges with `status` at the end of `month` differs from
    the month before: the dashboard's month-by-month figures are the running sum. Each
    write adds what it changes to the months it touches."""

    month = models.DateField(help_text="The month's first day.")
    status = models.CharField(max_length=20, choices=Status.choices)
    moves = models.IntegerField(default=0)

    not_dumped = NotDumpedManager()
    objects = models.Manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "status"], name="status_month_count_unique")]

    def __str__(self) -> str:
        return f"{self.get_status_display()} in {self.month:%B %Y}: {self.moves:+d}"


class StatusTallyQuerySet(models.QuerySet):
    def compliance_by(self, group: str, *, order: str = "name", limit: int | None = None) -> list[dict]:
        """PledgeQuerySet.compliance_by() for every pledge as it stands today, by entity,
        statement or theme (`group`), read from the tallies: rows as it gives them, in the
        same order. Only right while no statement is dated later than today (every pledge
        is in the tallies)."""
        # The name, by a join on the key (a correlated subquery for each of 10,000
        # statements was most of the query's time).
        name = {"entity": "entity__name", "statement": "statement__title", "theme": "theme__name"}[group]
        counts = {f"n_{status.value}": F(status.value) for status in Status}
        scored = [F(status) for status in rules.SCORED_STATUSES]
        score = [F(status.value) * status.compliance_score for status in Status if status.compliance_score]
        rows = (
            self.filter(group=group)
            .annotate(
                **counts,
                pledges=sum(counts.values(), Value(0)),
                scored=sum(scored, Value(0)),
            )
            .filter(pledges__gt=0)
            .annotate(
                # No theme is none (NULL), as in PledgeQuerySet.compliance_by.
                group_key=NullIf(F("key"), Value(NO_THEME)),
                name=F(name),
                mean=Case(
                    When(scored=0, then=Value(None)),
                    default=Cast(sum(score, Value(0)), models.FloatField())
                    / Cast("scored", models.FloatField()),
                    output_field=models.FloatField(),
                ),
            )
            .values("group_key", "name", "pledges", "scored", "mean", *counts)
            .order_by(*_rate_order("name", order), "key")
        )
        return _rate_rows(rows if limit is None else rows[:limit], "group_key", "name")

    def standing_of(self, group: str, key: int) -> dict:
        """PledgeQuerySet.standing() of the pledges of one entity, statement or theme
        (`group`, `key`) as they stand today, from its tally: under the same condition as
        compliance_by()."""
        rows = self.filter(key=key).compliance_by(group)
        if rows:
            return rows[0]
        none = {"key": key, "name": None, "pledges": 0, "scored": 0, "mean": None}
        return _rate_rows([{**none, **{f"n_{status.value}": 0 for status in Status}}], "key", "name")[0]


def _named_by_key(model: type[models.Model]) -> models.ForeignObject:
    """A tally's relation to the `model` its key names: made by the key, with no column
    or constraint of its own (a theme deleted leaves its row)."""
    return models.ForeignObject(
        model, from_fields=["key"], to_fields=["id"], on_delete=models.DO_NOTHING, related_name="+", null=True
    )


class StatusColumns(models.Model):
    """One column per status, named as its value (a test holds them to tracker.vocabulary)."""

    not_assessed = models.IntegerField(default=0)
    not_started = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    stalled = models.IntegerField(default=0)
    partially_fulfilled = models.IntegerField(default=0)
    fulfilled = models.IntegerField(default=0)
    not_fulfilled = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    cannot_be_verified = models.IntegerField(default=0)

    class Meta:
        abstract = True


class StatusTally(StatusColumns):
    """How many pledges of one entity (the one making them), one statement or one theme
    have each status now, one column per status; the dashboard's rate tables read these
    rows instead of counting every pledge. Every pledge counts, whatever its statement's
    date (the dashboard counts them live on a day when a statement is dated later). A
    pledge with several themes counts under each; one with none, under theme 0. Each
    write adds what it changes (tracker.read_model)."""

    group = models.CharField(max_length=10, choices=[(group, group) for group in TALLY_GROUPS])
    key = models.PositiveBigIntegerField(help_text="The entity's, statement's or theme's id; 0: no theme.")

    # What the key names, for a group's names in the same query (_named_by_key).
    entity = _named_by_key(Entity)
    statement = _named_by_key(Statement)
    theme = _named_by_key(Theme)

    not_dumped = NotDumpedManager()
    objects = StatusTallyQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "key"], name="status_tally_unique")]

    def __str__(self) -> str:
        return f"{self.group} {self.key}"


# The headline rules a HeadlinePeriod holds, beside the status (never assessed is one):
# those of rules.headlines(), by the same names.
HEADLINE_FLAGS = ("overdue", "due_soon", "changed_recently", "not_checked")


class CountedAs(models.Model):
    """How pledges count in the headline figures: a status, and each of HEADLINE_FLAGS."""

    status = models.CharField(max_length=20, choices=Status.choices)
    overdue = models.BooleanField()
    due_soon = models.BooleanField()
    changed_recently = models.BooleanField()
    not_checked = models.BooleanField()

    class Meta:
        abstract = True


class HeadlinePeriod(CountedAs):
    """The days over which a pledge counts the same way in the dashboard's headline
    figures, as the record stands now: its status, and whether it is overdue, due soon,
    changed recently and not checked for 180 days, each as the rules judge it on each of
    those days (tracker.rules.headlines_of). From its statement's date on: the figures as
    of a past day are the sum of the day counts up to it (HeadlineDayCount)."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="headline_periods")
    valid_from = models.DateField()
    valid_to = models.DateField(
        null=True, blank=True, help_text="The first day it no longer holds; empty: it still does."
    )

    not_dumped = NotDumpedManager()
    objects = models.Manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="headline_period_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.valid_from:%Y-%m-%d}"


class HeadlineDayCountQuerySet(models.QuerySet):
    def counts_as_of(self, day: datetime.date) -> tuple[dict[str, int], dict[Status, int]]:
        """PledgeQuerySet.counts_as_of() for every pledge, as the record stands now, in one
        query: the month counts of the months before `day`'s, plus the day counts from
        that month's first day to `day`. As many rows as months and days with changes,
        whatever the number of pledges."""
        first = day.replace(day=1)
        columns = ["status", *HEADLINE_FLAGS]
        days = self.filter(day__gte=first, day__lte=day).order_by().values_list(*columns)
        months = HeadlineMonthCount.objects.filter(month__lt=first).order_by().values_list(*columns)
        sums = [rows.annotate(n=models.Sum("moves")) for rows in (days, months)]
        by_status = dict.fromkeys(Status, 0)
        counts = dict.fromkeys(["total", *HEADLINE_FLAGS, "never_assessed"], 0)
        for status, *flags, n in sums[0].union(sums[1], all=True):
            by_status[Status(status)] += n
            counts["total"] += n
            for name, holds in zip(HEADLINE_FLAGS, flags, strict=True):
                counts[name] += n if holds else 0
        counts["never_assessed"] = by_status[Status.NOT_ASSESSED]
        return counts, by_status


class HeadlineDayCount(CountedAs):
    """By how much the number of pledges counting one way in the headline figures (a
    status and each headline rule: HeadlinePeriod) moves on `day`. The figures as of a
    day are the sum up to it. Each write adds what it changes to the days it touches."""

    day = models.DateField()
    moves = models.IntegerField(default=0)

    not_dumped = NotDumpedManager()
    objects = HeadlineDayCountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "status", *HEADLINE_FLAGS], name="headline_day_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.day:%Y-%m-%d}: {self.moves:+d}"


class HeadlineMonthCount(CountedAs):
    """HeadlineDayCount, month by month: the figures as of a day sum these up to the month
    before its own, then the day counts of its month up to it."""

    month = models.DateField(help_text="The month's first day.")
    moves = models.IntegerField(default=0)

    not_dumped = NotDumpedManager()
    objects = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "status", *HEADLINE_FLAGS], name="headline_month_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} in {self.month:%B %Y}: {self.moves:+d}"


# The groupings a WeekTally and a DayTally count by: the rate tables the dashboard reads
# from them as of a past day (a statement's pledges are few, and counted one by one).
WEEK_TALLY_GROUPS = ("entity", "theme")


def week_of(day: datetime.date) -> datetime.date:
    """The Monday that begins the week of `day`."""
    return day - datetime.timedelta(days=day.weekday())


class WeekTallyQuerySet(models.QuerySet):
    def compliance_as_of(
        self, group: str, day: datetime.date, *, order: str = "name", limit: int | None = None
    ) -> list[dict]:
        """PledgeQuerySet.compliance_by() for every pledge as of the past `day` as the
        record stands now, by entity or theme (`group`), in one query: the week tallies of
        the weeks before `day`'s, plus the day tallies from that week's Monday to `day`.
        Rows as compliance_by() gives them, in the same order; with order "name" and a
        `limit`, only those of the first groups by name are read."""
        week = week_of(day)
        columns = Status.values
        named = Entity.objects if group == "entity" else Theme.objects
        days = DayTally.objects.filter(group=group, day__gte=week, day__lte=day)
        weeks = self.filter(group=group, week__lt=week)
        if group == "entity" and order == "name" and limit is not None:
            made_by_then = Pledge.objects.filter(actor=OuterRef("pk"), statement__delivered_on__lte=day)
            first = Entity.objects.filter(Exists(made_by_then)).order_by("name", "pk").values("pk")[:limit]
            named, weeks, days = (
                named.filter(pk__in=first),
                weeks.filter(key__in=first),
                days.filter(key__in=first),
            )
        # Each group that may be counted, with its name, in a row of its own (sign 0).
        marks = (
            named.order_by()
            .annotate(key=F("pk"), group_name=F("name"), sign=Value(0), **{c: Value(0) for c in columns})
            .values_list("key", "group_name", "sign", *columns)
        )
        sums = [
            dated.values("key")
            .annotate(
                group_name=Value(None, models.CharField()),
                sign=Value(1),
                **{c: models.Sum(c) for c in columns},
            )
            .values_list("key", "group_name", "sign", *columns)
            for dated in (weeks, days)
        ]
        rows = list(marks.union(*sums, all=True).order_by("group_name", "key"))
        # By name, in the database's order (as the pages sort them), then by key; no theme
        # (no name) after every name, as compliance_by() orders it.
        names: dict[int | None, str | None] = {
            found: group_name for found, group_name, sign, *_ in rows if sign == 0 and group_name is not None
        }
        if group == "theme":
            names[None] = None
        counts: dict[int | None, Counter] = {found: Counter() for found in names}
        for found, _, sign, *by_status in rows:
            found = None if found == NO_THEME and group == "theme" else found
            if sign == 0 or found not in counts:
                continue  # (a name; or a group the database no longer holds)
            for status, n in zip(columns, by_status, strict=True):
                counts[found][status] += n or 0
        in_order = [found for found in names if sum(counts[found].values()) > 0]
        return _rows_in_order(in_order, counts, names, order, limit)


def _rows_in_order(
    keys: list, counts: dict[int | None, Counter], names: dict, order: str, limit: int | None
) -> list[dict]:
    """compliance_by()'s rows from each group's counts by status, `keys` given by name,
    in the `order` of RATE_ORDERS (with the same ties: by name, then key)."""
    rows = []
    for place, key in enumerate(keys):
        by_status = counts[key]
        scored = sum(by_status[status] for status in rules.SCORED_STATUSES)
        score = sum(by_status[s.value] * s.compliance_score for s in Status if s.compliance_score)
        rows.append(
            {
                "key": key,
                "name": names[key],
                "place": place,
                "pledges": sum(by_status.values()),
                "scored": scored,
                "mean": score / scored if scored else None,
                **{f"n_{status.value}": by_status[status.value] for status in Status},
            }
        )
    rows.sort(
        key={
            "name": lambda row: row["place"],
            "rate": lambda row: (row["mean"] is None, -(row["mean"] or 0), row["place"]),
            "scored": lambda row: (-row["scored"], row["place"]),
        }[order]
    )
    return _rate_rows(rows if limit is None else rows[:limit], "key", "name")


class WeekTally(StatusColumns):
    """By how much the number of pledges of one entity (the one making them) or one
    theme with each status moves in one week, from its Monday, as the record stands now;
    the dashboard's rate tables as of a past day sum them up to that day's week, and add
    the days since from the day tallies (DayTally). Counted as the tallies are (StatusTally):
    a pledge with several themes under each, one with none under theme 0. Each write adds
    what it changes (tracker.read_model)."""

    group = models.CharField(max_length=10, choices=[(group, group) for group in WEEK_TALLY_GROUPS])
    key = models.PositiveBigIntegerField(help_text="The entity's or theme's id; 0: no theme.")
    week = models.DateField(help_text="The Monday the week begins.")

    not_dumped = NotDumpedManager()
    objects = WeekTallyQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "key", "week"], name="week_tally_unique")]

    def __str__(self) -> str:
        return f"{self.group} {self.key}, week of {self.week:%Y-%m-%d}"


class DayTally(StatusColumns):
    """WeekTally, day by day: the rate tables as of a past day add the days of its week up
    to it from these (a week of rows at most are read for each group)."""

    group = models.CharField(max_length=10, choices=[(group, group) for group in WEEK_TALLY_GROUPS])
    key = models.PositiveBigIntegerField(help_text="The entity's or theme's id; 0: no theme.")
    day = models.DateField()

    not_dumped = NotDumpedManager()
    objects = models.Manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "key", "day"], name="day_tally_unique")]

    def __str__(self) -> str:
        return f"{self.group} {self.key} on {self.day:%Y-%m-%d}"


# --- proposed pledges -------------------------------------------------------------------


class ProposedPledgeQuerySet(models.QuerySet):
    def awaiting_review(self) -> ProposedPledgeQuerySet:
        return self.filter(state=ProposalState.PROPOSED)


class ProposedPledge(models.Model):
    """A sentence of an imported statement that the extractor thinks commits the speaker's
    side, with its reason and what was read from it, until an analyst accepts, merges or
    rejects it. A rejected one is kept, so that importing the text again does not bring
    it back."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="proposals")
    quote = models.TextField()
    quote_start = models.PositiveIntegerField()
    quote_end = models.PositiveIntegerField()
    reason = models.TextField(help_text="Why it was proposed: its cue words and what was read from it.")
    # [{"start", "end", "kind", "words"}]: the cue words, by their offsets in the statement text.
    cues = models.JSONField(default=list, blank=True)
    extractor = models.CharField(max_length=100)
    summary = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    kind = models.CharField(max_length=30, choices=PledgeKind.choices)
    themes = models.ManyToManyField(Theme, related_name="+", blank=True)
    deadline_text = models.CharField(max_length=200, blank=True)
    deadline_on = models.DateField(null=True, blank=True)
    deadline_precision = models.CharField(
        max_length=10, choices=DeadlinePrecision.choices, default=DeadlinePrecision.NONE
    )
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount_stage = models.CharField(max_length=10, choices=AmountStage.choices, blank=True)
    amount_approximate = models.BooleanField(default=False)
    condition = models.CharField(max_length=500, blank=True)

    state = models.CharField(max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="Why it was rejected, if the analyst said.")
    # A pledge deleted (only one without history can be) leaves its proposal on record.
    pledge = models.ForeignKey(
        Pledge, on_delete=models.SET_NULL, related_name="proposals", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProposedPledgeQuerySet.as_manager()

    class Meta:
        ordering = ["statement", "quote_start", "quote_end"]
        permissions = [("review_proposals", "Can accept, merge and reject proposed pledges")]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "quote_start", "quote_end"], name="proposal_once_per_passage"
            ),
            models.CheckConstraint(condition=Q(state__in=ProposalState.values), name="proposal_state_known"),
            models.CheckConstraint(
                condition=Q(quote_end=F("quote_start") + Length("quote")),
                name="proposal_offsets_span_quote",
            ),
            models.CheckConstraint(
                condition=Q(state=ProposalState.PROPOSED) | Q(decided_at__isnull=False),
                name="proposal_decision_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Proposed pledge at {self.quote_start}–{self.quote_end} of {self.statement.slug}"

    @property
    def is_open(self) -> bool:
        return self.state == ProposalState.PROPOSED

    def quote_pieces(self) -> list[tuple[str, str]]:
        """The quote cut at its cue words: (words, cue kind or "")."""
        return cut_at_cues(
            self.quote, self.quote_start, [(c["start"], c["end"], c["kind"]) for c in self.cues]
        )
