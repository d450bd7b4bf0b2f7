"""The review of proposed pledges on the statement's page: accept, merge, reject, and a
pledge made of a selected passage, each with and without htmx, each for its roles only."""

import pytest
from django.urls import reverse

from tests.helpers import HTMX, form_values
from tracker import services
from tracker.importing.drafts import draft_from_text
from tracker.models import Pledge, ProposedPledge
from tracker.vocabulary import ProposalState

pytestmark = pytest.mark.django_db

TEXT = """Statement by Mr. Tomas Ruiz, Permanent Representative of Peru, at the General Assembly Debate on Oceans

2 May 2024

Mr. President,

Peru will host a conference on coastal fisheries in Lima next year. We will also fund the travel of delegates from forty coastal states.

We thank the Secretary-General for his report.

Peru has allocated approximately USD 2 million to the ocean observation network.

Peru is committed to the protection of mangroves along its coast.
"""


@pytest.fixture
def statement(db):
    return services.import_statement(draft=draft_from_text("peru.txt", TEXT), imported_by=None).statement


@pytest.fixture
def reviewer(client_for, analyst):
    return client_for(analyst)


def proposal_of(statement, words: str) -> ProposedPledge:
    return statement.proposals.get(quote__contains=words)


def new_pledge_url(statement) -> str:
    return reverse("new_pledge", args=[statement.slug])


def form_data(response, **changes) -> dict:
    """The pledge form as shown, posted back with changes."""
    data = form_values(response.context["form"])
    passage = response.context["passage"].cleaned_data
    if passage["proposal"]:
        data["proposal"] = [p.pk for p in passage["proposal"]]
    else:
        data["start"], data["end"] = passage["start"], passage["end"]
    return {**data, **changes}


def test_a_reviewer_sees_the_open_proposals_with_their_reasons_and_cues(reviewer, statement):
    page = reviewer.get(statement.get_absolute_url()).content.decode()

    assert "Proposed pledges to review (4)" in page
    assert '<mark class="cue cue--money" title="money">has allocated</mark>' in page
    assert "money: “has allocated”; amount “approximately USD 2 million” read as" in page
    assert page.count('class="reject-form"') == 4
    assert 'data-new-pledge-url="' in page


def test_a_manager_sees_no_proposals_and_cannot_act_on_them(client_for, manager, statement):
    client = client_for(manager)
    proposal = proposal_of(statement, "mangroves")

    page = client.get(statement.get_absolute_url()).content.decode()
    assert "Proposed pledges" not in page and "data-new-pledge-url" not in page
    assert client.get(new_pledge_url(statement), {"proposal": proposal.pk}).status_code == 403
    assert client.post(reverse("reject_proposal", args=[statement.slug, proposal.pk])).status_code == 403
    assert proposal_of(statement, "mangroves").state == ProposalState.PROPOSED


def test_accepting_a_proposal_shows_its_fields_to_correct_then_makes_the_pledge(reviewer, statement):
    proposal = proposal_of(statement, "allocated")

    shown = reviewer.get(new_pledge_url(statement), {"proposal": proposal.pk})
    assert shown.status_code == 200
    initial = shown.context["form"]
    assert initial["amount"].value() == proposal.amount
    assert initial["currency"].value() == "USD"
    assert initial["amount_approximate"].value() is True
    response = reviewer.post(
        new_pledge_url(statement), form_data(shown, summary="Funds for ocean observation")
    )

    assert response.status_code == 302
    assert response["Location"] == statement.get_absolute_url() + "#proposals"
    pledge = Pledge.objects.get()
    assert pledge.quote == proposal.quote
    assert (pledge.quote_start, pledge.quote_end) == (proposal.quote_start, proposal.quote_end)
    assert pledge.summary == "Funds for ocean observation"
    assert pledge.currency == "USD" and pledge.amount_approximate
    proposal.refresh_from_db()
    assert (proposal.state, proposal.pledge) == (ProposalState.ACCEPTED, pledge)
    page = reviewer.get(response["Location"]).content.decode()
    assert "Pledge 1 made:" in page
    assert "Proposed pledges to review (3)" in page


