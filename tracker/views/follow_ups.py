"""The analysts' forms on the pledge page: a follow-up, evidence on its own, a retraction.

Each form posts to its own URL, and all three are answered by one path (`_submit`):
validate, write through the service, then answer. Without JavaScript a form posts, and
the browser is redirected back to the pledge page (or shown it again with the errors).
With htmx the answer is the form's own part of the page, plus the parts it changed
(swapped "out of band"), and a `pledgeChanged` event that the rest of the page listens to.
A form based on an older version of the pledge's history is answered 409, invalid input
422.
"""

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
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from tracker import history, services
from tracker.forms import EvidenceForm, FollowUpForm, RetractForm, VersionedForm, apply_service_errors
from tracker.models import StatusUpdate
from tracker.views.shared import PLEDGE_PAGE, HtmxHttpRequest, get_pledge, pledge_page_context

logger = logging.getLogger(__name__)

# The parts of the pledge page that show its history.
HISTORY_PARTS = ("status", "facts", "timeline", "evidence_list")


@dataclass(frozen=True)
class PageForm:
    """A form of the pledge page: its part of the page, the name it has in the page's
    context (the part's, unless several forms share the part), the parts a save changes,
    what a save says, and where the page opens after a save without JavaScript."""

    part: str
    changes: tuple[str, ...]
    message: str
    anchor: str
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
    HISTORY_PARTS,
    "Follow-up logged.",
    "#timeline",
    note_at="#follow-up-form",
    focus="#timeline .timeline-entry",
)
EVIDENCE = PageForm(
    "evidence_form",
    ("evidence_list",),
    "Evidence added.",
    "#evidence-list",
    note_at="#evidence-form",
    focus="#evidence-list li",
)
RETRACTION = PageForm(
    "timeline",
    ("status", "facts"),
    "Update retracted.",
    "#timeline",
    key="retract_form",
    note_at="#timeline",
    focus="#timeline .timeline-entry--retracted",
)


@require_safe
@permission_required("tracker.add_statusupdate", raise_exception=True)
def citable_evidence(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The evidence the follow-up form can cite, after evidence was added elsewhere on
    the page; the boxes already ticked stay ticked."""
    pledge = get_pledge(pk)
    form = FollowUpForm(pledge=pledge, initial={"evidence": request.GET.getlist("evidence")})
    return render(request, f"{PLEDGE_PAGE}#citable_evidence", {"pledge": pledge, "follow_up_form": form})


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

    return _submit(request, pk, form, write, FOLLOW_UP, prefixes={"new_evidence.": FollowUpForm.NEW})


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

    return _submit(request, pk, form, write, EVIDENCE)


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

    return _submit(request, pk, form, write, RETRACTION)


def _submit(
    request: HtmxHttpRequest,
    pk: int,
    form: VersionedForm,
    write: Callable[[dict], None],
    page_form: PageForm,
    *,
    prefixes: dict[str, str] | None = None,
) -> HttpResponse:
    """The one path of every form on the pledge page: validate the form, `write` its data
    through the service, and answer: 409 if the history changed since the form was
    shown, 422 with the errors beside their fields, or the page's changed parts."""
    part, name = page_form.part, page_form.name
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except services.VersionConflict as conflict:
            return _conflict(request, pk, form, part=part, key=name, conflict=conflict)
        except ValidationError as error:
            apply_service_errors(form, error, prefixes=prefixes)
        else:
            return _answer(request, pk, part=part, oob=page_form.changes, saved=page_form)
    return _answer(request, pk, part=part, oob=(), status=422, **{name: form})


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


def _conflict(request: HtmxHttpRequest, pk: int, form, *, part: str, key: str, conflict) -> HttpResponse:
    """409: nothing was saved. The page shows the history as it now stands; the form keeps
    its input, now based on the current version, so that the analyst can check what
    changed and submit again on purpose."""
    changes = history.since(conflict.pledge, conflict.based_on_version)
    rebased = form.rebased_on(conflict.pledge.version)
    oob = tuple(other for other in HISTORY_PARTS if other != part)
    return _answer(
        request, pk, part=part, oob=oob, status=409, conflict=changes, conflict_form=key, **{key: rebased}
    )
