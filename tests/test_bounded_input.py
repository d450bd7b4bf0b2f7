"""No input reaches a 500, and none is stored beyond reason: dates, searches, text
lengths, bytes that are not UTF-8, and text that runs right to left."""

import pytest
from django.urls import reverse

from tests.helpers import HTMX
from tracker.models import Evidence, StatusUpdate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("page", "params", "field", "message"),
    [
        ("dashboard", {"as_of": "0001-01-01"}, "as_of", "Give a date from 1 January 1945"),
        ("pledge_list", {"as_of": "0005-01-01", "changed_within": "3650"}, "as_of", "Give a date from"),
        ("pledge_list", {"as_of": "0005-01-01", "not_checked": "no"}, "as_of", "Give a date from"),
        ("pledge_list", {"deadline_after": "0001-01-01"}, "deadline_after", "Give a date from"),
        ("pledge_list", {"deadline_before": "9999-12-31"}, "deadline_before", "Give a date up to"),
        ("pledge_list", {"q": " ".join(["word"] * 1000)}, "q", "at most 20 words and 200 characters"),
        ("pledge_list", {"q": "x" * 201}, "q", "at most 20 words"),
    ],
)
def test_a_bad_date_or_search_is_named_beside_its_field_never_a_500(
    manager_client, seed, page, params, field, message
):
    response = manager_client.get(reverse(page), params)

    assert response.status_code == 200
    form = response.context["form"] if page == "dashboard" else response.context["filter"].form
    assert message in " ".join(form.errors[field])


@pytest.mark.parametrize(
    "params", [{"as_of": "0001-01-01"}, {"q": "w " * 1000}, {"as_of": "0005-01-01", "not_checked": "no"}]
)
def test_the_exports_refuse_a_bad_filter_naming_it_rather_than_leave_it_out(manager_client, seed, params):
    response = manager_client.get(reverse("export_pledges", args=["csv"]), params)

    assert response.status_code == 400
    said = response.content.decode()
    assert said.startswith("Nothing was exported: these filters could not be read.")
    assert ("As of:" in said) or ("Search:" in said)


def follow_up(pledge, **fields) -> dict:
    return {
        "based_on_version": pledge.version,
        "status": "in_progress",
        "effective_on": "2024-02-29",
        "rationale": "Seen.",
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rationale": "x" * 10_001}, "rationale", "at most 10000 characters"),
        ({"rationale": "Bad bytes \ufffd here"}, "rationale", "could not be read (not UTF-8)"),
        (
            {
                "new_url": "https://example.org/r",
                "new_title": "t" * 501,
                "new_source_type": "official",
                "new_stance": "supports",
            },
            "new_title",
            "at most 500 characters",
        ),
        (
            {
                "new_url": "https://example.org/r",
                "new_title": "Report",
                "new_source_type": "official",
                "new_stance": "supports",
                "new_excerpt": "e" * 5_001,
            },
            "new_excerpt",
            "at most 5000 characters",
        ),
        (
            {
                "new_url": "https://example.org/r",
                "new_title": "Report",
                "new_source_type": "official",
                "new_stance": "supports",
                "new_published_on": "0001-01-01",
            },
            "new_published_on",
            "Give the date it was published",
        ),
        (
            {
                "new_url": "https://example.org/r",
                "new_title": "Report",
                "new_source_type": "official",
                "new_stance": "supports",
                "new_published_on": "2999-12-31",
            },
            "new_published_on",
            "Give the date it was published",
        ),
    ],
)
def test_follow_up_text_beyond_reason_is_refused_naming_the_field(
    client_for, analyst, judges_pledge, fields, field, message
):
    response = client_for(analyst).post(
        reverse("log_follow_up", args=[judges_pledge.pk]), follow_up(judges_pledge, **fields), headers=HTMX
    )

    assert response.status_code == 422
    assert message in " ".join(response.context["follow_up_form"].errors[field])
    assert not StatusUpdate.objects.exists() and not Evidence.objects.exists()


def test_a_title_that_runs_right_to_left_cannot_turn_the_others_around(client_for, analyst, judges_pledge):
    from tests.factories import evidence_on, update_on
    from tracker.vocabulary import Status

    flipped = evidence_on(judges_pledge, analyst, url="https://example.org/a", title="\u202eReport A")
    plain = evidence_on(judges_pledge, analyst, url="https://example.org/b", title="Report B")
    update_on(judges_pledge, analyst, Status.IN_PROGRESS, rationale="Seen.", evidence=[flipped, plain])

    page = client_for(analyst).get(judges_pledge.get_absolute_url()).content.decode()

    assert "<bdi>\u202eReport A</bdi>" in page
    assert "<bdi>Report B</bdi>" in page