def test_merging_two_neighbouring_sentences_makes_one_pledge_of_both(reviewer, statement):
    first = proposal_of(statement, "host a conference")
    second = proposal_of(statement, "fund the travel")

    shown = reviewer.get(new_pledge_url(statement), {"proposal": [first.pk, second.pk]})
    assert "The 2 sentences merged" in shown.content.decode()
    made = reviewer.post(
        new_pledge_url(statement), form_data(shown, summary="A fisheries conference in Lima")
    )
    assert made.status_code == 302

    pledge = Pledge.objects.get()
    assert pledge.quote == statement.text[first.quote_start : second.quote_end]
    assert set(pledge.proposals.values_list("state", flat=True)) == {ProposalState.MERGED}
    assert pledge.proposals.count() == 2


def test_merging_sentences_that_do_not_follow_one_another_is_refused(reviewer, statement):
    first = proposal_of(statement, "host a conference")
    far = proposal_of(statement, "mangroves")

    response = reviewer.get(new_pledge_url(statement), {"proposal": [first.pk, far.pk]})

    assert response.status_code == 422
    assert "Only sentences that follow one another can be merged" in response.content.decode()
    assert Pledge.objects.count() == 0


def test_a_selected_passage_becomes_a_pledge_quoting_the_text_exactly(reviewer, statement):
    words = "forty coastal states"
    start = statement.text.index(words)

    # The selection may take a space at its ends: the quote leaves it out.
    shown = reviewer.get(new_pledge_url(statement), {"start": start - 1, "end": start + len(words)})
    assert shown.status_code == 200
    assert shown.context["form"].instance.quote == words
    made = reviewer.post(
        new_pledge_url(statement), form_data(shown, summary="Forty states", kind="event_or_activity")
    )
    assert made.status_code == 302

    pledge = Pledge.objects.get()
    assert (pledge.quote, pledge.quote_start, pledge.quote_end) == (words, start, start + len(words))
    assert proposal_of(statement, "fund the travel").state == ProposalState.PROPOSED


def test_a_selection_takes_offsets_in_characters_not_utf16_units(reviewer, db):
    text = TEXT.replace("Mr. President,", "Mr. President, 🌊 “Oceans” —")
    statement = services.import_statement(draft=draft_from_text("p.txt", text), imported_by=None).statement
    words = "Peru is committed to the protection of mangroves"
    start = statement.text.index(words)

    shown = reviewer.get(new_pledge_url(statement), {"start": start, "end": start + len(words)})

    assert shown.context["form"].instance.quote == words


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"start": "5"},
        {"start": "10", "end": "5"},
        {"start": "0", "end": "99999999999"},
        {"start": "-1", "end": "4"},
        {"start": "abc", "end": "4"},
        {"proposal": "999999"},
        {"proposal": "x"},
    ],
)
def test_a_bad_passage_is_refused_with_a_message_not_a_500(reviewer, statement, query):
    response = reviewer.get(new_pledge_url(statement), query)

    assert response.status_code == 422
    assert 'class="form-errors"' in response.content.decode()


def test_a_passage_of_spaces_only_is_refused(reviewer, statement):
    gap = statement.text.index("\n\n")

    response = reviewer.get(new_pledge_url(statement), {"start": gap, "end": gap + 2})

    assert response.status_code == 422
    assert "holds only spaces" in response.content.decode()


def test_bad_pledge_fields_are_named_and_nothing_is_made(reviewer, statement):
    proposal = proposal_of(statement, "allocated")
    shown = reviewer.get(new_pledge_url(statement), {"proposal": proposal.pk})

    response = reviewer.post(new_pledge_url(statement), form_data(shown, summary="", currency="dollars"))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "summary" in errors and "currency" in errors
    assert Pledge.objects.count() == 0
    assert proposal_of(statement, "allocated").state == ProposalState.PROPOSED


def test_a_proposal_accepted_meanwhile_cannot_be_accepted_twice(reviewer, statement):
    proposal = proposal_of(statement, "mangroves")
    shown = reviewer.get(new_pledge_url(statement), {"proposal": proposal.pk})
    reviewer.post(new_pledge_url(statement), form_data(shown, summary="Mangroves"))

    again = reviewer.post(new_pledge_url(statement), form_data(shown, summary="Mangroves again"))

    assert again.status_code == 422
    assert "A proposal chosen has been reviewed already" in again.content.decode()
    assert Pledge.objects.count() == 1


