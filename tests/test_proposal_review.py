"""Analysts review proposed pledges: accept one, merge neighbours, reject, or make a
pledge of a passage they chose. The quote always comes from the text."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tracker import services
from tracker.importing.drafts import draft_from_text
from tracker.models import Pledge, ProposedPledge
from tracker.vocabulary import PledgeKind, ProposalState, Status

pytestmark = pytest.mark.django_db

TEXT = """Statement by Mr. Tomas Ruiz, Permanent Representative of Peru, at the General Assembly Debate on Oceans

2 May 2024

Mr. President,

Peru will host a conference on coastal fisheries in Lima next year. It will bring together forty coastal states.

We thank the Secretary-General for his report.

Peru has allocated USD 2 million to the ocean observation network.
"""


@pytest.fixture
def statement(db):
    draft = draft_from_text("peru.txt", TEXT)
    return services.import_statement(draft=draft, imported_by=None).statement


def fields_for(proposal: ProposedPledge) -> dict:
    return {
        "summary": proposal.summary or "A pledge",
        "actor": proposal.statement.entity,
        "kind": proposal.kind,
        "deadline_text": proposal.deadline_text,
        "deadline_on": proposal.deadline_on,
        "deadline_precision": proposal.deadline_precision,
        "amount": proposal.amount,
        "currency": proposal.currency,
        "amount_stage": proposal.amount_stage,
        "amount_approximate": proposal.amount_approximate,
        "condition": proposal.condition,
    }


def accept(proposal, user, **changes):
    return services.make_pledge(
        statement=proposal.statement,
        start=proposal.quote_start,
        end=proposal.quote_end,
        made_by=user,
        fields={**fields_for(proposal), **changes},
        proposals=[proposal],
    )


def test_accepting_a_proposal_makes_the_next_pledge_of_the_statement(statement, analyst):
    proposal = statement.proposals.get(quote__startswith="Peru has allocated")
    pledge = accept(proposal, analyst, summary="Fund the ocean observation network")
    assert pledge.number == 1
    assert pledge.quote == "Peru has allocated USD 2 million to the ocean observation network."
    assert statement.text[pledge.quote_start : pledge.quote_end] == pledge.quote
    assert (pledge.amount, pledge.currency, pledge.amount_stage) == (2_000_000, "USD", "allocated")
    assert (pledge.status, pledge.version) == (Status.NOT_ASSESSED, 1)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.pledge, proposal.decided_by) == (ProposalState.ACCEPTED, pledge, analyst)


def test_accepting_a_proposal_whose_words_moved_meanwhile_is_refused(statement, analyst):
    proposal = statement.proposals.get(quote__startswith="Peru will host")
    # As if the text had changed without its proposals following it.
    type(statement).objects.filter(pk=statement.pk).update(text="Intro. " + statement.text)

    with pytest.raises(ValidationError, match="text has changed since this was proposed"):
        accept(proposal, analyst)
    assert not Pledge.objects.exists()


def test_neighbouring_sentences_merge_into_one_pledge(statement, analyst):
    host = statement.proposals.get(quote__startswith="Peru will host")
    # "It will bring together ..." speaks of the conference, not of Peru: not proposed.
    assert not statement.proposals.filter(quote__startswith="It will").exists()
    rejected_neighbour = statement.proposals.get(quote__startswith="Peru has allocated")
    with pytest.raises(ValidationError, match="follow one another"):
        services.make_pledge(
            statement=statement,
            start=host.quote_start,
            end=rejected_neighbour.quote_end,
            made_by=analyst,
            fields=fields_for(host),
            proposals=[host, rejected_neighbour],
        )
    assert not Pledge.objects.exists()


def test_merging_closes_every_proposal_merged(statement, analyst):
    host = statement.proposals.get(quote__startswith="Peru will host")
    end = statement.text.index("forty coastal states.") + len("forty coastal states.")
    second = ProposedPledge.objects.create(
        statement=statement,
        quote=statement.text[host.quote_end + 1 : end],
        quote_start=host.quote_end + 1,
        quote_end=end,
        reason="for the test",
        extractor="test",
        kind=PledgeKind.EVENT_OR_ACTIVITY,
    )
    assert services.neighbouring([host, second])
    pledge = services.make_pledge(
        statement=statement,
        start=host.quote_start,
        end=end,
        made_by=analyst,
        fields=fields_for(host),
        proposals=[host, second],
    )
    assert (
        pledge.quote
        == "Peru will host a conference on coastal fisheries in Lima next year. It will bring together forty coastal states."
    )
    assert set(pledge.proposals.values_list("state", flat=True)) == {ProposalState.MERGED}


def test_a_passage_chosen_by_hand_becomes_a_pledge_with_its_offsets(statement, analyst):
    start = (
        statement.text.index("  forty")
        if "  forty" in statement.text
        else statement.text.index("It will bring")
    )
    end = statement.text.index("states.") + len("states.")
    pledge = services.make_pledge(
        statement=statement,
        start=start - 1,  # a space before the words is left out of the quote
        end=end,
        made_by=analyst,
        fields={
            "summary": "Bring forty coastal states together",
            "actor": statement.entity,
            "kind": PledgeKind.EVENT_OR_ACTIVITY,
        },
    )
    assert pledge.quote == "It will bring together forty coastal states."
    assert pledge.quote_start == start


def test_a_passage_made_a_pledge_closes_the_proposals_inside_it(statement, analyst):
    proposal = statement.proposals.get(quote__startswith="Peru has allocated")
    services.make_pledge(
        statement=statement,
        start=proposal.quote_start,
        end=proposal.quote_end,
        made_by=analyst,
        fields=fields_for(proposal),
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 5), (10, 10**6)])
def test_a_passage_outside_the_text_is_refused(statement, analyst, start, end):
    with pytest.raises(ValidationError, match="passage"):
        services.make_pledge(
            statement=statement,
            start=start,
            end=end,
            made_by=analyst,
            fields={"summary": "x", "actor": statement.entity, "kind": "financial"},
        )


def test_the_same_passage_cannot_be_made_a_pledge_twice(statement, analyst):
    proposal = statement.proposals.get(quote__startswith="Peru has allocated")
    accept(proposal, analyst)
    with pytest.raises(ValidationError, match="already pledge 1"):
        services.make_pledge(
            statement=statement,
            start=proposal.quote_start,
            end=proposal.quote_end,
            made_by=analyst,
            fields=fields_for(proposal),
        )


def test_a_proposal_reviewed_already_cannot_be_accepted_again(statement, analyst, other_analyst):
    proposal = statement.proposals.get(quote__startswith="Peru has allocated")
    services.reject_proposal(proposal=proposal, decided_by=other_analyst)
    with pytest.raises(ValidationError, match="reviewed already"):
        accept(proposal, analyst)
    with pytest.raises(ValidationError, match="reviewed already"):
        services.reject_proposal(proposal=proposal, decided_by=analyst)


def test_a_rejection_keeps_the_proposal_with_its_reason(statement, analyst):
    proposal = statement.proposals.get(quote__startswith="Peru will host")
    services.reject_proposal(proposal=proposal, decided_by=analyst, note="  An event already held.  ")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decision_note, proposal.decided_by) == (
        ProposalState.REJECTED,
        "An event already held.",
        analyst,
    )
    assert proposal.decided_at is not None


def test_a_bad_field_names_the_field_and_makes_no_pledge(statement, analyst):
    proposal = statement.proposals.get(quote__startswith="Peru has allocated")
    with pytest.raises(ValidationError) as refused:
        accept(proposal, analyst, currency="")
    assert "currency" in refused.value.message_dict
    assert not Pledge.objects.exists()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED


@pytest.mark.parametrize("role", ["manager", "nobody"])
def test_only_analysts_and_administrators_review(statement, request, role):
    user = request.getfixturevalue(role)
    proposal = statement.proposals.first()
    with pytest.raises(PermissionDenied):
        accept(proposal, user)
    with pytest.raises(PermissionDenied):
        services.reject_proposal(proposal=proposal, decided_by=user)


def test_administrators_review_too(statement, administrator):
    assert accept(statement.proposals.first(), administrator).number == 1


def test_a_pledge_without_history_can_still_be_deleted_and_its_proposal_stays_on_record(statement, analyst):
    proposal = statement.proposals.get(quote__startswith="Peru has allocated")
    accept(proposal, analyst).delete()
    proposal.refresh_from_db()
    assert (proposal.state, proposal.pledge) == (ProposalState.ACCEPTED, None)
