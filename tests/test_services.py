"""The writes that change a pledge's history keep its current status and version true."""

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from tests.factories import make_pledge, make_statement, update_on
from tracker import services
from tracker.models import Evidence, Pledge, Retraction, StatusUpdate
from tracker.services import VersionConflict
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

FEB = datetime.date(2024, 2, 1)
MAR = datetime.date(2024, 3, 1)


@pytest.fixture
def pledge() -> Pledge:
    return make_pledge(make_statement(), 1)


def record(pledge, author, status, effective_on=FEB, **kwargs) -> StatusUpdate:
    kwargs.setdefault("rationale", "Reported by the ministry.")
    return update_on(pledge, author, status, effective_on=effective_on, **kwargs)


def evidence_on(pledge, author, url="https://example.org/report") -> Evidence:
    return factories.evidence_on(pledge, author, url=url, title="Annual report")


def test_a_new_pledge_is_not_assessed(pledge):
    assert pledge.status == Status.NOT_ASSESSED
    assert services.current_status_from_history(pledge) == Status.NOT_ASSESSED


def test_recording_an_update_sets_the_current_status_and_moves_the_version_on(pledge, analyst):
    record(pledge, analyst, Status.IN_PROGRESS)
    pledge.refresh_from_db()
    assert pledge.status == Status.IN_PROGRESS
    assert pledge.version == 2


def test_the_current_status_is_the_latest_by_effective_date_not_by_recording(pledge, analyst):
    record(pledge, analyst, Status.STALLED, effective_on=MAR)
    record(pledge, analyst, Status.IN_PROGRESS, effective_on=FEB)  # recorded later, effective earlier
    pledge.refresh_from_db()
    assert pledge.status == Status.STALLED


def test_on_the_same_effective_date_the_later_recorded_update_wins(pledge, analyst):
    record(pledge, analyst, Status.IN_PROGRESS)
    record(pledge, analyst, Status.STALLED)
    pledge.refresh_from_db()
    assert pledge.status == Status.STALLED


def test_retracting_the_latest_update_brings_back_the_one_before(pledge, analyst):
    record(pledge, analyst, Status.IN_PROGRESS, effective_on=FEB)
    mistaken = record(pledge, analyst, Status.STALLED, effective_on=MAR)
    pledge.refresh_from_db()
    services.retract_status_update(
        status_update=mistaken, retracted_by=analyst, reason="Wrong pledge.", based_on_version=pledge.version
    )
    pledge.refresh_from_db()
    assert pledge.status == Status.IN_PROGRESS
    assert pledge.version == 4
    # The retracted update stays, marked as such.
    assert StatusUpdate.objects.get(pk=mistaken.pk).is_retracted


def test_retracting_the_only_update_makes_the_pledge_not_assessed_again(pledge, analyst):
    only = record(pledge, analyst, Status.IN_PROGRESS)
    pledge.refresh_from_db()
    services.retract_status_update(
        status_update=only, retracted_by=analyst, reason="Duplicate.", based_on_version=pledge.version
    )
    pledge.refresh_from_db()
    assert pledge.status == Status.NOT_ASSESSED


def test_an_update_cannot_be_retracted_twice(pledge, analyst):
    update = record(pledge, analyst, Status.IN_PROGRESS)
    services.retract_status_update(
        status_update=update, retracted_by=analyst, reason="x", based_on_version=None
    )
    with pytest.raises(ValidationError) as caught:
        services.retract_status_update(
            status_update=update, retracted_by=analyst, reason="again", based_on_version=None
        )
    assert "reason" in caught.value.message_dict
    assert Retraction.objects.filter(status_update=update).count() == 1


def test_a_submit_based_on_an_older_version_saves_nothing(pledge, analyst, other_analyst):
    version_seen = pledge.version
    record(pledge, other_analyst, Status.IN_PROGRESS)
    with pytest.raises(VersionConflict) as caught:
        services.record_status_update(
            pledge=pledge,
            author=analyst,
            status=Status.STALLED,
            effective_on=FEB,
            rationale="",
            based_on_version=version_seen,
        )
    assert caught.value.pledge.version == version_seen + 1
    assert StatusUpdate.objects.filter(pledge=pledge).count() == 1
    pledge.refresh_from_db()
    assert pledge.status == Status.IN_PROGRESS


def test_a_manager_cannot_record_a_status_update(pledge, manager):
    with pytest.raises(PermissionDenied):
        record(pledge, manager, Status.IN_PROGRESS)
    assert not StatusUpdate.objects.exists()


def test_a_manager_cannot_add_evidence(pledge, manager):
    with pytest.raises(PermissionDenied):
        evidence_on(pledge, manager)
    assert not Evidence.objects.exists()


