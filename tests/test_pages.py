"""The pledge list and the pledge page: what they show, safely, in a fixed number of queries."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    evidence_on,
    make_pledge,
    make_statement,
    retract,
    retract_review_of,
    review_of,
    update_on,
    withdraw,
)
from tests.helpers import HTMX, queries_for
from tracker.models import Pledge
from tracker.vocabulary import Status

pytestmark = pytest.mark.django_db


def test_the_list_shows_every_seed_pledge_with_its_status(client_for, analyst, seed):
    content = client_for(analyst).get(reverse("pledge_list")).content.decode()
    for pledge in seed.pledges.all():
        assert pledge.summary.replace("'", "&#x27;") in content
    assert content.count('class="status status--not_assessed"') == 8


def test_the_list_shows_a_recorded_status(client_for, analyst, seed):
    pledge = seed.pledges.get(number=4)
    update_on(pledge, analyst, Status.IN_PROGRESS)
    content = client_for(analyst).get(reverse("pledge_list")).content.decode()
    assert content.count("status--in_progress") == 1


def test_the_pledge_page_highlights_the_quote_inside_the_statement_text(client_for, analyst, seed):
    pledge = seed.pledges.get(quote__contains="17 million")
    content = client_for(analyst).get(pledge.get_absolute_url()).content.decode()
    assert f'<mark id="quote">{pledge.quote}</mark>' in content
    assert "approximately 17,000,000 USD (allocated)" in content
    assert seed.speaker.name in content and "Security Council" in content


def test_the_pledge_page_shows_the_timeline_with_retractions_and_evidence(client_for, analyst, judges_pledge):
    pledge = judges_pledge
    evidence = evidence_on(pledge, analyst, url="https://example.org/iij", excerpt="Twelve judges attended.")
    update = update_on(
        pledge, analyst, Status.FULFILLED, rationale="The course took place.", evidence=[evidence]
    )
    retract(update, analyst, reason="Wrong month.")
    content = client_for(analyst).get(pledge.get_absolute_url()).content.decode()
    assert "timeline-entry--retracted" in content and "Wrong month." in content
    assert 'href="https://example.org/iij" rel="noopener noreferrer"' in content
    assert "Twelve judges attended." in content
    assert 'Current status: <span class="status status--not_assessed">' in content


def test_the_pledge_page_says_when_a_deadline_is_overdue(client_for, analyst, seed):
    pledge = seed.pledges.get(quote__contains="February 2024")  # deadline 2024-02-29, long past
    content = client_for(analyst).get(pledge.get_absolute_url()).content.decode()
    assert re.search(r'class="deadline-note deadline-note--overdue">overdue<', content)


def test_an_unknown_pledge_is_not_found(client_for, analyst):
    assert client_for(analyst).get(reverse("pledge_detail", args=[999999])).status_code == 404


def test_text_is_escaped_on_every_page(client_for, analyst):
    statement = make_statement()
    pledge = make_pledge(statement, 1, summary='<script>alert("x")</script>', beneficiaries="<b>bold</b>")
    client = client_for(analyst)
    for url in (reverse("pledge_list"), pledge.get_absolute_url()):
        content = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in content
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert "&lt;b&gt;bold&lt;/b&gt;" in client.get(pledge.get_absolute_url()).content.decode()


def test_pages_carry_a_content_security_policy_with_a_nonce_for_htmx(client_for, analyst, seed):
    response = client_for(analyst).get(reverse("pledge_list"))
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert re.search(
        rf'<script src="/static/django_htmx/htmx-2[^"]*" defer nonce="{nonce}"', response.content.decode()
    )


# --- queries do not grow with the data ---------------------------------------------------


def test_the_list_takes_the_same_number_of_queries_for_3_or_30_pledges(client_for, analyst):
    client = client_for(analyst)
    statement = make_statement(sentences=30)
    for number in range(1, 4):
        make_pledge(statement, number)
    few = queries_for(client, reverse("pledge_list"))
    for number in range(4, 31):
        make_pledge(statement, number)
    many = queries_for(client, reverse("pledge_list"))
    assert few == many
    assert many <= 10  # session, user, 4 filter choices, count, page


def test_the_pledge_page_takes_the_same_number_of_queries_whatever_its_history(client_for, analyst):
    client = client_for(analyst)
    pledge = make_pledge(make_statement(), 1)
    empty = queries_for(client, pledge.get_absolute_url())

    def grow(n: int) -> None:
        for i in range(n):
            pledge.refresh_from_db()
            evidence = evidence_on(pledge, analyst, url=f"https://example.org/{pledge.version}-{i}")
            update = update_on(pledge, analyst, Status.FULFILLED, rationale="Seen.", evidence=[evidence])
            review = review_of(pledge, analyst, evidence=[evidence])
            if i % 2:
                retract(update, analyst)
                retract_review_of(review, analyst)
                withdraw(evidence, analyst)

    grow(2)
    some = queries_for(client, pledge.get_absolute_url())
    grow(10)
    many = queries_for(client, pledge.get_absolute_url())
    assert empty <= some == many
    # The pledge, its themes, updates and their evidence, reviews and their evidence, its
    # evidence and edits; the evidence the follow-up and the review forms can cite; the
    # session, the user, the user's groups.
    assert many <= 14
    assert Pledge.objects.get(pk=pledge.pk).status_updates.count() == 12


def test_the_pledge_page_counts_the_days_to_a_deadline_ahead(client_for, analyst):
    due = timezone.localdate() + datetime.timedelta(days=12)
    pledge = make_pledge(make_statement(), 1, deadline_on=due, deadline_precision="day", deadline_text="soon")
    content = client_for(analyst).get(pledge.get_absolute_url()).content.decode()
    assert re.search(r'class="deadline-note">due in 12 days<', content)


def test_no_deadline_note_once_the_status_is_final(client_for, analyst, seed):
    pledge = seed.pledges.get(quote__contains="February 2024")
    update_on(pledge, analyst, Status.WITHDRAWN, rationale="Cancelled.")
    assert "deadline-note" not in client_for(analyst).get(pledge.get_absolute_url()).content.decode()


def test_text_is_escaped_in_every_partial_that_htmx_swaps_in(client_for, analyst):
    pledge = make_pledge(make_statement(), 1)
    nasty = '<script>alert("x")</script>'
    response = client_for(analyst).post(
        reverse("log_follow_up", args=[pledge.pk]),
        {
            "based_on_version": 1,
            "status": "fulfilled",
            "effective_on": "2024-02-01",
            "rationale": nasty,
            "new_url": "https://example.org/x",
            "new_title": nasty,
            "new_publisher": nasty,
            "new_source_type": "official",
            "new_stance": "supports",
            "new_excerpt": nasty,
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert nasty not in content
    assert (
        content.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 4
    )  # timeline and evidence list
