"""Pages per statement, entity and speaker: their pledges and where those stand."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tracker import figures
from tracker.forms import RejectProposalForm
from tracker.models import Entity, Pledge, Speaker, Statement
from tracker.vocabulary import ProposalState

STATEMENT_PAGE = "tracker/statement_detail.html"
# A long record can hold thousands of proposals: the page shows them in the text's order,
# this many at a time; the next ones come up as these are reviewed.
PROPOSALS_SHOWN = 100


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
def statement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.select_related("speaker", "entity"), slug=slug)
    return render(request, STATEMENT_PAGE, statement_page_context(request, statement))


def statement_page_context(request: HttpRequest, statement: Statement) -> dict:
    """The statement and its pledges in its text and, for those who review them, the
    pledges proposed in it that await review."""
    pledges = list(
        Pledge.objects.as_of(timezone.localdate())
        .filter(statement=statement)
        .select_related("statement", "actor")
        .order_by("number")
    )
    context = {"statement": statement, "pledges": pledges, "pieces": statement.text_with_pledges(pledges)}
    if request.user.has_perm("tracker.review_proposals"):
        context.update(proposal_rows(statement))
    return context


def proposal_rows(statement: Statement, *, forms: dict | None = None) -> dict:
    """The proposals awaiting review, each with its form to reject it (`forms` holds those
    posted back with errors), and how many were reviewed already."""
    forms = forms or {}
    awaiting = statement.proposals.awaiting_review().order_by("quote_start")
    proposals = list(awaiting[:PROPOSALS_SHOWN])
    return {
        "proposal_rows": [
            (proposal, forms.get(proposal.pk) or RejectProposalForm(proposal_pk=proposal.pk))
            for proposal in proposals
        ],
        "proposals_awaiting": awaiting.count() if len(proposals) == PROPOSALS_SHOWN else len(proposals),
        # Merging needs two sentences at least.
        "can_merge": len(proposals) > 1,
        "proposals_reviewed": statement.proposals.exclude(state=ProposalState.PROPOSED).count(),
    }


def _pledges_today():
    return Pledge.objects.as_of(timezone.localdate()).select_related("statement", "actor")


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entity = get_object_or_404(Entity, pk=pk)
    card = figures.scorecard(
        _pledges_today().filter(actor=entity), today=timezone.localdate(), entity=entity.pk
    )
    statements = entity.statements.select_related("speaker").order_by("-delivered_on")
    return render(
        request,
        "tracker/scorecard.html",
        {"subject": entity, "kind": "Entity", "statements": statements, **card},
    )


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
def speaker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    speaker = get_object_or_404(Speaker.objects.select_related("entity"), pk=pk)
    card = figures.scorecard(
        _pledges_today().filter(statement__speaker=speaker), today=timezone.localdate(), speaker=speaker.pk
    )
    statements = speaker.statements.select_related("speaker").order_by("-delivered_on")
    return render(
        request,
        "tracker/scorecard.html",
        {"subject": speaker, "kind": "Speaker", "statements": statements, **card},
    )
