"""The read model (tracker.read_model) says what the history says, after any mix of
writes: a seeded random run of follow-ups (back-dated too), retractions, reviews,
evidence added and withdrawn, pledges made and deleted, a statement's date moved, and
pledges given to another entity or taking and losing themes (themes deleted too),
checked after each step against the history read directly and by `check_read_model`;
and the dashboard's figures read from the tallies against those counted pledge by pledge."""

import datetime
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tests.factories import (
    evidence_on,
    make_pledge,
    make_statement,
    recorded_days_ago,
    retract,
    review_of,
    update_on,
    withdraw,
)
from tracker import history, read_model, services
from tracker.figures import RATE_GROUPS, monthly_status_counts, monthly_status_counts_from_history
from tracker.management.commands.check_read_model import find_differences
from tracker.models import (
    HEADLINE_FLAGS,
    RATE_ORDERS,
    WEEK_TALLY_GROUPS,
    Entity,
    HeadlineDayCount,
    HeadlineMonthCount,
    HeadlinePeriod,
    Pledge,
    StatusMonthCount,
    StatusPeriod,
    StatusTally,
    StatusUpdate,
    Theme,
    WeekTally,
    week_of,
)
from tracker.vocabulary import EntityKind, Status

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2023, 1, 10)
NEEDS_EVIDENCE = {Status.FULFILLED, Status.PARTIALLY_FULFILLED, Status.NOT_FULFILLED}


def deciding_by_hand(pledge: Pledge, day: datetime.date) -> StatusUpdate | None:
    """The update in force that decides the pledge's status on `day`, read from the
    history without the read model."""
    updates = [
        update
        for update in pledge.status_updates.all()
        if not hasattr(update, "retraction") and update.effective_on <= day
    ]
    return max(updates, key=lambda u: (u.effective_on, u.recorded_at, u.pk), default=None)


def assert_agrees_with_history(today: datetime.date, days: list[datetime.date]) -> None:
    assert find_differences() == []
    for day in days:
        shown = {p.pk: p for p in Pledge.objects.as_of(day)}
        for pledge in Pledge.objects.filter(statement__delivered_on__lte=day).prefetch_related(
            "status_updates__retraction"
        ):
            deciding = deciding_by_hand(pledge, day)
            assert shown[pledge.pk].shown_status == (deciding.status if deciding else Status.NOT_ASSESSED)
            assert shown[pledge.pk].shown_last_change_on == (deciding.effective_on if deciding else None)
            # What a report reads as the deciding update: by the periods, in its own rows or
            # by the pledges' ids.
            by_ids = history.deciding_updates([pledge.pk], day, None).get(pledge.pk)
            row = history.with_deciding_update(Pledge.objects.filter(pk=pledge.pk), day).values(
                *history.deciding_fields()
            )[0]
            in_row = history.deciding_from(row, history.deciding_fields())
            for found in (by_ids, in_row):
                assert (found.pk if found else None) == (deciding.pk if deciding else None)
        assert monthly_status_counts(day) == monthly_status_counts_from_history(day), day
    assert_tallies_agree(today)
    assert_headlines_agree(today)


