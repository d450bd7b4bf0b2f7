"""The analysts' forms on the pledge page: a follow-up, a review, evidence on its own, a
retraction (of an update or a review), a withdrawal of evidence.

Each form posts to its own URL, and all are answered by one path (`_submit`):
validate, write through the service, then answer. Without JavaScript a form posts, and
the browser is redirected back to the pledge page (or shown it again with the errors).
With htmx the answer is the form's own part of the page, plus the parts it changed
(swapped "out of band"), and a `pledgeChanged` event that the rest of the page listens to.
A form based on an older version of the pledge's history is answered 409, invalid input
422. A follow-up or a review saved with "Save and go to the next" goes on to the queue's
next pledge instead.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh, trigger_client_event

from tracker import history, services
from tracker.forms import (
    EvidenceForm,
    FollowUpForm,
    RetractForm,
    ReviewForm,
    VersionedForm,
    WithdrawForm,
    apply_service_errors,
)
from tracker.models import Evidence, Pledge, Review, StatusUpdate
from tracker.views.shared import (
    PLEDGE_PAGE,
    HtmxHttpRequest,
    get_pledge,
    next_in_queue,
    pledge_page_context,
    queue_walk,
    walk_mark,
)

logger = logging.getLogger(__name__)

# The parts of the pledge page that show its history.
HISTORY_PARTS = ("status", "facts", "timeline", "evidence_list")
# What a change to the timeline alone changes besides: the last check, and whether the
# status rests on withdrawn evidence. A change of status also redraws the review form,
# which names the status it confirms ("review_section").
TIMELINE_PARTS = ("status", "facts", "timeline")


@dataclass(frozen=True)
class PageForm:
    """A form of the pledge page: its part of the page, the name it has in the page's
    context (the part's, unless several forms share the part), the parts a save changes,
    what a save says, and where the page opens after a save without JavaScript."""

    part: str
    changes: tuple[str, ...]
    message: str
    anchor: str
    # The kind of history entry a save makes (tracker.history), to know a retry by its own.
    kind: str
    key: str = ""
    # With htmx: where the page shows that it was saved, and what takes the focus then.
    note_at: str = ""
    focus: str = ""

    @property
    def name(self) -> str:
        return self.key or self.part


# The deadline's "overdue" in the facts depends on the status too.
FOLLOW_UP = PageForm(
    "follow_up_form",
    (*HISTORY_PARTS, "review_section"),
    "Follow-up logged.",
    "#timeline",
    history.UPDATE,
    note_at="#timeline",
    focus="#timeline .timeline-entry",
)
EVIDENCE = PageForm(
    "evidence_form",
    ("evidence_list",),
    "Evidence added.",
    "#evidence-list",
    history.EVIDENCE,
    note_at="#evidence-form",
    focus="#evidence-list li",
)
RETRACTION = PageForm(
    "timeline",
    ("status", "facts", "review_section"),
    "Update retracted.",
    "#timeline",
    history.RETRACTION,
    key="retract_form",
    note_at="#timeline",
    focus="#timeline .timeline-entry--retracted",
)
REVIEW = PageForm(
    "review_form",
    TIMELINE_PARTS,
    "Review recorded: the status still stands.",
    "#timeline",
    history.REVIEW,
    note_at="#timeline",
    focus="#timeline .timeline-entry",
)
REVIEW_RETRACTION = PageForm(
    "timeline",
    ("status", "facts", "review_section"),
    "Review retracted.",
    "#timeline",
    history.REVIEW_RETRACTION,
    key="retract_form",
    note_at="#timeline",
    focus="#timeline .timeline-entry--retracted",
)
WITHDRAWAL = PageForm(
    "evidence_list",
    TIMELINE_PARTS,
    "Evidence withdrawn.",
    "#evidence-list",
    history.WITHDRAWAL,
    key="withdraw_form",
    note_at="#evidence-list",
    focus="#evidence-list .evidence-item--withdrawn",
)


@require_safe
@permission_required("tracker.add_statusupdate", raise_exception=True)
def citable_evidence(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The evidence the follow-up form (or, with `?form=review`, the review form) can
    cite, after evidence was added or withdrawn elsewhere on the page; the boxes already
    ticked stay ticked."""
    pledge = get_pledge(pk)
    if request.GET.get("form") == ReviewForm.prefix:
        ticked = request.GET.getlist(f"{ReviewForm.prefix}-evidence")
        form = ReviewForm(pledge=pledge, initial={"evidence": ticked})
    else:
        form = FollowUpForm(pledge=pledge, initial={"evidence": request.GET.getlist("evidence")})
    return render(request, f"{PLEDGE_PAGE}#citable_evidence", {"pledge": pledge, "citable": form["evidence"]})


@require_POST
@permission_required("tracker.add_statusupdate", raise_exception=True)
def log_follow_up(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge(pk)
    form = FollowUpForm(request.POST, pledge=pledge)

    def write(data: dict) -> None:
        services.record_status_update(
            pledge=pledge,
            author=request.user,
            status=data["status"],
            effective_on=data["effective_on"],
            rationale=data["rationale"],
            evidence=data["evidence"],
            new_evidence=form.new_evidence(),
            based_on_version=data["based_on_version"],
        )

    return _submit(request, pledge, form, write, FOLLOW_UP, prefixes={"new_evidence.": FollowUpForm.NEW})


@require_POST
@permission_required("tracker.add_review", raise_exception=True)
def record_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge(pk)
    form = ReviewForm(request.POST, pledge=pledge)

    def write(data: dict) -> None:
        services.record_review(
            pledge=pledge,
            author=request.user,
            note=data["note"],
            evidence=data["evidence"],
            confirms=data["status"] or None,
            based_on_version=data["based_on_version"],
        )

    return _submit(request, pledge, form, write, REVIEW)


@require_POST
@permission_required("tracker.add_evidence", raise_exception=True)
def add_evidence(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge(pk)
    form = EvidenceForm(request.POST)

    def write(data: dict) -> None:
        services.add_evidence(
            pledge=pledge,
            added_by=request.user,
            **asdict(form.new_evidence()),
            based_on_version=data["based_on_version"],
        )

    return _submit(request, pledge, form, write, EVIDENCE)


@require_POST
@permission_required("tracker.add_retraction", raise_exception=True)
def retract_update(request: HtmxHttpRequest, pk: int, update_pk: int) -> HttpResponse:
    pledge = get_pledge(pk)
    update = get_object_or_404(StatusUpdate.objects.select_related("pledge"), pk=update_pk, pledge=pledge)
    # Analysts retract their own updates; administrators any.
    if not services.can_retract(request.user, update):
        raise PermissionDenied
    form = RetractForm(request.POST, update_pk=update.pk)

    def write(data: dict) -> None:
        services.retract_status_update(
            status_update=update,
            retracted_by=request.user,
            reason=data["reason"],
            based_on_version=data["based_on_version"],
        )

    return _submit(request, pledge, form, write, RETRACTION)


@require_POST
@permission_required("tracker.add_retraction", raise_exception=True)
def retract_review(request: HtmxHttpRequest, pk: int, review_pk: int) -> HttpResponse:
    pledge = get_pledge(pk)
    review = get_object_or_404(Review.objects.select_related("pledge"), pk=review_pk, pledge=pledge)
    if not services.can_retract(request.user, review):
        raise PermissionDenied
    form = RetractForm(request.POST, update_pk=review.pk, kind="review")

    def write(data: dict) -> None:
        services.retract_review(
            review=review,
            retracted_by=request.user,
            reason=data["reason"],
            based_on_version=data["based_on_version"],
        )

    return _submit(request, pledge, form, write, REVIEW_RETRACTION)


@require_POST
@permission_required("tracker.add_evidencewithdrawal", raise_exception=True)
def withdraw_evidence(request: HtmxHttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    pledge = get_pledge(pk)
    evidence = get_object_or_404(Evidence.objects.select_related("pledge"), pk=evidence_pk, pledge=pledge)
    # Analysts withdraw the evidence they added; administrators any.
    if not services.can_withdraw(request.user, evidence):
        raise PermissionDenied
    form = WithdrawForm(request.POST, evidence_pk=evidence.pk)

    def write(data: dict) -> None:
        services.withdraw_evidence(
            evidence=evidence,
            withdrawn_by=request.user,
            reason=data["reason"],
            based_on_version=data["based_on_version"],
        )

    return _submit(request, pledge, form, write, WITHDRAWAL)


def _submit(
    request: HtmxHttpRequest,
    pledge: Pledge,
    form: VersionedForm,
    write: Callable[[dict], None],
    page_form: PageForm,
    *,
    prefixes: dict[str, str] | None = None,
) -> HttpResponse:
    """The one path of every form on the pledge page: validate the form, `write` its data
    through the service, and answer: 409 if the history changed since the form was
    shown, 422 with the errors beside their fields, or the page's changed parts (or, for
    "Save and go to the next", the queue's next pledge). `pledge` is as the form was
    shown: its place in the queue is the one it had then."""
    pk, part, name = pledge.pk, page_form.part, page_form.name
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except services.VersionConflict as conflict:
            return _conflict(request, pk, form, part=part, key=name, kind=page_form.kind, conflict=conflict)
        except ValidationError as error:
            apply_service_errors(form, error, prefixes=prefixes)
            form.offer_version(pledge.version)
        else:
            walk_began = queue_walk(request)
            if request.POST.get("then") == "next" and walk_began:
                return _go_to_next(request, pledge, page_form, walk_began)
            return _answer(request, pk, part=part, oob=page_form.changes, saved=page_form)
    else:
        form.offer_version(pledge.version)
    return _answer(request, pk, part=part, oob=(), status=422, **{name: form})


def _go_to_next(
    request: HtmxHttpRequest, pledge: Pledge, saved: PageForm, walk_began: datetime.datetime
) -> HttpResponse:
    """After "Save and go to the next": the queue's next pledge, saying what was saved, or
    the queue itself at its end."""
    following = next_in_queue(pledge, walk_began)
    said = f"{saved.message.removesuffix('.')} on “{pledge.summary}”."
    if following is None:
        messages.success(request, f"{said} That was the last pledge in the queue to check now.")
        url = reverse("analyst_queue")
    else:
        messages.success(request, f"{said} Here is the next pledge in the queue.")
        url = reverse("pledge_detail", args=[following.pk]) + f"?queue={walk_mark(walk_began)}"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _answer(
    request: HtmxHttpRequest,
    pk: int,
    *,
    part: str,
    oob: tuple[str, ...],
    status: int = 200,
    saved: PageForm | None = None,
    **bound,
) -> HttpResponse:
    """Answer a form's POST: with htmx, the form's part of the page and the parts it
    changed; without, a redirect to the page after a save (`saved` says which form's),
    or the whole page again."""
    if saved and not request.htmx:
        messages.success(request, saved.message)
        return redirect(reverse("pledge_detail", args=[pk]) + saved.anchor)
    if not request.htmx:
        context = pledge_page_context(request, get_pledge(pk), **bound)
        return render(request, PLEDGE_PAGE, context, status=status)
    if not saved:
        return _parts(request, pk, part=part, oob=oob, status=status, **bound)
    try:
        return _parts(request, pk, part=part, oob=oob, status=status, saved=saved)
    except Exception:
        # The write is committed: an answer that fails now must not read as a failure,
        # or the analyst would enter it again. The page reloads instead, saying it was saved.
        logger.exception("The answer to a saved form of pledge %s failed; the page reloads.", pk)
        messages.success(request, saved.message)
        return HttpResponseClientRefresh()


def _parts(
    request: HtmxHttpRequest,
    pk: int,
    *,
    part: str,
    oob: tuple[str, ...],
    status: int,
    saved: PageForm | None = None,
    **bound,
) -> HttpResponse:
    """The form's part of the pledge page, and the parts it changed, swapped out of band."""
    pledge = get_pledge(pk)
    context = pledge_page_context(request, pledge, **bound)
    html = render_to_string(f"{PLEDGE_PAGE}#{part}", context, request)
    for other in oob:
        html += render_to_string(f"{PLEDGE_PAGE}#{other}", {**context, "oob": True}, request)
    response = HttpResponse(html, status=status)
    if saved:
        said = {
            "version": pledge.version,
            "message": saved.message,
            "noteAt": saved.note_at,
            "focus": saved.focus,
        }
        trigger_client_event(response, "pledgeChanged", said, after="settle")
    return response


def _conflict(
    request: HtmxHttpRequest, pk: int, form, *, part: str, key: str, kind: str, conflict
) -> HttpResponse:
    """409: nothing was saved. The page shows the history as it now stands; the form keeps
    its input, now based on the current version, so that the analyst can check what
    changed and submit again on purpose."""
    changes = history.since(conflict.pledge, conflict.based_on_version)
    rebased = form.rebased_on(conflict.pledge.version)
    oob = tuple(other for other in HISTORY_PARTS if other != part)
    return _answer(
        request,
        pk,
        part=part,
        oob=oob,
        status=409,
        conflict=changes,
        conflict_form=key,
        conflict_kind=kind,
        **{key: rebased},
    )
