"""The pledges: the list (filtered, sorted, as of a date), the analyst's queue, and the
pledge page. Each view checks the person's permission first, on the server."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from tracker import history, rules, services
from tracker.filters import PledgeFilter
from tracker.forms import EvidenceForm, FollowUpForm, RetractForm
from tracker.models import Pledge

PLEDGES_PER_PAGE = 50
PLEDGE_PAGE = "tracker/pledge_detail.html"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Managers start from the dashboard; analysts and administrators from the pledges.
    user = request.user
    reads_only = user.has_perm("tracker.export_pledges") and not user.has_perm("tracker.add_statusupdate")
    return redirect("dashboard" if reads_only else "pledge_list")


def get_pledge_for_user(request: HttpRequest, pk: int, *, permission: str = "tracker.view_pledge") -> Pledge:
    """The pledge with all that its page shows; 403 without the permission, 404 if unknown."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return get_object_or_404(Pledge.objects.for_detail(), pk=pk)


def page_of(queryset: QuerySet, request: HttpRequest) -> tuple[Page, str]:
    """The page asked for, and what was wrong with the asking, if anything."""
    paginator = Paginator(queryset, PLEDGES_PER_PAGE)
    asked = request.GET.get("page", "1")
    try:
        return paginator.page(asked), ""
    except PageNotAnInteger:
        return paginator.page(1), f"“{asked}” is not a page number: showing page 1."
    except EmptyPage:
        number = 1 if float(asked) < 1 else paginator.num_pages
        return paginator.page(number), f"There is no page {asked}: showing page {number}."


def filtered_pledges(request: HttpRequest) -> PledgeFilter:
    """The pledge list's filters, read from the address; the exports read the same."""
    return PledgeFilter(
        request.GET,
        queryset=Pledge.objects.select_related("statement__entity", "statement__speaker", "actor"),
    )


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
@vary_on_headers("HX-Request")
def pledge_list(request: HttpRequest) -> HttpResponse:
    filterset = filtered_pledges(request)
    page, page_error = page_of(filterset.qs, request)
    context = {
        "filter": filterset,
        "page": page,
        "page_error": page_error,
        "as_of": filterset.day if filterset.form.cleaned_data.get("as_of") else None,
        "today": timezone.localdate(),
    }
    # htmx asks for the results alone as the filters change, or, when a filter could not
    # be read, for the filters too, to show the message beside it. Going back in history
    # asks for the whole page again, so that the filters show what the results are.
    if request.htmx and not request.htmx.history_restore_request:
        if filterset.form.errors:
            response = render(request, "tracker/pledge_list.html#list_layout", context)
            return reswap(retarget(response, "#list-layout"), "outerHTML")
        return render(request, "tracker/pledge_list.html#results", context)
    return render(request, "tracker/pledge_list.html", context)


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
def analyst_queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page, page_error = page_of(Pledge.objects.needing_an_analyst(today=today), request)
    for pledge in page.object_list:
        pledge.reasons = pledge.reasons_for_attention(today=today)
    context = {"page": page, "page_error": page_error, "stale_days": rules.STALE_AFTER_DAYS}
    return render(request, "tracker/analyst_queue.html", context)


def pledge_page_context(request: HttpRequest, pledge: Pledge, **bound) -> dict:
    """The pledge page's context. `bound` holds forms that came back with errors or a
    conflict (keyed follow_up_form, evidence_form, retract_form), and `conflict`."""
    user = request.user
    version = {"based_on_version": pledge.version}
    context = {
        "pledge": pledge,
        "conflict": bound.get("conflict"),
        "conflict_form": bound.get("conflict_form"),
    }
    if user.has_perm("tracker.add_statusupdate"):
        context["follow_up_form"] = bound.get("follow_up_form") or FollowUpForm(
            pledge=pledge, initial=version
        )
    if user.has_perm("tracker.add_evidence"):
        context["evidence_form"] = bound.get("evidence_form") or EvidenceForm(initial=version)
    context["timeline"] = history.timeline(pledge)
    retract_form = bound.get("retract_form")
    for update in pledge.status_updates.all():
        # Only the updates this person may retract get a form: their own, or any for an administrator.
        if update.is_retracted or not services.can_retract(user, update):
            update.retract_form = None
        elif retract_form is not None and retract_form.update_pk == update.pk:
            update.retract_form = retract_form
        else:
            update.retract_form = RetractForm(initial=version, update_pk=update.pk)
    return context


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk)
    return render(request, PLEDGE_PAGE, pledge_page_context(request, pledge))