def assert_headlines_agree(today: datetime.date) -> None:
    """The dashboard's headline counts as of past days, read from the month and day counts, are
    those counted pledge by pledge by the rules (tracker.rules.headlines): on every 17th
    day from before the first statement to yesterday, and on the days around each
    boundary that the pledges' records set (and the Monday and Sunday around it)."""
    days = {FIRST - datetime.timedelta(days=200) + datetime.timedelta(days=17 * n) for n in range(120)}
    for standing in HeadlinePeriod.objects.all():
        for edge in (standing.valid_from, standing.valid_to):
            if edge:
                days |= {
                    edge - datetime.timedelta(days=1),
                    edge,
                    week_of(edge),
                    week_of(edge) - datetime.timedelta(days=1),
                }
    past = sorted(day for day in days if day < today)
    for day in past:
        assert HeadlineDayCount.objects.counts_as_of(day) == Pledge.objects.as_of(day).counts_as_of(day), day
    # The rate tables by entity and theme, from the week tallies, on some 25 of those days
    # (weeks' Mondays and Sundays among them).
    for day in past[:: max(1, len(past) // 25)]:
        pledges = Pledge.objects.as_of(day)
        for group in WEEK_TALLY_GROUPS:
            key, name = {"entity": ("actor_id", "actor__name"), "theme": ("themes", "themes__name")}[group]
            for order, limit in [*((order, None) for order in RATE_ORDERS), ("name", 2)]:
                assert WeekTally.objects.compliance_as_of(
                    group, day, order=order, limit=limit
                ) == pledges.compliance_by(key, name, order=order, limit=limit), (day, group, order, limit)


def assert_tallies_agree(today: datetime.date) -> None:
    """What the dashboard reads today from the tallies and the stored fields is what it
    counts pledge by pledge (statements dated later left out)."""
    pledges = Pledge.objects.as_of(today)
    counts, by_status, later = Pledge.objects.counts_today(today)
    assert (counts, by_status) == pledges.counts_as_of(today)
    assert by_status == pledges.count_by_status()
    assert later == Pledge.objects.filter(statement__delivered_on__gt=today).count()
    if later:
        return
    for group, _, key, name, _ in RATE_GROUPS:
        for order in RATE_ORDERS:
            assert StatusTally.objects.compliance_by(group, order=order) == pledges.compliance_by(
                key, name, order=order
            ), (group, order)


def random_step(rng: random.Random, statement, analyst, today: datetime.date) -> str:
    pledges = list(statement.pledges.order_by("number"))
    pledge = rng.choice(pledges)
    kind = rng.choice(
        [
            *["update", "update", "update", "back-dated", "retract", "review", "withdraw", "date", "regroup"],
            *["recorded long ago", "deadline", "deadline"],
        ]
    )
    if kind in ("update", "back-dated"):
        status = rng.choice(Status.judgements())
        latest = pledge.status_updates.in_force().newest_first().first()
        first = statement.delivered_on
        if kind == "update" and latest:
            first = latest.effective_on
        effective_on = first + datetime.timedelta(days=rng.randrange(0, max(1, (today - first).days + 1)))
        evidence = [evidence_on(pledge, analyst, url=f"https://example.org/{rng.random()}")]
        if status not in NEEDS_EVIDENCE and rng.random() < 0.5:
            evidence = []
        update_on(pledge, analyst, status, effective_on=min(effective_on, today), evidence=evidence)
    elif kind == "retract":
        standing = list(pledge.status_updates.in_force())
        if standing:
            retract(rng.choice(standing), analyst)
    elif kind == "review" and pledge.status != Status.NOT_ASSESSED and not pledge.status_evidence_withdrawn:
        review_of(pledge, analyst)
    elif kind == "withdraw":
        standing = list(pledge.evidence.standing())
        if standing:
            withdraw(rng.choice(standing), analyst)
    elif kind == "regroup":
        regroup(rng, pledge)
    elif kind == "recorded long ago":
        # As a fixture brings it: an update or a review recorded up to three years ago,
        # so that checks grow 180 days old on past days.
        ago = rng.randrange(0, (today - statement.delivered_on).days + 1)
        review = pledge.status != Status.NOT_ASSESSED and rng.random() < 0.4
        recorded_days_ago(pledge, analyst, rng.choice(Status.judgements()), days=ago, review=review)
    elif kind == "deadline":
        # An administrator sets, moves or clears the deadline.
        deadline = statement.delivered_on + datetime.timedelta(days=rng.randrange(0, 1500))
        deadline = rng.choice([deadline, deadline, None])
        services.edit_pledge(
            pledge=pledge,
            changed_by=administrator_of_the_test(),
            values={"deadline_on": deadline, "deadline_precision": "day" if deadline else "none"},
        )
    elif kind == "date":
        # An administrator moves the statement's date (earlier: no update may precede it).
        earliest = min(
            [
                statement.delivered_on,
                *StatusUpdate.objects.filter(pledge__statement=statement).values_list(
                    "effective_on", flat=True
                ),
            ]
        )
        statement.delivered_on = earliest - datetime.timedelta(days=rng.randrange(0, 90))
        services.save_statement(statement=statement, changed_by=None)
    return kind


def administrator_of_the_test():
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(username="test-administrator", defaults={"is_superuser": True})
    return user


REGROUPINGS = ["actor", "add", "remove", "add to theme", "clear theme", "set", "delete theme"]


def regroup(rng: random.Random, pledge: Pledge, way: str | None = None) -> None:
    """An administrator gives the pledge to another entity, or changes its themes from
    either side, or deletes a theme."""
    themes = [Theme.objects.get_or_create(name=name)[0] for name in ("Peace", "Trade", "Health")]
    way = way or rng.choice(REGROUPINGS)
    theme = rng.choice(themes)
    if way == "actor":
        other, _ = Entity.objects.get_or_create(
            name=rng.choice(["Sylvania", "Freedonia"]), kind=EntityKind.STATE
        )
        pledge.actor = other
        pledge.save()
    elif way == "add":
        pledge.themes.add(theme)
    elif way == "remove":
        pledge.themes.remove(theme)
    elif way == "add to theme":
        theme.pledges.add(pledge)
    elif way == "clear theme":
        theme.pledges.clear()
    elif way == "set":
        pledge.themes.set(rng.sample(themes, rng.randrange(0, 3)))
    else:
        theme.delete()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_read_model_agrees_with_the_history_after_random_writes(seed, today, analyst):
    rng = random.Random(seed)
    statement = make_statement(sentences=6)
    statement.delivered_on = FIRST
    statement.save()
    for number in range(1, 5):
        make_pledge(statement, number)
    days = [FIRST, datetime.date(2023, 6, 30), datetime.date(2024, 2, 15), today - datetime.timedelta(days=1)]
    for step in range(30):
        random_step(rng, statement, analyst, today)
        if step % 6 == 5:
            assert_agrees_with_history(today, days)
    # The run met each headline rule on some day (else the comparisons above show little).
    for flag in HEADLINE_FLAGS:
        assert HeadlinePeriod.objects.filter(**{flag: True}).exists(), flag
    # A pledge made, then deleted (it has no history): counted, then no longer.
    extra = make_pledge(statement, 5)
    assert_agrees_with_history(today, days)
    extra.delete()
    assert_agrees_with_history(today, days)


def test_the_tallies_follow_each_way_a_pledge_changes_group(today, analyst):
    rng = random.Random(4)
    statement = make_statement(sentences=4)
    pledges = [make_pledge(statement, number) for number in range(1, 5)]
    update_on(pledges[0], analyst, Status.IN_PROGRESS, effective_on=statement.delivered_on)
    for way in REGROUPINGS * 3:
        regroup(rng, rng.choice(pledges), way)
        assert find_differences() == [], way
        assert_tallies_agree(today)
    update_on(pledges[1], analyst, Status.STALLED, effective_on=statement.delivered_on)
    pledges[2].delete()
    assert find_differences() == []
    assert_tallies_agree(today)


def test_themes_deleted_together_leave_their_pledges_counted_once(today, analyst):
    """The admin's "delete selected" deletes themes in one query: a pledge holding two of
    them ends up under no theme, once."""
    statement = make_statement(sentences=3)
    pledges = [make_pledge(statement, number) for number in range(1, 4)]
    update_on(pledges[0], analyst, Status.IN_PROGRESS, effective_on=statement.delivered_on)
    peace, trade = (Theme.objects.create(name=name) for name in ("Peace", "Trade"))
    pledges[0].themes.set([peace, trade])
    pledges[1].themes.set([peace])
    Theme.objects.filter(pk__in=[peace.pk, trade.pk]).delete()
    assert find_differences() == []
    assert StatusTally.objects.get(group="theme", key=0).not_assessed == 2
    assert_tallies_agree(today)


def test_headline_periods_change_where_a_rule_changes_its_mind():
    """A pledge made on 1 March 2024 with a deadline of 30 June, judged in progress on
    10 March (recorded that day) and never checked again: due soon from 1 April (90 days
    before the deadline), changed recently until 9 April, overdue from 1 July, not checked
    from 6 September (180 days after the check)."""
    day = datetime.date
    checked = datetime.datetime(2024, 3, 10, 12, tzinfo=datetime.UTC)
    judged = read_model.Judged(day(2024, 3, 1), day(2024, 6, 30), [checked])
    periods = [read_model.Period("in_progress", day(2024, 3, 10), None, 1)]
    Standing = read_model.Standing
    assert read_model.standings_of(judged, periods) == [
        Standing(day(2024, 3, 1), day(2024, 3, 10), "not_assessed", False, False, False, False),
        Standing(day(2024, 3, 10), day(2024, 4, 1), "in_progress", False, False, True, False),
        Standing(day(2024, 4, 1), day(2024, 4, 9), "in_progress", False, True, True, False),
        Standing(day(2024, 4, 9), day(2024, 7, 1), "in_progress", False, True, False, False),
        Standing(day(2024, 7, 1), day(2024, 9, 6), "in_progress", True, False, False, False),
        Standing(day(2024, 9, 6), None, "in_progress", True, False, False, True),
    ]
    # What they add to the day counts: one where each begins, minus one where it ends.
    moves = read_model.day_moves_of(read_model.standings_of(judged, periods))
    assert sum(moves.values()) == 1
    assert moves[(day(2024, 9, 6), "in_progress", True, False, False, True)] == 1


def test_periods_leave_out_what_decides_nothing(today):
    updates = [
        read_model.Update(
            datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 6, tzinfo=datetime.UTC), 1, "in_progress"
        ),
        # The same day, recorded later: it decides, the first decides nothing.
        read_model.Update(
            datetime.date(2024, 1, 5), datetime.datetime(2024, 1, 7, tzinfo=datetime.UTC), 2, "stalled"
        ),
        read_model.Update(
            datetime.date(2024, 3, 1), datetime.datetime(2024, 3, 2, tzinfo=datetime.UTC), 3, "fulfilled"
        ),
    ]
    assert read_model.periods_of(updates) == [
        read_model.Period("stalled", datetime.date(2024, 1, 5), datetime.date(2024, 3, 1), 2),
        read_model.Period("fulfilled", datetime.date(2024, 3, 1), None, 3),
    ]


def test_the_check_names_what_differs_and_repair_restores_it(today, analyst):
    statement = make_statement(sentences=3)
    pledge = make_pledge(statement, 1)
    update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=statement.delivered_on)
    call_command("check_read_model", verbosity=0)  # agrees: no error

    # Something wrote past the services: the stored status, a period and a month count.
    Pledge.objects.filter(pk=pledge.pk).update(status=Status.STALLED)
    StatusPeriod.objects.filter(pledge=pledge).update(status=Status.WITHDRAWN)
    StatusMonthCount.objects.update(moves=7)
    HeadlinePeriod.objects.filter(pledge=pledge).update(not_checked=True)
    HeadlineDayCount.objects.update(moves=5)
    HeadlineMonthCount.objects.update(moves=4)
    differences = find_differences()
    assert any(line.startswith(f"pledge {pledge.pk}: status is 'stalled'") for line in differences)
    assert any("status periods" in line for line in differences)
    assert any(line.startswith("month count") for line in differences)
    assert any("headline periods" in line for line in differences)
    assert any(line.startswith("headline day count") for line in differences)
    assert any(line.startswith("headline month count") for line in differences)
    with pytest.raises(CommandError, match="differences from the history"):
        call_command("check_read_model", verbosity=0)

    version = Pledge.objects.get(pk=pledge.pk).version
    call_command("check_read_model", "--repair", verbosity=0)
    assert find_differences() == []
    # Repairing moves nothing that analysts judged: the version stays.
    assert Pledge.objects.get(pk=pledge.pk).version == version