def test_an_analyst_cannot_retract_another_analysts_update(pledge, analyst, other_analyst):
    update = record(pledge, other_analyst, Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.retract_status_update(
            status_update=update, retracted_by=analyst, reason="I disagree", based_on_version=None
        )
    assert not Retraction.objects.exists()


def test_an_administrator_can_retract_any_update(pledge, analyst, administrator):
    update = record(pledge, analyst, Status.IN_PROGRESS)
    services.retract_status_update(
        status_update=update, retracted_by=administrator, reason="Wrong pledge", based_on_version=None
    )
    assert Retraction.objects.get().retracted_by == administrator


@pytest.mark.parametrize(
    ("status", "effective_on", "rationale", "field"),
    [
        (Status.IN_PROGRESS, datetime.date.today() + datetime.timedelta(days=1), "", "effective_on"),
        (Status.IN_PROGRESS, datetime.date(2023, 12, 31), "", "effective_on"),  # before the statement
        (Status.WITHDRAWN, FEB, "  ", "rationale"),
        (Status.FULFILLED, FEB, "Delivered.", "evidence"),
    ],
)
def test_a_status_update_that_breaks_a_rule_names_the_field_and_writes_nothing(
    pledge, analyst, status, effective_on, rationale, field
):
    with pytest.raises(ValidationError) as caught:
        record(pledge, analyst, status, effective_on=effective_on, rationale=rationale)
    assert field in caught.value.message_dict
    pledge.refresh_from_db()
    assert (pledge.status, pledge.version) == (Status.NOT_ASSESSED, 1)
    assert not StatusUpdate.objects.exists()


def test_fulfilled_with_evidence_cited_is_recorded_with_its_evidence(pledge, analyst):
    evidence = evidence_on(pledge, analyst)
    update = record(pledge, analyst, Status.FULFILLED, evidence=[evidence])
    assert list(update.evidence.all()) == [evidence]
    pledge.refresh_from_db()
    assert pledge.status == Status.FULFILLED


def test_evidence_from_another_pledge_cannot_be_cited(pledge, analyst):
    other = make_pledge(pledge.statement, 2)
    foreign = evidence_on(other, analyst)
    with pytest.raises(ValidationError) as caught:
        record(pledge, analyst, Status.FULFILLED, evidence=[foreign])
    assert "evidence" in caught.value.message_dict


def test_the_same_link_twice_on_a_pledge_is_refused_pointing_at_the_first(pledge, analyst):
    evidence_on(pledge, analyst, url="https://example.org/report")
    with pytest.raises(ValidationError) as caught:
        evidence_on(pledge, analyst, url="  HTTPS://EXAMPLE.org/report")
    assert "Annual report" in caught.value.message_dict["url"][0]
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", " JavaScript:alert(1)", "ftp://example.org/x", "example"]
)
def test_evidence_links_must_be_http_or_https(pledge, analyst, url):
    with pytest.raises(ValidationError) as caught:
        evidence_on(pledge, analyst, url=url)
    assert "url" in caught.value.message_dict
    assert not Evidence.objects.exists()


def test_adding_evidence_moves_the_version_on(pledge, analyst):
    evidence_on(pledge, analyst)
    pledge.refresh_from_db()
    assert pledge.version == 2


def test_the_stored_status_always_equals_what_the_history_gives(pledge, analyst, administrator):
    """Random runs of updates and retractions never leave the stored status behind."""
    rng = random.Random(7)
    evidence = evidence_on(pledge, analyst)
    updates = []
    for _ in range(40):
        pledge.refresh_from_db()
        in_force = [u for u in updates if not StatusUpdate.objects.get(pk=u.pk).is_retracted]
        if in_force and rng.random() < 0.3:
            services.retract_status_update(
                status_update=rng.choice(in_force),
                retracted_by=administrator,
                reason="test",
                based_on_version=pledge.version,
            )
        else:
            status = rng.choice(Status.judgements())
            day = FEB + datetime.timedelta(days=rng.randrange(60))
            updates.append(record(pledge, analyst, status, effective_on=day, evidence=[evidence]))
        pledge.refresh_from_db()
        assert pledge.status == services.current_status_from_history(pledge)


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.unodc.org/course-report/",
        "https://UNODC.org/course-report",
        "http://unodc.org/course-report",
        "https://unodc.org/course-report?utm_source=newsletter&utm_medium=email",
        "https://unodc.org/course-report#section-2",
    ],
)
def test_a_link_to_the_same_page_spelt_another_way_is_a_duplicate(pledge, analyst, variant):
    from tests.factories import evidence_on

    evidence_on(pledge, analyst, url="https://unodc.org/course-report", title="Course report")

    with pytest.raises(ValidationError) as refused:
        evidence_on(pledge, analyst, url=variant, title="The same report")
    assert refused.value.error_dict["url"][0].code == "duplicate"


def test_links_to_other_pages_are_not_duplicates(pledge, analyst):
    from tests.factories import evidence_on

    evidence_on(pledge, analyst, url="https://unodc.org/course-report", title="Course report")
    evidence_on(pledge, analyst, url="https://unodc.org/course-report-2", title="Another")
    evidence_on(pledge, analyst, url="https://unodc.org/course-report?id=2", title="A third")

    assert pledge.evidence.count() == 3
