"""Pages per statement, entity and speaker: their pledges and where those stand."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tracker import figures
from tracker.models import Entity, Pledge, Speaker, Statement
from tracker.views.shared import STATEMENT_PAGE, statement_page_context


@require_GET
@permission_required("tracker.view_pledge", raise_exception=True)
def statement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.select_related("speaker", "entity"), slug=slug)
    return render(request, STATEMENT_PAGE, statement_page_context(request, statement))


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