def test_rejecting_a_proposal_with_a_note_keeps_it_as_rejected(reviewer, statement, analyst):
    proposal = proposal_of(statement, "mangroves")
    url = reverse("reject_proposal", args=[statement.slug, proposal.pk])

    response = reviewer.post(url, {f"reject-{proposal.pk}-note": "A standing policy, not a new pledge"})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.REJECTED
    assert proposal.decided_by == analyst
    assert proposal.decision_note == "A standing policy, not a new pledge"
    page = reviewer.get(statement.get_absolute_url()).content.decode()
    assert "Proposed pledges to review (3)" in page
    assert "mangroves" not in page.split('id="proposals"')[1].split("</section>")[0]


def test_rejecting_with_htmx_takes_the_row_away_and_updates_the_count(reviewer, statement):
    proposal = proposal_of(statement, "mangroves")
    url = reverse("reject_proposal", args=[statement.slug, proposal.pk])

    response = reviewer.post(url, {}, headers=HTMX)

    assert response.status_code == 200
    body = response.content.decode().strip()
    # Only the heading, out of band: the row itself is swapped for nothing.
    assert body.startswith('<h2 id="proposals-heading" tabindex="-1" hx-swap-oob="true">')
    assert "Proposed pledges to review (3)" in body
    assert "mangroves" not in body
    assert "Proposal rejected: it will not be proposed again." in response["HX-Trigger-After-Settle"]
    assert "proposalRejected" in response["HX-Trigger-After-Settle"]


REVIEWED_ALREADY = "This proposal has been reviewed already: reload the page."


def test_rejecting_twice_with_htmx_answers_409_with_the_row_and_its_message(reviewer, statement):
    proposal = proposal_of(statement, "mangroves")
    url = reverse("reject_proposal", args=[statement.slug, proposal.pk])
    reviewer.post(url, {})

    response = reviewer.post(url, {}, headers=HTMX)

    assert response.status_code == 409
    body = response.content.decode().strip()
    assert body.startswith(f'<li class="proposal" id="proposal-{proposal.pk}">')
    assert REVIEWED_ALREADY in body


def test_rejecting_twice_without_htmx_says_so_on_the_statement_page(reviewer, statement):
    proposal = proposal_of(statement, "mangroves")
    url = reverse("reject_proposal", args=[statement.slug, proposal.pk])
    reviewer.post(url, {})

    response = reviewer.post(url, {}, follow=True)

    assert REVIEWED_ALREADY in response.content.decode()


def test_a_rejection_note_over_its_limit_is_refused(reviewer, statement):
    proposal = proposal_of(statement, "mangroves")
    url = reverse("reject_proposal", args=[statement.slug, proposal.pk])

    response = reviewer.post(url, {f"reject-{proposal.pk}-note": "x" * 1001})
    in_place = reviewer.post(url, {f"reject-{proposal.pk}-note": "x" * 1001}, headers=HTMX)

    assert response.status_code == in_place.status_code == 422
    assert "Ensure this value has at most 1000 characters" in response.content.decode()
    assert 'aria-invalid="true"' in in_place.content.decode()
    assert proposal_of(statement, "mangroves").state == ProposalState.PROPOSED


def test_a_proposal_of_another_statement_is_not_found_under_this_one(reviewer, statement, seed):
    proposal = proposal_of(statement, "mangroves")

    response = reviewer.post(reverse("reject_proposal", args=[seed.slug, proposal.pk]))

    assert response.status_code == 404


def test_the_statement_page_asks_as_many_queries_whatever_the_number_of_proposals(
    reviewer, statement, django_assert_max_num_queries
):
    url = statement.get_absolute_url()
    with django_assert_max_num_queries(50) as few:
        reviewer.get(url)
    more = TEXT + "\n".join(f"Peru will fund project number {n} in 2026." for n in range(30))
    bigger = services.import_statement(draft=draft_from_text("more.txt", more), imported_by=None).statement
    assert bigger.proposals.count() > 30

    with django_assert_max_num_queries(len(few.captured_queries)):
        reviewer.get(bigger.get_absolute_url())


