"""Analysts log follow-ups, add evidence and retract updates from the pledge page:
with htmx (parts of the page swapped) and without (a plain POST and a redirect)."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import evidence_on, make_pledge, make_statement, update_on
from tests.helpers import HTMX
from tracker.models import Evidence, Pledge, Retraction, StatusUpdate
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db

EFFECTIVE = "2024-02-29"


@pytest.fixture
def pledge(judges_pledge) -> Pledge:
    return judges_pledge


def follow_up_url(pledge) -> str:
    return reverse("log_follow_up", args=[pledge.pk])


def evidence_url(pledge) -> str:
    return reverse("add_evidence", args=[pledge.pk])


def retract_url(update) -> str:
    return reverse("retract_update", args=[update.pledge_id, update.pk])


def follow_up(pledge, **fields) -> dict:
    data = {
        "based_on_version": pledge.version,
        "status": "in_progress",
        "effective_on": EFFECTIVE,
        "rationale": "Invitations were sent.",
    }
    data.update(fields)
    return data


def new_evidence(**fields) -> dict:
    data = {
        "new_url": "https://www.unodc.org/course-report",
        "new_title": "Course report",
        "new_source_type": "partner",
        "new_stance": "supports",
    }
    data.update(fields)
    return data


def evidence(pledge, **fields) -> dict:
    data = {
        "based_on_version": pledge.version,
        "url": "https://www.mofa.go.jp/press",
        "title": "Press release",
        "source_type": "official",
        "stance": "supports",
    }
    data.update(fields)
    return data


# --- without JavaScript ----------------------------------------------------------------


def test_a_follow_up_posted_without_javascript_is_saved_and_redirects_to_the_page(
    client_for, analyst, pledge
):
    response = client_for(analyst).post(
        follow_up_url(pledge), follow_up(pledge, rationale="Invitations sent.")
    )
    assert response.status_code == 302
    assert response.url == pledge.get_absolute_url() + "#timeline"
    update = StatusUpdate.objects.get()
    assert (update.status, update.effective_on, update.author) == (
        "in_progress",
        datetime.date(2024, 2, 29),
        analyst,
    )
    page = client_for(analyst).get(response.url)
    assert "Follow-up logged." in page.content.decode()


def test_a_follow_up_with_new_evidence_saves_both_in_one_go(client_for, analyst, pledge):
    data = follow_up(pledge, status="fulfilled", rationale="It took place.", **new_evidence())
    response = client_for(analyst).post(follow_up_url(pledge), data)
    assert response.status_code == 302
    update = StatusUpdate.objects.get()
    assert [item.title for item in update.evidence.all()] == ["Course report"]
    pledge.refresh_from_db()
    assert (pledge.status, pledge.version) == (Status.FULFILLED, 2)


def test_a_follow_up_citing_existing_evidence_records_the_citation(client_for, analyst, pledge):
    first = evidence_on(pledge, analyst, title="First report")
    pledge.refresh_from_db()
    data = follow_up(pledge, status="partially_fulfilled", rationale="Half.", evidence=[first.pk])
    assert client_for(analyst).post(follow_up_url(pledge), data).status_code == 302
    assert list(StatusUpdate.objects.get().evidence.all()) == [first]


def test_invalid_input_without_javascript_shows_the_page_with_errors_and_input_kept(
    client_for, analyst, pledge
):
    data = follow_up(pledge, status="fulfilled", rationale="", **new_evidence(new_url="javascript:alert(1)"))
    response = client_for(analyst).post(follow_up_url(pledge), data)
    assert response.status_code == 422
    form = response.context["follow_up_form"]
    assert "rationale" in form.errors
    assert "Only http:// and https:// links are accepted." in form.errors["new_url"][0]
    content = response.content.decode()
    assert "<h1>" in content  # the whole page
    assert 'value="javascript:alert(1)"' in content  # the input is kept, escaped in an attribute
    assert not StatusUpdate.objects.exists() and not Evidence.objects.exists()


# --- with htmx -------------------------------------------------------------------------


def test_a_follow_up_through_htmx_answers_with_the_parts_it_changed(client_for, analyst, pledge):
    response = client_for(analyst).post(
        follow_up_url(pledge), follow_up(pledge, rationale="Started."), headers=HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<form id="follow-up-form"')
    for part in (
        'id="current-status" hx-swap-oob="true"',
        'id="timeline" hx-swap-oob="true"',
        'id="evidence-list" hx-swap-oob="true"',
        'id="facts" hx-swap-oob="true"',
    ):
        assert part in content
    assert "status--in_progress" in content and "Started." in content
    event = json.loads(response.headers["HX-Trigger-After-Settle"])
    assert event["pledgeChanged"]["version"] == 2
    # The fresh form is based on the new version.
    assert 'name="based_on_version" value="2"' in content


def test_invalid_input_through_htmx_answers_with_the_form_and_its_errors(client_for, analyst, pledge):
    data = follow_up(pledge, status="not_fulfilled", effective_on="2023-12-01", rationale="<b>late</b>")
    response = client_for(analyst).post(follow_up_url(pledge), data, headers=HTMX)
    assert response.status_code == 422
    content = response.content.decode()
    assert content.lstrip().startswith('<form id="follow-up-form"')
    assert "hx-swap-oob" not in content
    assert "The effective date cannot be before the statement was delivered (7 December 2023)." in content
    assert "needs at least one piece of evidence" in content
    assert "&lt;b&gt;late&lt;/b&gt;" in content and "<b>late</b>" not in content
    assert 'aria-describedby="id_effective_on_helptext id_effective_on_error"' in content
    assert not StatusUpdate.objects.exists()


def test_new_evidence_needs_its_link_title_type_and_stance_once_any_part_is_given(
    client_for, analyst, pledge
):
    data = follow_up(pledge, new_publisher="UNODC")
    response = client_for(analyst).post(follow_up_url(pledge), data, headers=HTMX)
    assert response.status_code == 422
    errors = response.context["follow_up_form"].errors
    assert {"new_url", "new_title", "new_source_type", "new_stance"} <= set(errors)


def test_a_future_effective_date_is_refused_beside_its_field(client_for, analyst, pledge):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client_for(analyst).post(
        follow_up_url(pledge), follow_up(pledge, effective_on=tomorrow), headers=HTMX
    )
    assert response.status_code == 422
    assert response.context["follow_up_form"].errors["effective_on"] == [
        "The effective date cannot be in the future."
    ]


def test_adding_evidence_through_htmx_swaps_the_evidence_list(client_for, analyst, pledge):
    response = client_for(analyst).post(
        evidence_url(pledge), evidence(pledge, excerpt="Japan will host."), headers=HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<form id="evidence-form"')
    assert 'id="evidence-list" hx-swap-oob="true"' in content and "Japan will host." in content
    assert 'href="https://www.mofa.go.jp/press" rel="noopener noreferrer" target="_blank"' in content
    assert json.loads(response.headers["HX-Trigger-After-Settle"])["pledgeChanged"]["version"] == 2


def test_the_same_link_twice_is_refused_with_a_message_that_points_at_the_first(client_for, analyst, pledge):
    first = evidence_on(pledge, analyst, url="https://www.mofa.go.jp/press", title="First report")
    pledge.refresh_from_db()
    response = client_for(analyst).post(
        evidence_url(pledge), evidence(pledge, url="  HTTPS://WWW.MOFA.GO.JP/press")
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "This link is already evidence on this pledge: “First report”" in content
    assert f'href="#evidence-{first.pk}"' in content
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "  JAVASCRIPT:alert(1)", "data:text/html,x", "ftp://example.org", "example.org"],
)
def test_evidence_links_other_than_http_and_https_are_refused(client_for, analyst, pledge, url):
    response = client_for(analyst).post(evidence_url(pledge), evidence(pledge, url=url), headers=HTMX)
    assert response.status_code == 422
    assert "url" in response.context["evidence_form"].errors
    assert not Evidence.objects.exists()


def test_citable_evidence_refreshes_with_the_ticked_boxes_kept(client_for, analyst, pledge):
    first = evidence_on(pledge, analyst, title="First report")
    second = evidence_on(pledge, analyst, url="https://example.org/second", title="Second report")
    url = reverse("citable_evidence", args=[pledge.pk]) + f"?evidence={first.pk}"
    content = client_for(analyst).get(url, headers=HTMX).content.decode()
    assert content.lstrip().startswith('<fieldset id="citable-evidence"')
    assert f'value="{first.pk}"' in content and f'value="{second.pk}"' in content
    assert content.count("checked") == 1


# --- retractions -----------------------------------------------------------------------


@pytest.fixture
def update(pledge, analyst) -> StatusUpdate:
    return update_on(pledge, analyst, Status.IN_PROGRESS, effective_on=datetime.date(2024, 1, 5))


def retraction(update, reason="Logged on the wrong pledge.") -> dict:
    update.pledge.refresh_from_db()
    prefix = f"retract-{update.pk}"
    return {f"{prefix}-based_on_version": update.pledge.version, f"{prefix}-reason": reason}


def test_an_analyst_retracts_their_own_update_and_the_status_is_recomputed(client_for, analyst, update):
    response = client_for(analyst).post(retract_url(update), retraction(update), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="timeline"')
    assert "Logged on the wrong pledge." in content and "timeline-entry--retracted" in content
    assert 'id="current-status" hx-swap-oob="true"' in content and "status--not_assessed" in content
    pledge = Pledge.objects.get(pk=update.pledge_id)
    assert pledge.status == Status.NOT_ASSESSED
    assert StatusUpdate.objects.filter(pk=update.pk).exists()


def test_a_retraction_without_javascript_redirects_back(client_for, analyst, update):
    response = client_for(analyst).post(retract_url(update), retraction(update))
    assert response.status_code == 302
    assert Retraction.objects.get().retracted_by == analyst


def test_a_retraction_needs_a_reason(client_for, analyst, update):
    response = client_for(analyst).post(retract_url(update), retraction(update, reason="  "), headers=HTMX)
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Retraction.objects.exists()


def test_an_analyst_cannot_retract_another_analysts_update(client_for, other_analyst, update):
    response = client_for(other_analyst).post(retract_url(update), retraction(update))
    assert response.status_code == 403
    assert not Retraction.objects.exists()


def test_the_page_offers_retraction_only_where_it_is_allowed(
    client_for, analyst, other_analyst, administrator, update
):
    url = update.pledge.get_absolute_url()
    form_action = f'action="{retract_url(update)}"'
    assert form_action in client_for(analyst).get(url).content.decode()
    assert form_action not in client_for(other_analyst).get(url).content.decode()
    assert form_action in client_for(administrator).get(url).content.decode()


def test_an_administrator_retracts_any_update(client_for, administrator, update):
    assert client_for(administrator).post(retract_url(update), retraction(update)).status_code == 302
    assert Retraction.objects.get().retracted_by == administrator


def test_an_update_retracted_twice_is_refused(client_for, analyst, update):
    client = client_for(analyst)
    client.post(retract_url(update), retraction(update))
    response = client.post(retract_url(update), retraction(update, reason="again"))
    assert response.status_code == 422
    assert Retraction.objects.count() == 1


# --- out-of-date forms -------------------------------------------------------------------


def test_a_follow_up_based_on_an_older_version_saves_nothing_and_shows_what_changed(
    client_for, analyst, other_analyst, pledge
):
    seen = pledge.version
    evidence_on(pledge, other_analyst, title="Bob's <source>")
    update_on(
        pledge, other_analyst, Status.STALLED, effective_on=datetime.date(2024, 3, 1), rationale="Postponed."
    )
    data = follow_up(pledge, based_on_version=seen, rationale="My own view")
    response = client_for(analyst).post(follow_up_url(pledge), data, headers=HTMX)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Not saved: this pledge changed since you opened it." in content
    assert "Evidence added: Bob&#x27;s &lt;source&gt;" in content
    assert "Status update: Stalled from 1 March 2024. Postponed." in content
    # The input is kept, now based on the current version, and the history is swapped in.
    assert "My own view" in content and 'name="based_on_version" value="3"' in content
    assert 'id="timeline" hx-swap-oob="true"' in content
    assert StatusUpdate.objects.count() == 1
    # Submitting again on purpose works.
    again = client_for(analyst).post(
        follow_up_url(pledge), follow_up(pledge, based_on_version=3), headers=HTMX
    )
    assert again.status_code == 200
    assert StatusUpdate.objects.count() == 2


def test_an_out_of_date_form_without_javascript_gets_the_page_with_the_conflict(client_for, analyst, pledge):
    seen = pledge.version
    evidence_on(pledge, analyst, title="First report")
    response = client_for(analyst).post(evidence_url(pledge), evidence(pledge, based_on_version=seen))
    assert response.status_code == 409
    assert "Evidence added: First report" in response.content.decode()
    assert "<h1>" in response.content.decode()
    assert Evidence.objects.count() == 1


def test_a_retraction_based_on_an_older_version_saves_nothing(client_for, analyst, update):
    data = retraction(update)
    evidence_on(update.pledge, analyst, title="First report")
    response = client_for(analyst).post(retract_url(update), data, headers=HTMX)
    assert response.status_code == 409
    assert "Evidence added: First report" in response.content.decode()
    assert not Retraction.objects.exists()


# --- who may do what -------------------------------------------------------------------


def test_managers_see_the_pledge_page_without_forms(client_for, manager, update):
    content = client_for(manager).get(update.pledge.get_absolute_url()).content.decode()
    assert "Log a follow-up" not in content and "Add evidence" not in content
    assert "Retract this update" not in content
    assert "status--in_progress" in content


@pytest.mark.parametrize("route", ["log_follow_up", "add_evidence", "retract_update"])
def test_the_server_refuses_a_managers_post_with_403(client_for, manager, update, route):
    args = [update.pledge_id, update.pk] if route == "retract_update" else [update.pledge_id]
    response = client_for(manager).post(reverse(route, args=args), {"based_on_version": 1}, headers=HTMX)
    assert response.status_code == 403
    assert (
        StatusUpdate.objects.count() == 1
        and not Evidence.objects.exists()
        and not Retraction.objects.exists()
    )


@pytest.mark.parametrize("route", ["log_follow_up", "add_evidence", "retract_update"])
def test_a_get_to_a_url_that_changes_data_answers_405(client_for, analyst, update, route):
    args = [update.pledge_id, update.pk] if route == "retract_update" else [update.pledge_id]
    assert client_for(analyst).get(reverse(route, args=args)).status_code == 405


@pytest.mark.parametrize("route", ["log_follow_up", "add_evidence", "retract_update"])
def test_posts_without_a_csrf_token_are_refused(analyst, update, route):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(analyst)
    args = [update.pledge_id, update.pk] if route == "retract_update" else [update.pledge_id]
    response = csrf_client.post(reverse(route, args=args), {"based_on_version": 2}, headers=HTMX)
    assert response.status_code == 403
    assert StatusUpdate.objects.count() == 1


def test_an_htmx_post_with_the_csrf_header_is_accepted(analyst, pledge):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(analyst)
    page = csrf_client.get(pledge.get_absolute_url()).content.decode()
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    response = csrf_client.post(
        follow_up_url(pledge), follow_up(pledge), HTTP_X_CSRFTOKEN=token, headers=HTMX
    )
    assert response.status_code == 200
    assert StatusUpdate.objects.count() == 1


def test_pledges_of_another_statement_are_not_mixed_up(client_for, analyst, pledge):
    other = make_pledge(make_statement(), 1)
    first = evidence_on(other, analyst)
    pledge.refresh_from_db()
    data = follow_up(pledge, status="fulfilled", rationale="x", evidence=[first.pk])
    response = client_for(analyst).post(follow_up_url(pledge), data)
    assert response.status_code == 422
    assert "evidence" in response.context["follow_up_form"].errors


def test_submitting_again_after_a_lost_answer_says_plainly_that_it_was_saved(client_for, analyst, pledge):
    """The first submit was saved, but its answer never reached the analyst (a dropped
    connection); the same form submitted again is told so, and nothing is saved twice."""
    client = client_for(analyst)
    data = follow_up(pledge, rationale="Invitations sent in January.")
    client.post(follow_up_url(pledge), data, headers=HTMX)

    again = client.post(follow_up_url(pledge), data, headers=HTMX)

    assert again.status_code == 409
    content = again.content.decode()
    assert "Already saved: your earlier submit went in" in content
    assert "<strong>Yours:</strong> <bdi>Status update: In progress" in content
    assert StatusUpdate.objects.count() == 1


def test_a_saved_follow_up_whose_answer_fails_reloads_the_page_saying_it_was_saved(
    client_for, analyst, pledge, monkeypatch
):
    from tracker.views import follow_ups

    def broken(*args, **kwargs):
        raise RuntimeError("the answer could not be drawn")

    monkeypatch.setattr(follow_ups, "render_to_string", broken)
    client = client_for(analyst)

    response = client.post(follow_up_url(pledge), follow_up(pledge, rationale="Seen."), headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert StatusUpdate.objects.count() == 1
    monkeypatch.undo()
    assert "Follow-up logged." in client.get(pledge.get_absolute_url()).content.decode()


def test_a_link_with_spaces_inside_is_refused_saying_so(client_for, analyst, pledge):
    data = {**follow_up(pledge, rationale="Seen."), **new_evidence(new_url="https://www.un.org/en/my report")}

    response = client_for(analyst).post(follow_up_url(pledge), data, headers=HTMX)

    assert response.status_code == 422
    assert response.context["follow_up_form"].errors["new_url"] == ["A link cannot contain spaces."]


def test_evidence_can_be_an_intergovernmental_record(client_for, analyst, pledge):
    data = {**follow_up(pledge, rationale="Seen."), **new_evidence(new_source_type="intergovernmental")}

    client_for(analyst).post(follow_up_url(pledge), data)

    assert Evidence.objects.get().get_source_type_display().startswith("Intergovernmental record")


def test_a_change_of_status_without_a_word_of_why_is_refused(client_for, analyst, pledge):
    response = client_for(analyst).post(
        follow_up_url(pledge), follow_up(pledge, rationale="  "), headers=HTMX
    )

    assert response.status_code == 422
    assert response.context["follow_up_form"].errors["rationale"] == [
        "Say why the status changes: a manager reading it later needs the reason."
    ]
    assert not StatusUpdate.objects.exists()


def test_the_same_status_again_needs_no_rationale(client_for, analyst, pledge):
    update_on(pledge, analyst, Status.IN_PROGRESS, rationale="Under way.")
    pledge.refresh_from_db()

    response = client_for(analyst).post(follow_up_url(pledge), follow_up(pledge, rationale=""), headers=HTMX)

    assert response.status_code == 200
    assert StatusUpdate.objects.count() == 2


def test_a_link_too_long_to_be_one_says_so(client_for, analyst, pledge):
    data = {**follow_up(pledge), **new_evidence(new_url="https://example.org/" + "a" * 3000)}

    response = client_for(analyst).post(follow_up_url(pledge), data, headers=HTMX)

    assert response.status_code == 422
    assert "A link can be at most 2,000 characters." in response.context["follow_up_form"].errors["new_url"]
