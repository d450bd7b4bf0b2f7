"""Synthetic data, to measure the app at scale: `manage.py generate_demo_data --pledges N`.

Everything it makes is marked synthetic and kept apart from the real record: entities
named "Synthetic state 001" …, statements whose slug starts "synthetic-", and analysts
"synthetic-analyst-1" … that cannot log in. `--remove` deletes all of it, history
included (as database maintenance, like `flush`), and nothing else.

Each pledge gets a history as analysts would leave it, spread over the years since its
statement: about 10 status updates (a few of them retracted), 3 pieces of evidence, a
review now and then. The rows are written in bulk, and each pledge is given the status,
last check and version that its history gives it (services.stored_from_history is the
definition; a test compares the two), with its status periods and its share of the
month counts (tracker.read_model).
"""

from __future__ import annotations

import datetime
import enum
import random
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from tracker import read_model, search
from tracker.db_triggers import history_maintenance
from tracker.models import (
    NO_THEME,
    Entity,
    Evidence,
    EvidenceWithdrawal,
    HeadlinePeriod,
    Pledge,
    PledgeRevision,
    ProposedPledge,
    Retraction,
    Review,
    ReviewRetraction,
    Speaker,
    Statement,
    StatementRevision,
    StatusPeriod,
    StatusUpdate,
)
from tracker.roles import ANALYSTS
from tracker.vocabulary import EntityKind, PledgeKind, SourceType, Stance, Status

ENTITY_PREFIX = "Synthetic state "
SLUG_PREFIX = "synthetic-"
ANALYST_PREFIX = "synthetic-analyst-"
PLEDGES_PER_STATEMENT = 10
ENTITIES = 50
ANALYSTS_MADE = 5
BATCH = 5_000
FIRST_DAY = datetime.date(2019, 1, 1)

# The way a pledge's status usually goes: the next statuses an update may give.
NEXT = {
    Status.NOT_ASSESSED: [Status.NOT_STARTED, Status.IN_PROGRESS],
    Status.NOT_STARTED: [Status.IN_PROGRESS, Status.STALLED, Status.NOT_STARTED],
    Status.IN_PROGRESS: [Status.IN_PROGRESS, Status.STALLED, Status.PARTIALLY_FULFILLED, Status.FULFILLED],
    Status.STALLED: [Status.IN_PROGRESS, Status.NOT_FULFILLED, Status.STALLED, Status.WITHDRAWN],
    Status.PARTIALLY_FULFILLED: [Status.FULFILLED, Status.PARTIALLY_FULFILLED, Status.CANNOT_BE_VERIFIED],
    Status.FULFILLED: [Status.FULFILLED],
    Status.NOT_FULFILLED: [Status.NOT_FULFILLED],
    Status.WITHDRAWN: [Status.WITHDRAWN],
    Status.CANNOT_BE_VERIFIED: [Status.CANNOT_BE_VERIFIED, Status.FULFILLED],
}
NEEDS_EVIDENCE = {Status.FULFILLED, Status.PARTIALLY_FULFILLED, Status.NOT_FULFILLED}


class Row(SimpleNamespace):
    """One row to write (`_insert`): its fields by attribute name (`pledge_id`, not
    `pledge`); those left out take the model's defaults. Lighter than a model instance,
    of which a million took a third of the generator's time."""


@dataclass
class PledgeHistory:
    """One pledge's generated history, before it is written."""

    evidence: list[Row] = field(default_factory=list)
    updates: list[Row] = field(default_factory=list)
    cites: list[tuple[int, int]] = field(default_factory=list)  # (update index, evidence index)
    retracted: set[int] = field(default_factory=set)
    reviews: list[Row] = field(default_factory=list)


class Command(BaseCommand):
    help = "Make (or, with --remove, delete) synthetic entities, statements, pledges and their history."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--pledges", type=int, default=1_000, help="How many pledges to make.")
        parser.add_argument("--seed", type=int, default=1, help="The random seed: the same data each time.")
        parser.add_argument("--remove", action="store_true", help="Delete every synthetic row, and stop.")

    def handle(self, *args, pledges: int, seed: int, remove: bool, **options) -> None:
        if remove:
            removed = remove_synthetic()
            self.stdout.write(f"Removed the synthetic data: {removed} pledges and their history.")
            return
        if not 1 <= pledges <= 2_000_000:
            raise CommandError("--pledges: give a number from 1 to 2,000,000.")
        if Statement.objects.filter(slug__startswith=SLUG_PREFIX).exists():
            raise CommandError("Synthetic data is already here: run with --remove first.")
        # Synthetic data, not secrets: a seeded generator makes the same data each time.
        made = generate(pledges, random.Random(seed), progress=options.get("verbosity", 1) > 0)  # noqa: S311
        self.stdout.write(
            f"Made {made['pledges']:,} synthetic pledges with {made['updates']:,} status updates, "
            f"{made['evidence']:,} pieces of evidence and {made['reviews']:,} reviews."
        )


