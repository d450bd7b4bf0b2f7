"""Pages. Each view checks the person's permission first, on the server."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from tracker.models import Pledge

PLEDGES_PER_PAGE = 50


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("pledge_list")


def get_pledge_for_user(request: HttpRequest, pk: int) -> Pledge:
    """The pledge with all that its page shows, or 404. Callers check permission first."""
    return get_object_or_404(Pledge.objects.for_detail(), pk=pk)


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
def pledge_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(Pledge.objects.for_list(), PLEDGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "tracker/pledge_list.html", {"page": page})


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_pledge_for_user(request, pk)
    return render(request, "tracker/pledge_detail.html", {"pledge": pledge})