@pytest.mark.parametrize(
    "query",
    [
        {"proposal": "9223372036854775808"},
        {"proposal": ["1", "99999999999999999999"]},
    ],
)
def test_a_key_no_row_can_have_is_refused_not_a_500(reviewer, statement, query):
    response = reviewer.get(new_pledge_url(statement), query)

    assert response.status_code == 422
    assert "A proposal chosen is not one of this statement&#x27;s" in response.content.decode()


@pytest.mark.parametrize("field", ["themes", "actor"])
def test_a_pledge_field_naming_a_key_no_row_can_have_is_refused(reviewer, statement, field):
    proposal = proposal_of(statement, "mangroves")
    shown = reviewer.get(new_pledge_url(statement), {"proposal": proposal.pk})

    response = reviewer.post(new_pledge_url(statement), form_data(shown, **{field: "99999999999999999999"}))

    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert Pledge.objects.count() == 0


def test_merging_carries_each_group_of_fields_from_the_sentence_that_has_it(reviewer, db):
    text = TEXT.replace("We thank the Secretary-General for his report.\n\n", "").replace(
        "to the ocean observation network.", "to the ocean observation network by 2026."
    )
    statement = services.import_statement(draft=draft_from_text("m.txt", text), imported_by=None).statement
    travel = proposal_of(statement, "fund the travel")
    money = proposal_of(statement, "allocated")
    assert services.neighbouring([travel, money])

    shown = reviewer.get(new_pledge_url(statement), {"proposal": [travel.pk, money.pk]})

    form = shown.context["form"]
    assert form["currency"].value() == "USD" and form["amount"].value() == money.amount
    assert form["deadline_on"].value() == money.deadline_on
    assert form["summary"].value() == f"{travel.summary.rstrip('.')}; {money.summary.rstrip('.')}"


def test_when_the_text_is_edited_the_proposals_follow_their_words(reviewer, statement, administrator):
    proposal = proposal_of(statement, "mangroves")
    gone = proposal_of(statement, "allocated")
    statement.text = "A new first paragraph.\n\n" + statement.text.replace(
        gone.quote, "Peru funds the network."
    )
    services.save_statement(statement=statement, changed_by=administrator)

    proposal.refresh_from_db()
    assert statement.text[proposal.quote_start : proposal.quote_end] == proposal.quote
    cue = proposal.cues[0]
    assert statement.text[cue["start"] : cue["end"]] == "is committed to"
    assert not ProposedPledge.objects.filter(pk=gone.pk).exists()
    shown = reviewer.get(new_pledge_url(statement), {"proposal": proposal.pk})
    reviewer.post(new_pledge_url(statement), form_data(shown, summary="Mangroves"))
    assert Pledge.objects.get().quote == proposal.quote


def test_rejecting_the_last_but_one_draws_the_list_again_without_merging(reviewer, statement):
    for words in ("host a conference", "fund the travel"):
        proposal = proposal_of(statement, words)
        reviewer.post(reverse("reject_proposal", args=[statement.slug, proposal.pk]), {})
    third = proposal_of(statement, "allocated")

    response = reviewer.post(reverse("reject_proposal", args=[statement.slug, third.pk]), {}, headers=HTMX)

    assert response["HX-Retarget"] == "#proposals"
    assert response["HX-Reswap"] == "innerHTML"
    body = response.content.decode()
    assert "Proposed pledges to review (1)" in body
    assert "Merge" not in body


def test_a_row_reviewed_meanwhile_offers_nothing_more(reviewer, statement):
    proposal = proposal_of(statement, "mangroves")
    url = reverse("reject_proposal", args=[statement.slug, proposal.pk])
    reviewer.post(url, {})

    body = reviewer.post(url, {}, headers=HTMX).content.decode()

    assert "It is now rejected." in body
    assert "Accept…" not in body and "<form" not in body


def test_a_statement_with_very_many_proposals_shows_the_first_hundred(reviewer, db):
    many = TEXT + "\n".join(f"Peru will fund project number {n} in 2026." for n in range(120))
    statement = services.import_statement(draft=draft_from_text("many.txt", many), imported_by=None).statement
    awaiting = statement.proposals.count()
    assert awaiting > 100

    page = reviewer.get(statement.get_absolute_url()).content.decode()

    assert f"Proposed pledges to review ({awaiting})" in page
    assert page.count('class="reject-form"') == 100
    assert "The first 100 in the text are shown" in page