def remove_synthetic() -> int:
    """Delete the synthetic rows, history included; the real record is not touched. Each
    history model's own delete() refuses (tracker.models.AppendOnlyQuerySet): Django's is
    called past it, in the order the PROTECTed keys allow, under database maintenance."""
    synthetic = Q(pledge__statement__slug__startswith=SLUG_PREFIX)
    count = Pledge.objects.filter(statement__slug__startswith=SLUG_PREFIX).count()
    with transaction.atomic(), history_maintenance(connection), read_model.recounted_after():
        for rows in (
            StatusPeriod.objects.filter(synthetic),
            HeadlinePeriod.objects.filter(synthetic),
            ReviewRetraction.objects.filter(review__pledge__statement__slug__startswith=SLUG_PREFIX),
            Review.objects.filter(synthetic),
            Retraction.objects.filter(status_update__pledge__statement__slug__startswith=SLUG_PREFIX),
            StatusUpdate.objects.filter(synthetic),
            EvidenceWithdrawal.objects.filter(evidence__pledge__statement__slug__startswith=SLUG_PREFIX),
            Evidence.objects.filter(synthetic),
            PledgeRevision.objects.filter(synthetic),
            ProposedPledge.objects.filter(statement__slug__startswith=SLUG_PREFIX),
            Pledge.objects.filter(statement__slug__startswith=SLUG_PREFIX),
            StatementRevision.objects.filter(statement__slug__startswith=SLUG_PREFIX),
            Statement.objects.filter(slug__startswith=SLUG_PREFIX),
            Speaker.objects.filter(entity__name__startswith=ENTITY_PREFIX),
            Entity.objects.filter(name__startswith=ENTITY_PREFIX),
            get_user_model().objects.filter(username__startswith=ANALYST_PREFIX),
        ):
            models.QuerySet.delete(rows)
    return count


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9))
        + datetime.timedelta(seconds=rng.randrange(8 * 3600), microseconds=rng.randrange(1_000_000))
    )


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange(max((last - first).days, 0) + 1))


def _insert(model: type[models.Model], rows: list[Row]) -> None:
    """Write `rows` of a history or read-model table, each given its id here (`pk`): a
    plain INSERT of the values per row (on PostgreSQL, a COPY), for a million rows.
    (bulk_create() works out the SQL for every value of every row: most of the
    generator's time.) The ids are taken from the table's sequence on PostgreSQL; on
    SQLite, after the highest it ever gave, which no one else can take meanwhile (the
    transaction holds the write lock)."""
    if not rows:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    for row, pk in zip(rows, _new_ids(model, len(rows)), strict=True):
        row.pk = pk
    ops, quote = connection.ops, connection.ops.quote_name

    def prepare(f: models.Field):
        if isinstance(f, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(f, models.DateField):
            return ops.adapt_datefield_value
        if f.choices:  # (psycopg would write an enum's name)
            return lambda value: value.value if isinstance(value, enum.Enum) else value
        return None  # as it is: most values, so no call for each

    def values_of(row: Row) -> tuple:
        given = row.__dict__
        return (
            row.pk,
            *[
                (prep(given[name]) if prep else given[name]) if name in given else default()
                for name, prep, default in prepared
            ],
        )

    prepared = [(f.attname, prepare(f), f.get_default) for f in fields]
    columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
    marks = ", ".join(["%s"] * (len(fields) + 1))
    values = [values_of(row) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: PostgreSQL's own bulk load, several times quicker than INSERTs.
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})", values)  # noqa: S608


def _new_ids(model: type[models.Model], count: int) -> list[int]:
    # (Names of the app's own tables and columns, quoted: no input reaches the SQL.)
    table, pk = (connection.ops.quote_name(name) for name in (model._meta.db_table, model._meta.pk.column))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, count],
            )
            return [new for (new,) in cursor.fetchall()]
        # Above any id the table ever gave (sqlite_sequence keeps those of rows deleted).
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX({pk}) FROM {table}), 0), "  # noqa: S608
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [model._meta.db_table],
        )
        (highest,) = cursor.fetchone()
    return list(range(highest + 1, highest + 1 + count))