def test_a_fixture_with_the_read_model_is_refused_and_a_dump_leaves_it_out(tmp_path, today, analyst):
    statement = make_statement(sentences=3)
    pledge = make_pledge(statement, 1)
    update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=statement.delivered_on)
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "tracker", output=str(dump), verbosity=0)
    assert (
        "tracker.statusperiod" not in dump.read_text() and "tracker.statusmonthcount" not in dump.read_text()
    )
    every = tmp_path / "every.json"
    call_command("dumpdata", "tracker.statusperiod", "--all", output=str(every), verbosity=0)
    with pytest.raises(Exception, match="is the read model"):
        call_command("loaddata", str(every), verbosity=0)


def test_a_back_dated_update_moves_only_the_months_it_touches(analyst):
    statement = make_statement(sentences=3)
    statement.delivered_on = datetime.date(2023, 1, 10)
    statement.save()
    pledge = make_pledge(statement, 1)
    others = make_pledge(statement, 2)
    update_on(others, analyst, Status.STALLED, effective_on=datetime.date(2023, 7, 1))
    update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=datetime.date(2024, 1, 15))
    before = read_model.stored_month_counts()
    update_on(pledge, analyst, Status.NOT_STARTED, effective_on=datetime.date(2023, 3, 2))
    after = read_model.stored_month_counts()
    changed = {key for key in before.keys() | after.keys() if before.get(key, 0) != after.get(key, 0)}
    assert {month for month, _ in changed} == {datetime.date(2023, 3, 1), datetime.date(2024, 1, 1)}
    assert find_differences() == []


