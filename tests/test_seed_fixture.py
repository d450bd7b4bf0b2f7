"""The seed statement ships as a fixture: exact, complete, and safe to load again."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import SEED
from tests.factories import evidence_on, update_on
from tracker.models import (
    Entity,
    Evidence,
    Pledge,
    Speaker,
    Statement,
    StatementRevision,
    StatusUpdate,
    Theme,
)
from tracker.signals import FixtureRowRefused
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SOURCE = (FIXTURES / "sources" / f"{SEED}.txt").read_text(encoding="utf-8")
HEADING, DATE_LINE = SOURCE.split("\n")[0], SOURCE.split("\n")[2]


def counts() -> dict[str, int]:
    models = [Entity, Speaker, Theme, Statement, Pledge, StatusUpdate, Evidence]
    return {model.__name__: model.objects.count() for model in models}


def test_the_statement_text_is_the_file_after_its_heading_and_date_lines(seed):
    assert f"{HEADING}\n\n{DATE_LINE}\n\n{seed.text}" == SOURCE


def test_the_heading_and_date_lines_become_the_statements_metadata(seed):
    assert seed.title == HEADING
    assert DATE_LINE == "2023/12/7"
    assert seed.delivered_on == datetime.date(2023, 12, 7)
    assert seed.organ == "Security Council"
    assert seed.meeting.startswith("Ministerial Open Debate on “Threats to international peace and security")
    assert seed.entity.name == "Japan" and seed.entity.code == "JPN"
    assert seed.speaker.name == "ISHIKANE Kimihiro"
    assert seed.speaker.honorific == "H.E. Ambassador"
    assert seed.speaker.role == "Permanent Representative of Japan to the United Nations"


def test_every_pledge_quote_is_verbatim_at_its_offsets(seed):
    pledges = list(seed.pledges.order_by("number"))
    assert len(pledges) == 8
    for pledge in pledges:
        assert seed.text[pledge.quote_start : pledge.quote_end] == pledge.quote
        assert pledge.quote in SOURCE
    starts = [pledge.quote_start for pledge in pledges]
    assert starts == sorted(starts), "pledges are numbered in the order the statement makes them"


def quoted(seed, words: str) -> Pledge:
    return seed.pledges.get(quote__contains=words)


def test_the_training_course_has_its_february_2024_deadline(seed):
    pledge = quoted(seed, "invite judges from Southeast Asian countries")
    assert (pledge.deadline_text, pledge.deadline_on, pledge.deadline_precision) == (
        "in February 2024",
        datetime.date(2024, 2, 29),
        "month",
    )
    assert pledge.kind == "event_or_activity"
    assert {"Counter-terrorism", "Criminal justice"} <= set(pledge.themes.values_list("name", flat=True))


def test_the_17_million_dollars_keep_their_amount_stage_and_hedge(seed):
    pledge = quoted(seed, "17 million US dollars")
    assert (pledge.amount, pledge.currency, pledge.amount_stage, pledge.amount_approximate) == (
        Decimal("17000000.00"),
        "USD",
        "allocated",
        True,
    )
    assert pledge.kind == "financial"


def test_pledges_without_words_for_a_deadline_or_amount_have_none(seed):
    for pledge in seed.pledges.exclude(quote__contains="February 2024"):
        assert pledge.deadline_on is None and pledge.deadline_precision == "none"
    for pledge in seed.pledges.exclude(quote__contains="million"):
        assert pledge.amount is None and pledge.currency == ""


def test_every_pledge_has_a_kind_and_a_theme(seed):
    for pledge in seed.pledges.prefetch_related("themes"):
        assert pledge.kind
        assert pledge.themes.all(), pledge


def test_loading_it_again_creates_no_duplicate(seed):
    before = counts()
    call_command("loaddata", SEED, verbosity=0)
    assert counts() == before
    assert before["Pledge"] == 8


def test_loading_it_after_analysts_worked_keeps_their_work(seed, analyst):
    pledge = quoted(seed, "invite judges")
    evidence = evidence_on(pledge, analyst, title="IIJ course report")
    update_on(pledge, analyst, Status.FULFILLED, rationale="The course took place.", evidence=[evidence])
    pledge.refresh_from_db()
    history_before = list(StatusUpdate.objects.values()), list(Evidence.objects.values())

    call_command("loaddata", SEED, verbosity=0)

    after = Pledge.objects.get(pk=pledge.pk)
    assert (after.status, after.version) == (Status.FULFILLED, pledge.version)
    assert (list(StatusUpdate.objects.values()), list(Evidence.objects.values())) == history_before


def test_loading_it_after_the_text_was_edited_keeps_the_edited_text_as_a_revision(seed):
    Statement.objects.filter(pk=seed.pk).update(text=seed.text + "\nAn added line.")
    call_command("loaddata", SEED, verbosity=0)
    seed.refresh_from_db()
    assert SOURCE.endswith(seed.text)
    revision = StatementRevision.objects.get(statement=seed)
    assert revision.text_before.endswith("An added line.") and revision.changed_by is None


def broken_fixture(tmp_path, change) -> Path:
    rows = json.loads((FIXTURES / f"{SEED}.json").read_text(encoding="utf-8"))
    change(rows)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def first_pledge(rows) -> dict:
    return next(row["fields"] for row in rows if row["model"] == "tracker.pledge")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda rows: first_pledge(rows).update(
                quote_start=first_pledge(rows)["quote_start"] + 1,
                quote_end=first_pledge(rows)["quote_end"] + 1,
            ),
            "quote",
        ),
        (
            lambda rows: first_pledge(rows).update(amount="-5", currency="USD", amount_stage="allocated"),
            "amount",
        ),
        (lambda rows: first_pledge(rows).update(kind="promise"), "kind"),
        (lambda rows: first_pledge(rows).update(deadline_precision="month"), "deadline_on"),
    ],
)
def test_a_fixture_that_breaks_a_rule_names_the_field_and_writes_nothing(db, tmp_path, change, field):
    path = broken_fixture(tmp_path, change)
    with pytest.raises(FixtureRowRefused, match=f"{field}:"):
        call_command("loaddata", str(path), verbosity=0)
    assert counts() == {name: 0 for name in counts()}