def generate(count: int, rng: random.Random, *, progress: bool = False) -> dict[str, int]:
    today = timezone.localdate()
    analysts = _analysts()
    entities = Entity.objects.bulk_create(
        Entity(name=f"{ENTITY_PREFIX}{n:03d}", kind=EntityKind.STATE) for n in range(1, ENTITIES + 1)
    )
    speakers = Speaker.objects.bulk_create(
        Speaker(name=f"Synthetic speaker {entity.name[-3:]}", entity=entity, role="Permanent Representative")
        for entity in entities
    )
    made = {"pledges": 0, "updates": 0, "evidence": 0, "reviews": 0}
    bar = tqdm(total=count, unit=" pledges", disable=not progress)
    number_of_statement = 0
    while made["pledges"] < count:
        with transaction.atomic():
            batch_pledges = min(BATCH, count - made["pledges"])
            statements, pledges = [], []
            for first in range(0, batch_pledges, PLEDGES_PER_STATEMENT):
                number_of_statement += 1
                size = min(PLEDGES_PER_STATEMENT, batch_pledges - first)
                speaker = speakers[number_of_statement % len(speakers)]
                sentences = [
                    f"{speaker.entity.name} will carry out programme {number_of_statement}-{n} by next year."
                    for n in range(1, size + 1)
                ]
                statements.append(
                    (
                        Statement(
                            slug=f"{SLUG_PREFIX}{number_of_statement:07d}",
                            title=f"Synthetic statement {number_of_statement}",
                            speaker=speaker,
                            entity=speaker.entity,
                            delivered_on=_day_between(rng, FIRST_DAY, today),
                            organ="General Assembly",
                            text="Mr. President,\n\n" + " ".join(sentences),
                        ),
                        sentences,
                    )
                )
            saved = Statement.objects.bulk_create(statement for statement, _ in statements)
            histories = []
            for statement, (_, sentences) in zip(saved, statements, strict=True):
                for number, sentence in enumerate(sentences, start=1):
                    start = statement.text.index(sentence)
                    pledges.append(
                        Pledge(
                            statement=statement,
                            number=number,
                            quote=sentence,
                            quote_start=start,
                            quote_end=start + len(sentence),
                            summary=f"Carry out programme {statement.slug[-7:]}-{number}",
                            actor=statement.entity,
                            kind=rng.choice(PledgeKind.values),
                            created_at=_moment(rng, statement.delivered_on),
                            # (What the database would copy itself: db_triggers.)
                            made_on=statement.delivered_on,
                        )
                    )
                    histories.append(_history(rng, statement.delivered_on, today, analysts))
            for pledge, history in zip(pledges, histories, strict=True):
                _store(pledge, history)
                # bulk_create() passes Pledge.save() by.
                pledge.search_text = search.search_text_of(
                    pledge.quote, pledge.summary, pledge.statement.title
                )
            Pledge.objects.bulk_create(pledges)
            _write(pledges, histories, made)
            # Within the batch's transaction: a run cut short leaves counts that agree.
            read_model.add_moves(_read_model(pledges, histories))
            read_model.add_tallies(read_model.tallies_of(pledge.pk for pledge in pledges))
        made["pledges"] += batch_pledges
        bar.update(batch_pledges)
    bar.close()
    if connection.vendor == "postgresql":
        # What autovacuum would do only a while later for a million new rows: the
        # planner's statistics (until then it plans as if the tables were nearly empty),
        # and the map of pages all visible, by which a count reads an index alone.
        # (VACUUM cannot run inside a transaction, as in the tests.) SQLite gathers no
        # statistics unless asked, as on a database the app has filled itself; with them,
        # its planner reads the queue from the statements and sorts it, 5× slower here
        # than by the index of last checks.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return made


def _read_model(pledges: list[Pledge], histories: list[PledgeHistory]) -> Counter:
    """The pledges' status and headline periods, the day counts and the week and
    day tallies (written here), and what they add to the month counts."""
    periods, headlines, moves, day_moves, dated_tallies = [], [], Counter(), Counter(), Counter()
    for pledge, history in zip(pledges, histories, strict=True):
        in_force = [
            read_model.Update(update.effective_on, update.recorded_at, update.pk, update.status)
            for i, update in enumerate(history.updates)
            if i not in history.retracted
        ]
        own = read_model.periods_of(in_force)
        periods += [Row(pledge_id=pledge.pk, **period._asdict()) for period in own]
        moves.update(read_model.moves_of(pledge.statement.delivered_on, own))
        checks = [update.recorded_at for update in in_force] + [
            review.recorded_at for review in history.reviews
        ]
        judged = read_model.Judged(pledge.statement.delivered_on, pledge.deadline_on, checks)
        standings = read_model.standings_of(judged, own)
        headlines += [Row(pledge_id=pledge.pk, **standing._asdict()) for standing in standings]
        day_moves.update(read_model.day_moves_of(standings))
        # (Synthetic pledges have no theme.)
        groups = {pledge.pk: [("entity", pledge.actor_id), ("theme", NO_THEME)]}
        dated_tallies.update(read_model.dated_tallies_of(groups, {pledge.pk: standings}))
    _insert(StatusPeriod, periods)
    _insert(HeadlinePeriod, headlines)
    read_model.add_day_moves(day_moves)
    read_model.add_dated_tallies(dated_tallies)
    return moves


