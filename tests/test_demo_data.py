"""Synthetic data for measuring the app at scale: made apart from the real record, with
each pledge storing what its history gives, and removed whole with one command."""

import io

import pytest
from django.core.management import CommandError, call_command

from tracker import services
from tracker.models import Entity, Evidence, Pledge, Review, Statement, StatusUpdate
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db


def generate(pledges: int = 60) -> str:
    out = io.StringIO()
    call_command("generate_demo_data", pledges=pledges, verbosity=0, stdout=out)
    return out.getvalue()


def test_generated_pledges_store_what_their_history_gives(seed):
    said = generate(60)
    synthetic = Pledge.objects.filter(statement__slug__startswith="synthetic-")
    assert synthetic.count() == 60 and said.startswith("Made 60 synthetic pledges")
    assert StatusUpdate.objects.filter(pledge__in=synthetic).count() > 60
    assert Evidence.objects.filter(pledge__in=synthetic).exists()
    for pledge in synthetic:
        stored = {name: getattr(pledge, name) for name in services.STORED_FROM_HISTORY}
        assert stored == services.stored_from_history(pledge), pledge.pk
        # A judgement of delivery cites evidence, as the analysts' form asks.
        for update in pledge.status_updates.all():
            if update.status in (Status.FULFILLED, Status.PARTIALLY_FULFILLED, Status.NOT_FULFILLED):
                assert update.evidence.exists()
    # Versions are distinct and the pledge's is the last.
    for pledge in synthetic[:10]:
        versions = [
            *pledge.status_updates.values_list("version", flat=True),
            *pledge.evidence.values_list("version", flat=True),
            *Review.objects.filter(pledge=pledge).values_list("version", flat=True),
        ]
        assert len(versions) == len(set(versions)) and max(versions, default=1) <= pledge.version
    # The pages read it like any other data.
    assert {entity.name[:16] for entity in Entity.objects.exclude(name="Japan")} == {"Synthetic state "}


def test_synthetic_data_is_removed_whole_and_the_real_record_stays(seed, analyst):
    real = {"pledges": Pledge.objects.count(), "statements": Statement.objects.count()}
    generate(30)
    with pytest.raises(CommandError, match="already here"):
        generate(10)
    out = io.StringIO()
    call_command("generate_demo_data", remove=True, stdout=out)
    assert "Removed the synthetic data: 30 pledges" in out.getvalue()
    assert {"pledges": Pledge.objects.count(), "statements": Statement.objects.count()} == real
    assert not StatusUpdate.objects.filter(pledge__statement__slug__startswith="synthetic-").exists()
    assert not Entity.objects.filter(name__startswith="Synthetic").exists()
    # History outside the synthetic data is still refused deletion.
    from django.db import DatabaseError, connection, transaction

    from tests.factories import update_on

    update_on(seed.pledges.first(), analyst, Status.IN_PROGRESS, rationale="Seen.")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tracker_statusupdate")


def test_the_number_of_pledges_is_bounded():
    with pytest.raises(CommandError, match="--pledges"):
        generate(0)
