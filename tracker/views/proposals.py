"""The review of an imported statement's proposed pledges, on the statement's page:
accept one, merge neighbouring ones into one pledge, reject one, or make a pledge of a
passage selected in the text. Every form works without JavaScript; htmx rejects in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from tracker import services
from tracker.forms import PassageForm, PledgeForm, RejectProposalForm, apply_service_errors
from tracker.models import Pledge, ProposedPledge, Statement
from tracker.views.shared import STATEMENT_PAGE, HtmxHttpRequest, proposal_rows, statement_page_context

NEW_PLEDGE_PAGE = "tracker/pledge_new.html"


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("tracker.review_proposals", raise_exception=True)
def new_pledge(request: HttpRequest, slug: str) -> HttpResponse:
    """A pledge made of the proposals chosen (one accepted, or several merged) or of a
    passage selected in the text: the passage is shown, the fields are filled in from
    what the extractor read, and the analyst corrects them before making it."""
    statement = get_object_or_404(Statement.objects.select_related("entity"), slug=slug)
    passage = PassageForm(request.POST or request.GET, statement=statement)
    if not passage.is_valid():
        context = {"statement": statement, "passage": passage}
        return render(request, NEW_PLEDGE_PAGE, context, status=422)
    start, end, proposals = passage.chosen()
    pledge = Pledge(statement=statement, quote=statement.text[start:end], quote_start=start, quote_end=end)
    if request.method in ("GET", "HEAD"):
        form = PledgeForm(instance=pledge, initial=PledgeForm.initial_from(proposals, statement))
        return render(request, NEW_PLEDGE_PAGE, _context(statement, passage, form, proposals))

    form = PledgeForm(request.POST, instance=pledge)
    if form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "themes"}
        try:
            made = services.make_pledge(
                statement=statement,
                start=start,
                end=end,
                made_by=request.user,
                fields=fields,
                themes=form.cleaned_data["themes"],
                proposals=proposals,
            )
        except ValidationError as error:
            apply_service_errors(form, _passage_errors_on_the_form(error))
        else:
            messages.success(
                request,
                format_html(
                    'Pledge {} made: <a href="{}">{}</a>', made.number, made.get_absolute_url(), made.summary
                ),
            )
            return redirect(statement.get_absolute_url() + "#proposals")
    return render(request, NEW_PLEDGE_PAGE, _context(statement, passage, form, proposals), status=422)


def _context(statement, passage, form, proposals) -> dict:
    return {"statement": statement, "passage": passage, "form": form, "proposals": proposals}


def _passage_errors_on_the_form(error: ValidationError) -> ValidationError:
    """The service's errors about the passage or the proposals concern the whole form,
    not one of its fields: they are shown at its top."""
    return ValidationError(
        {
            (None if key in ("passage", "proposals", "quote", "__all__") else key): found
            for key, found in error.error_dict.items()
        }
    )


@require_POST
@permission_required("tracker.review_proposals", raise_exception=True)
def reject_proposal(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.select_related("entity"), slug=slug)
    proposal = get_object_or_404(ProposedPledge, pk=pk, statement=statement)
    form = RejectProposalForm(request.POST, proposal_pk=proposal.pk)
    if not form.is_valid():
        return _rejection_refused(request, statement, proposal, form, status=422)
    try:
        services.reject_proposal(proposal=proposal, decided_by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        form.add_error(None, error.message_dict.get("proposals", error.messages))
        return _rejection_refused(request, statement, proposal, form, status=409)
    announcement = "Proposal rejected: it will not be proposed again."
    if not request.htmx:
        messages.success(request, announcement)
        return redirect(statement.get_absolute_url() + "#proposals")
    rows = proposal_rows(statement)
    if rows["can_merge"]:
        # The answer's main part is empty: the rejected proposal's row goes, and the other
        # rows keep what was typed or ticked in them. The heading's count follows.
        context = {"statement": statement, "oob": True, **rows}
        response = render(request, f"{STATEMENT_PAGE}#proposals_heading", context)
    else:
        # One or none left: nothing to merge any more, so the whole list is drawn again.
        response = render(request, f"{STATEMENT_PAGE}#proposals", {"statement": statement, **rows})
        retarget(response, "#proposals")
        reswap(response, "innerHTML")
    trigger_client_event(response, "announce", {"message": announcement}, after="settle")
    trigger_client_event(response, "proposalRejected", {}, after="settle")
    return response


def _rejection_refused(request: HtmxHttpRequest, statement, proposal, form, *, status: int) -> HttpResponse:
    """The proposal's row again with its problem: a note too long (422), or a proposal
    that someone else reviewed meanwhile (409)."""
    if request.htmx:
        proposal.refresh_from_db()
        can_merge = statement.proposals.awaiting_review().count() > 1
        context = {"statement": statement, "proposal": proposal, "reject_form": form, "can_merge": can_merge}
        return render(request, f"{STATEMENT_PAGE}#proposal_row", context, status=status)
    if status == 409:
        # The proposal is no longer in the list to show the problem beside it.
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect(statement.get_absolute_url() + "#proposals")
    context = statement_page_context(request, statement)
    context.update(proposal_rows(statement, forms={proposal.pk: form}))
    return render(request, STATEMENT_PAGE, context, status=status)
