"""`make run` loads the seed statement only where it is missing: never over an edit."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import SEED
from tests.test_admin import JUDGES, form_values, post_statement_text
from tracker.models import Evidence, Pledge, Statement, StatementRevision, StatusUpdate
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

ALREADY_THERE = (
    f"The seed statement {SEED} is already in the database: not loaded again, nothing overwritten."
)


def load_seed() -> str:
    out = StringIO()
    call_command("load_seed", stdout=out)
    return out.getvalue()


def test_on_an_empty_database_it_loads_the_statement_and_its_8_pledges():
    output = load_seed()
    statement = Statement.objects.get(slug=SEED)
    assert statement.pledges.count() == 8
    assert output.startswith(f"Loaded the seed statement {SEED}")
    assert "with 8 pledges" in output


def test_loaded_again_it_says_so_in_one_line_and_loads_nothing():
    load_seed()
    output = load_seed()
    assert output == ALREADY_THERE + "\n"
    assert Statement.objects.count() == 1
    assert Pledge.objects.count() == 8


def test_an_administrators_edits_to_the_text_and_a_summary_survive_a_second_load(client_for, administrator):
    load_seed()
    client = client_for(administrator)
    statement = Statement.objects.get(slug=SEED)
    new_text = "Thank you, Mr. President.\n\n" + statement.text
    assert post_statement_text(client, statement, new_text).status_code == 302
    pledge = statement.pledges.get(quote__startswith=JUDGES)
    url = reverse("admin:tracker_pledge_change", args=[pledge.pk])
    data = form_values(client.get(url).context["adminform"].form)
    data["summary"] = "Train Southeast Asian judges in Malta (edited)"
    assert client.post(url, data).status_code == 302

    assert load_seed() == ALREADY_THERE + "\n"

    statement.refresh_from_db()
    pledge.refresh_from_db()
    assert statement.text == new_text
    assert pledge.summary == "Train Southeast Asian judges in Malta (edited)"
    assert statement.text[pledge.quote_start : pledge.quote_end] == pledge.quote
    assert StatementRevision.objects.count() == 1, "only the administrator's edit, none from loading"


def test_make_run_loads_the_seed_with_load_seed_not_loaddata():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text(encoding="utf-8")
    run = re.search(r"^run:.*?(?=^\S|\Z)", makefile, re.MULTILINE | re.DOTALL).group(0)
    assert "manage.py load_seed" in run
    assert "loaddata" not in run


def test_load_seed_records_the_sourced_follow_up_once(db):
    load_seed()
    load_seed()

    [update] = StatusUpdate.objects.all()
    pledge = Pledge.objects.get(statement__slug="japan-unsc-2023-12-07", number=3)
    assert update.pledge == pledge and pledge.current_status is Status.FULFILLED
    assert update.effective_on == datetime.date(2024, 12, 24) and "resolution 79/243" in update.rationale
    [evidence] = Evidence.objects.all()
    assert list(update.evidence.all()) == [evidence]
    assert evidence.url == "https://www.unodc.org/unodc/en/cybercrime/ad_hoc_committee/home"
    assert evidence.source_type == "intergovernmental"
    keeper = get_user_model().objects.get(username="seed-record")
    assert update.author == keeper and not keeper.has_usable_password()
