"""Compare what is stored for reading with what the history says:
`manage.py check_read_model [--repair]`.

For every pledge: the fields it stores of its history (services.STORED_FROM_HISTORY), its
statement's date (tracker.db_triggers), its status periods and headline periods
(tracker.read_model) and its search text (tracker.search); then the search index, and
the dashboard's month counts, day counts, week and day tallies and tallies against those
counted afresh. It prints what differs and fails; `--repair` writes what the history
gives (the history itself is never touched) and says what it repaired.
"""

from __future__ import annotations

import itertools
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tracker import read_model, search, services
from tracker.models import DayTally, HeadlineDayCount, HeadlineMonthCount, Pledge, WeekTally

CHUNK = 500
SHOWN = 20


class Command(BaseCommand):
    help = (
        "Compare the pledges' stored fields, status and headline periods, month and day counts "
        "and tallies with their history."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repair", action="store_true", help="Write what the history gives.")

    def handle(self, *args, repair: bool, **options) -> None:
        differences = find_differences(progress=options.get("verbosity", 1) > 0)
        for line in differences[:SHOWN]:
            self.stdout.write(f"  {line}")
        if len(differences) > SHOWN:
            self.stdout.write(f"  … and {len(differences) - SHOWN} more")
        if not differences:
            self.stdout.write("The read model agrees with the history.")
        elif repair:
            repaired = services.repair_read_model()
            self.stdout.write(
                f"Repaired {repaired} pledges, and made the headline periods, and counted the months, "
                "the days and the tallies, afresh."
            )
        else:
            raise CommandError(
                f"{len(differences)} differences from the history. Run again with --repair to write "
                "what the history gives."
            )


def find_differences(*, progress: bool = False) -> list[str]:
    """Each way the read model differs from the history, in words."""
    differences = []
    pledges = Pledge.objects.select_related("statement").order_by("pk")
    made_on = {}
    expected_periods = {}
    day_counts, dated_tallies = Counter(), Counter()
    ids = list(pledges.values_list("pk", flat=True))
    for chunk in tqdm(list(itertools.batched(ids, CHUNK)), unit=" chunks", disable=not progress):
        expected = read_model.expected_periods(list(chunk))
        stored = read_model.stored_periods(chunk)
        standings = read_model.expected_standings(list(chunk), expected)
        stored_standings = read_model.stored_standings(chunk)
        dated_tallies.update(read_model.dated_tallies_of(read_model.groups_of(list(chunk)), standings))
        for pledge in pledges.filter(pk__in=chunk):
            made_on[pledge.pk] = pledge.statement.delivered_on
            periods = expected.get(pledge.pk, [])
            expected_periods[pledge.pk] = periods
            if stored.get(pledge.pk, []) != periods:
                differences.append(
                    f"pledge {pledge.pk}: status periods {stored.get(pledge.pk, [])} != {periods}"
                )
            own = standings.get(pledge.pk, [])
            day_counts.update(read_model.day_moves_of(own))
            if stored_standings.get(pledge.pk, []) != own:
                differences.append(
                    f"pledge {pledge.pk}: headline periods {stored_standings.get(pledge.pk, [])} != {own}"
                )
            words = search.search_text_of(pledge.quote, pledge.summary, pledge.statement.title)
            if pledge.search_text != words:
                differences.append(
                    f"pledge {pledge.pk}: search text {pledge.search_text[:40]!r}… is not its words'"
                )
            if pledge.made_on != pledge.statement.delivered_on:
                differences.append(
                    f"pledge {pledge.pk}: made_on is {pledge.made_on}, not its statement's date "
                    f"{pledge.statement.delivered_on}"
                )
            history = services.stored_from_history(pledge)
            for name, value in history.items():
                if getattr(pledge, name) != value:
                    differences.append(
                        f"pledge {pledge.pk}: {name} is {getattr(pledge, name)!r}, not {value!r}"
                    )
    if not search.index_agrees():
        differences.append("the search index does not hold the pledges' search text")
    differences += _compared(
        "month count",
        read_model.month_counts_from(made_on, expected_periods),
        read_model.stored_month_counts(),
        lambda month, status: f"{month:%Y-%m} {status}",
    )
    for model, counted in (
        (HeadlineMonthCount, read_model.by_month(day_counts)),
        (HeadlineDayCount, read_model.nonzero(day_counts)),
    ):
        differences += _compared(
            model._meta.verbose_name,
            counted,
            read_model.stored_day_counts(model),
            lambda day, *counted_as: f"{day:%Y-%m-%d} {counted_as}",
        )
    for model, counted in (
        (WeekTally, read_model.by_week(dated_tallies)),
        (DayTally, read_model.nonzero(dated_tallies)),
    ):
        differences += _compared(
            model._meta.verbose_name,
            counted,
            read_model.stored_dated_tallies(model),
            lambda group, key, day, status: f"of {group} {key} {day:%Y-%m-%d} {status}",
        )
    differences += _compared(
        "tally",
        read_model.tallies_of(None),
        read_model.stored_tallies(),
        lambda group, key, status: f"of {group} {key} {status}",
    )
    return differences


def _compared(name: str, counted: Counter, stored: Counter, described) -> list[str]:
    """Each count (by key) whose stored value is not the one counted afresh, in words:
    "<name> <the key, described>: stored, not counted". (A key counted nowhere is 0.)"""
    return [
        f"{name} {described(*key)}: {stored[key]}, not {counted[key]}"
        for key in sorted(set(counted) | set(stored))
        if counted[key] != stored[key]
    ]
