"""The pledges: the list (filtered, sorted, as of a date), the analyst's queue, and the
pledge page. Each view checks the person's permission first, on the server."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url, reswap, retarget

from tracker import rules
from tracker.filters import FINDERS
from tracker.models import Pledge
from tracker.views.shared import (
    PLEDGE_PAGE,
    HtmxHttpRequest,
    filtered_pledges,
    get_pledge,
    page_of,
    pledge_page_context,
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # Managers start from the dashboard; analysts and administrators from the pledges.
    user = request.user
    reads_only = user.has_perm("tracker.export_pledges") and not user.has_perm("tracker.add_statusupdate")
    return redirect("dashboard" if reads_only else "pledge_list")


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
@vary_on_headers("HX-Request")
def pledge_list(request: HtmxHttpRequest) -> HttpResponse:
    # A form sends every field, the empty ones too: the address to share keeps only
    # the filters in use.
    in_use = filters_in_use(request)
    if not request.htmx and in_use.urlencode() != request.GET.urlencode():
        return redirect(_address(in_use))
    filterset = filtered_pledges(request)
    page, page_error = page_of(filterset.qs, request, by_ids=True, count=filterset.count)
    context = {
        "filter": filterset,
        "page": page,
        "page_error": page_error,
        "as_of": filterset.day if filterset.form.cleaned_data.get("as_of") else None,
        "known_on": filterset.known_day,
        "active_filters": len([key for key in in_use if key not in ("page", "sort")]),
        # The links to this list's briefing, exports and pages carry only the filters in use.
        "in_use": in_use,
        "today": timezone.localdate(),
    }
    # htmx asks for the results alone as the filters change, or, when a filter could not
    # be read, for the filters too, to show the message beside it. Going back in history
    # asks for the whole page again, so that the filters show what the results are.
    if request.htmx and not request.htmx.history_restore_request:
        if filterset.form.errors:
            response = render(request, "tracker/pledge_list.html#list_layout", context)
            response = reswap(retarget(response, "#list-layout"), "outerHTML")
        else:
            response = render(request, "tracker/pledge_list.html#results", context)
        return push_url(response, _address(in_use))
    return render(request, "tracker/pledge_list.html", context)


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def suggestions(request: HttpRequest, name: str) -> HttpResponse:
    """The records matching what was typed in the list's filter `name` (entity, speaker,
    statement), as the <option>s of its <datalist>."""
    finder = FINDERS.get(name)
    if finder is None:
        raise Http404("No such filter.")
    # (No name holds a NUL character, and PostgreSQL refuses one in a query.)
    typed = request.GET.get(name, "")[:200].replace("\x00", "").strip()
    records = finder.suggest(typed) if typed else []
    options = [(finder.name_of(record), finder.describe(record)) for record in records]
    return render(request, "tracker/suggestions.html", {"options": options})


def filters_in_use(request: HttpRequest) -> QueryDict:
    """The list's query without its empty fields."""
    kept = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        values = [value for value in values if value != ""]
        if values:
            kept.setlist(key, values)
    return kept


def _address(query: QueryDict) -> str:
    return reverse("pledge_list") + (f"?{query.urlencode()}" if query else "")


@require_safe
@permission_required("tracker.add_statusupdate", raise_exception=True)
def analyst_queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page, page_error = page_of(
        Pledge.objects.needing_an_analyst(today=today),
        request,
        count=lambda: Pledge.objects.count_needing_an_analyst(today=today),
    )
    for pledge in page.object_list:
        pledge.reasons = pledge.reasons_for_attention(today=today)
    context = {
        "page": page,
        "page_error": page_error,
        "rules_explained": rules.NEEDS_AN_ANALYST,
        "closed_explained": rules.CLOSED_EXPLAINED,
        "not_checked_days": rules.NOT_CHECKED_DAYS,
    }
    return render(request, "tracker/analyst_queue.html", context)


@require_safe
@permission_required("tracker.view_pledge", raise_exception=True)
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge(pk, whole_history=request.GET.get("history") == "all")
    return render(request, PLEDGE_PAGE, pledge_page_context(request, pledge))
