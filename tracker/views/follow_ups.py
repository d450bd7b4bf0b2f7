"""The analysts' forms on the pledge page.

Each form posts to its own URL. Without JavaScript a form posts, and the browser is
redirected back to the pledge page (or shown it again with the errors). With htmx the
answer is the form's own part of the page, plus the parts it changed (swapped "out of
band"), and a `pledgeChanged` event that the rest of the page listens to.
"""

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from tracker import history, services
from tracker.forms import EvidenceForm, FollowUpForm, RetractForm, apply_service_errors
from tracker.models import StatusUpdate
from tracker.views.pledges import PLEDGE_PAGE, get_pledge_for_user, pledge_page_context

# The parts of the pledge page that show its history.
HISTORY_PARTS = ("status", "facts", "timeline", "evidence_list")


@require_GET
@permission_required("tracker.add_statusupdate", raise_exception=True)
def citable_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence the follow-up form can cite, after evidence was added elsewhere on
    the page; the boxes already ticked stay ticked."""
    pledge = get_pledge_for_user(request, pk)
    form = FollowUpForm(pledge=pledge, initial={"evidence": request.GET.getlist("evidence")})
    return render(request, f"{PLEDGE_PAGE}#citable_evidence", {"pledge": pledge, "follow_up_form": form})


def _answer(
    request: HttpRequest,
    pk: int,
    *,
    part: str,
    oob: tuple[str, ...],
    status: int = 200,
    saved: str = "",
    anchor: str = "",
    **bound,
) -> HttpResponse:
    """Answer a form's POST: with htmx, the form's part of the page and the parts it
    changed; without, a redirect to the page after a save, or the whole page again."""
    if saved and not request.htmx:
        messages.success(request, saved)
        return redirect(reverse("pledge_detail", args=[pk]) + anchor)
    pledge = get_pledge_for_user(request, pk)
    if not request.htmx:
        return render(request, PLEDGE_PAGE, pledge_page_context(request, pledge, **bound), status=status)
    context = pledge_page_context(request, pledge, **bound)
    html = render_to_string(f"{PLEDGE_PAGE}#{part}", context, request)
    for other in oob:
        html += render_to_string(f"{PLEDGE_PAGE}#{other}", {**context, "oob": True}, request)
    response = HttpResponse(html, status=status)
    if saved:
        trigger_client_event(
            response, "pledgeChanged", {"version": pledge.version, "message": saved}, after="settle"
        )
    return response


def _conflict(request: HttpRequest, pk: int, form, *, part: str, key: str, conflict) -> HttpResponse:
    """409: nothing was saved. The page shows the history as it now stands; the form keeps
    its input, now based on the current version, so that the analyst can check what
    changed and submit again on purpose."""
    changes = history.since(conflict.pledge, conflict.based_on_version)
    rebased = form.rebased_on(conflict.pledge.version)
    oob = tuple(other for other in HISTORY_PARTS if other != part)
    return _answer(
        request, pk, part=part, oob=oob, status=409, conflict=changes, conflict_form=key, **{key: rebased}
    )


@require_POST
@permission_required("tracker.add_statusupdate", raise_exception=True)
def log_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk, permission="tracker.add_statusupdate")
    form = FollowUpForm(request.POST, pledge=pledge)
    if form.is_valid():
        try:
            services.record_status_update(
                pledge=pledge,
                author=request.user,
                status=form.cleaned_data["status"],
                effective_on=form.cleaned_data["effective_on"],
                rationale=form.cleaned_data["rationale"],
                evidence=form.cleaned_data["evidence"],
                new_evidence=form.new_evidence(),
                based_on_version=form.cleaned_data["based_on_version"],
            )
        except services.VersionConflict as conflict:
            return _conflict(
                request, pk, form, part="follow_up_form", key="follow_up_form", conflict=conflict
            )
        except ValidationError as error:
            apply_service_errors(form, error, prefixes={"new_evidence.": FollowUpForm.NEW})
        else:
            # The deadline's "overdue" in the facts depends on the status too.
            return _answer(
                request,
                pk,
                part="follow_up_form",
                oob=HISTORY_PARTS,
                saved="Follow-up logged.",
                anchor="#timeline",
            )
    return _answer(request, pk, part="follow_up_form", oob=(), status=422, follow_up_form=form)


@require_POST
@permission_required("tracker.add_evidence", raise_exception=True)
def add_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk, permission="tracker.add_evidence")
    form = EvidenceForm(request.POST)
    if form.is_valid():
        try:
            services.add_evidence(
                pledge=pledge,
                added_by=request.user,
                **asdict(form.new_evidence()),
                based_on_version=form.cleaned_data["based_on_version"],
            )
        except services.VersionConflict as conflict:
            return _conflict(request, pk, form, part="evidence_form", key="evidence_form", conflict=conflict)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _answer(
                request,
                pk,
                part="evidence_form",
                oob=("evidence_list",),
                saved="Evidence added.",
                anchor="#evidence-list",
            )
    return _answer(request, pk, part="evidence_form", oob=(), status=422, evidence_form=form)


@require_POST
def retract_update(request: HttpRequest, pk: int, update_pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk)
    update = get_object_or_404(StatusUpdate.objects.select_related("pledge"), pk=update_pk, pledge=pledge)
    if not services.can_retract(request.user, update):
        raise PermissionDenied
    form = RetractForm(request.POST, update_pk=update.pk)
    if form.is_valid():
        try:
            services.retract_status_update(
                status_update=update,
                retracted_by=request.user,
                reason=form.cleaned_data["reason"],
                based_on_version=form.cleaned_data["based_on_version"],
            )
        except services.VersionConflict as conflict:
            return _conflict(request, pk, form, part="timeline", key="retract_form", conflict=conflict)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _answer(
                request,
                pk,
                part="timeline",
                oob=("status", "facts"),
                saved="Update retracted.",
                anchor="#timeline",
            )
    return _answer(request, pk, part="timeline", oob=(), status=422, retract_form=form)