def test_the_check_names_a_stale_search_text_and_repair_restores_it(analyst):
    statement = make_statement(sentences=3)
    pledge = make_pledge(statement, 1, summary="Plant trees")
    Pledge.objects.filter(pk=pledge.pk).update(search_text="old words")
    assert any("search text 'old words'" in line for line in find_differences())
    call_command("check_read_model", "--repair", verbosity=0)
    assert find_differences() == []
    assert Pledge.objects.matching(["trees"]).get() == pledge


def test_the_check_names_a_search_index_that_lost_a_pledge(analyst):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's index is its own; only SQLite's FTS5 table can be told apart")
    statement = make_statement(sentences=3)
    pledge = make_pledge(statement, 1, summary="Plant trees")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tracker_pledge_search(tracker_pledge_search, rowid, search_text) "
            "VALUES ('delete', %s, %s)",
            [pledge.pk, pledge.search_text],
        )
    assert "the search index does not hold the pledges' search text" in find_differences()
    call_command("check_read_model", "--repair", verbosity=0)
    assert find_differences() == []


def test_the_seed_loads_with_its_tallies(seed, today):
    assert StatusTally.objects.filter(group="theme").exclude(key=read_model.NO_THEME).exists()
    assert find_differences() == []
    assert_tallies_agree(today)