def _analysts() -> list:
    User = get_user_model()
    group = Group.objects.get(name=ANALYSTS)
    users = []
    for n in range(1, ANALYSTS_MADE + 1):
        user, created = User.objects.get_or_create(username=f"{ANALYST_PREFIX}{n}")
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(group)
        users.append(user)
    return users


def _history(
    rng: random.Random, delivered: datetime.date, today: datetime.date, analysts: list
) -> PledgeHistory:
    history = PledgeHistory()
    for n in range(rng.randrange(7)):  # about 3
        added = _day_between(rng, delivered, today)
        history.evidence.append(
            Row(
                url=f"https://example.org/synthetic/{rng.getrandbits(48):x}",
                title=f"Synthetic source {n + 1}",
                publisher="Synthetic publisher",
                source_type=rng.choice(SourceType.values),
                stance=Stance.SUPPORTS if rng.random() < 0.8 else Stance.CONTRADICTS,
                added_by_id=rng.choice(analysts).pk,
                added_at=_moment(rng, added),
            )
        )
    status = Status.NOT_ASSESSED
    days = sorted(_day_between(rng, delivered, today) for _ in range(rng.randrange(21)))  # about 10
    for index, day in enumerate(days):
        status = rng.choice(NEXT[status])
        if status in NEEDS_EVIDENCE and not history.evidence:
            status = Status.IN_PROGRESS
        recorded = min(_moment(rng, day + datetime.timedelta(days=rng.randrange(30))), timezone.now())
        history.updates.append(
            Row(
                status=status,
                effective_on=day,
                recorded_at=recorded,
                author_id=rng.choice(analysts).pk,
                rationale=f"Synthetic judgement: {status.label.lower()}.",
            )
        )
        if status in NEEDS_EVIDENCE:
            history.cites.append((index, rng.randrange(len(history.evidence))))
        if rng.random() < 0.05:
            history.retracted.add(index)
    if history.updates and rng.random() < 0.3:
        last = history.updates[-1]
        checked = _day_between(rng, last.effective_on, today)
        history.reviews.append(
            Row(
                status=last.status,
                recorded_at=min(_moment(rng, checked), timezone.now()),
                author_id=rng.choice(analysts).pk,
            )
        )
    return history


def _store(pledge: Pledge, history: PledgeHistory) -> None:
    """What the pledge stores of its history (see services.stored_from_history)."""
    standing = [update for i, update in enumerate(history.updates) if i not in history.retracted]
    deciding = max(standing, key=lambda update: (update.effective_on, update.recorded_at), default=None)
    pledge.status = deciding.status if deciding else Status.NOT_ASSESSED
    pledge.last_change_on = deciding.effective_on if deciding else None
    checks = [update.recorded_at for update in standing] + [review.recorded_at for review in history.reviews]
    pledge.last_checked_at = max(checks, default=None)
    pledge.status_evidence_withdrawn = False  # none is withdrawn here
    pledge.standing_evidence_count = len(history.evidence)
    pledge.version = (
        1 + len(history.evidence) + len(history.updates) + len(history.retracted) + len(history.reviews)
    )


def _write(pledges: list[Pledge], histories: list[PledgeHistory], made: dict[str, int]) -> None:
    """The history rows of these pledges, in bulk, each stamped with the pledge's version
    it made, in the order they were recorded."""
    evidence, updates, reviews = [], [], []
    for pledge, history in zip(pledges, histories, strict=True):
        rows = [*history.evidence, *history.updates, *history.reviews]
        rows.sort(key=lambda row: getattr(row, "recorded_at", None) or row.added_at)
        for version, row in enumerate(rows, start=2):
            row.pledge_id = pledge.pk
            row.version = version
        evidence += history.evidence
        updates += history.updates
        reviews += history.reviews
    _insert(Evidence, evidence)
    _insert(StatusUpdate, updates)
    _insert(Review, reviews)
    cites, retractions = [], []
    Cites = StatusUpdate.evidence.through
    for pledge, history in zip(pledges, histories, strict=True):
        for update_index, evidence_index in history.cites:
            cites.append(
                Row(
                    statusupdate_id=history.updates[update_index].pk,
                    evidence_id=history.evidence[evidence_index].pk,
                )
            )
        for offset, index in enumerate(sorted(history.retracted)):
            update = history.updates[index]
            retractions.append(
                Row(
                    status_update_id=update.pk,
                    retracted_by_id=update.author_id,
                    retracted_at=min(update.recorded_at + datetime.timedelta(hours=1), timezone.now()),
                    reason="Synthetic: logged on the wrong pledge.",
                    version=pledge.version - len(history.retracted) + 1 + offset,
                )
            )
    _insert(Cites, cites)
    _insert(Retraction, retractions)
    made["updates"] += len(updates)
    made["evidence"] += len(evidence)
    made["reviews"] += len(reviews)