def test_a_statement_dated_later_is_left_out_of_the_figures_today(seed, today, analyst, client_for, manager):
    """The tallies count every pledge: on a day when a statement is dated later, the
    dashboard takes its pledges off the counts and counts the rates pledge by pledge."""
    later = make_statement(sentences=3, entity_name="Sylvania")
    later.delivered_on = today + datetime.timedelta(days=3)
    later.save()
    for number in (1, 2):
        make_pledge(later, number, deadline_on=today - datetime.timedelta(days=1), deadline_precision="day")
    *_, n_later = Pledge.objects.counts_today(today)
    assert n_later == 2
    assert_tallies_agree(today)
    page = client_for(manager).get("/dashboard/")
    entities = next(rows for group, _, rows, _ in page.context["compliance"] if group == "entity")
    assert "Sylvania" not in [row["name"] for row in entities]
    assert page.context["total"] == seed.pledges.count()


def test_the_tallies_have_a_column_for_each_status_of_the_vocabulary():
    columns = {field.name for field in StatusTally._meta.concrete_fields} - {"id", "group", "key"}
    assert columns == set(Status.values)


def test_the_last_check_as_of_a_past_day_is_the_latest_update_or_review_recorded_by_then(analyst):
    statement = make_statement(sentences=5)
    neither, update_only, review_latest, update_latest, reviewed_later = (
        make_pledge(statement, n) for n in range(1, 6)
    )
    # (days ago, a review?) for each, in the order recorded; the day asked for is 10 days
    # ago, so that what was recorded since is not yet a check on it.
    checks = {
        update_only: [(50, False), (5, False)],
        review_latest: [(60, False), (30, True)],
        update_latest: [(70, False), (45, True), (20, False)],
        reviewed_later: [(80, False), (3, True)],
    }
    for pledge, recorded in checks.items():
        for ago, review in recorded:
            recorded_days_ago(pledge, analyst, Status.IN_PROGRESS, days=ago, review=review)
    day = timezone.localdate() - datetime.timedelta(days=10)

    def last_check_by_hand(pledge):
        moments = [u.recorded_at for u in pledge.status_updates.all()]
        moments += [r.recorded_at for r in pledge.reviews.all()]
        return max((m for m in moments if timezone.localdate(m) <= day), default=None)

    shown = {p.pk: p.shown_last_checked_at for p in Pledge.objects.as_of(day)}
    expected = {p.pk: last_check_by_hand(p) for p in (neither, *checks)}
    assert shown == expected
    assert expected[neither.pk] is None
    assert [timezone.localdate() - timezone.localdate(expected[p.pk]) for p in checks] == [
        datetime.timedelta(days=n) for n in (50, 30, 20, 80)
    ]


@pytest.mark.parametrize("key, name", [("actor_id", "actor__name"), ("statement_id", "statement__title")])
def test_the_first_groups_by_name_are_those_of_the_whole_table(analyst, key, name):
    """By name with a limit, compliance_by() counts only the first groups' pledges (found
    by walking the groups): the rows are the first of the whole table, ties of name
    broken by the key, groups whose pledges are all of later statements left out."""
    entities = [Entity.objects.create(name=n, kind=EntityKind.STATE) for n in ("Bb", "Aa", "Cc", "Ab")]
    for i, entity in enumerate(entities * 2):
        statement = make_statement(sentences=2, entity_name=entity.name)
        statement.title = "Same title" if i % 3 else f"Title {7 - i}"
        statement.delivered_on = FIRST + datetime.timedelta(days=40 * (i % 3))
        statement.save()
        for number in (1, 2):
            pledge = make_pledge(statement, number)
            status = Status.NOT_FULFILLED if (number + i) % 3 else Status.FULFILLED
            evidence = [evidence_on(pledge, analyst)]
            update_on(pledge, analyst, status, statement.delivered_on, evidence=evidence)
    day = FIRST + datetime.timedelta(days=50)
    pledges = Pledge.objects.as_of(day)
    whole = pledges.compliance_by(key, name, order="name")
    assert len(whole) > 3
    for limit in range(1, len(whole) + 2):
        assert pledges.compliance_by(key, name, order="name", limit=limit) == whole[:limit], limit
