"""Importing a statement on the web: paste a text or choose a file, see what was read,
correct it, save. Nothing is written until the person saves: between the steps, the
text travels in the form, not in the database or the session.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tracker import services
from tracker.forms import StatementDraftForm, StatementSourceForm, apply_service_errors
from tracker.importing.drafts import StatementDraft
from tracker.importing.matching import find_entity, find_speaker
from tracker.models import Entity, Statement, Theme

PAGE = "tracker/statement_import.html"

# Which field of the draft form a service error about the new entity or speaker concerns.
SERVICE_PREFIXES = {"entity.": "entity", "speaker.": "speaker"}


@require_http_methods(["GET", "POST"])
@permission_required("tracker.import_statements", raise_exception=True)
def import_statement(request: HttpRequest) -> HttpResponse:
    themes = tuple(Theme.objects.values_list("name", flat=True))
    if request.method == "GET":
        return render(request, PAGE, {"source_form": StatementSourceForm()})
    if request.POST.get("step") != "review":
        return _read(request, themes)

    form = StatementDraftForm(request.POST, themes=themes)
    if not form.is_valid():
        return _review(request, form, status=422)
    if request.POST.get("action") != "save":
        # "Read again": the proposals and matches for the corrected fields and text.
        return _review(request, form)
    try:
        result = services.import_statement(draft=form.draft, imported_by=request.user)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            apply_service_errors(form, _by_field(error), prefixes={})
        else:
            form.add_error(None, error)
        return _review(request, form, status=422)
    summary = result.summary[0].upper() + result.summary[1:]
    (messages.success if result.created else messages.info)(request, summary)
    return redirect(result.statement.get_absolute_url() + "#proposals")


def _read(request: HttpRequest, themes: tuple[str, ...]) -> HttpResponse:
    """The first step: read the pasted text or the file into a draft to review."""
    known = list(Entity.objects.values_list("name", flat=True))
    source_form = StatementSourceForm(request.POST, request.FILES, known_entities=known, themes=themes)
    if not source_form.is_valid():
        return render(request, PAGE, {"source_form": source_form}, status=422)
    draft = source_form.draft
    form = StatementDraftForm(StatementDraftForm.data_from(draft), themes=themes)
    if not form.is_valid():
        # What the heading did not say, or said twice, is asked for beside its field.
        for problem in draft.problems:
            if "date" in problem and "delivered_on" in form.errors:
                form.errors["delivered_on"] = form.error_class([_sentence(problem)])
    return _review(request, form, read=draft)


def _review(
    request: HttpRequest, form: StatementDraftForm, *, status: int = 200, read: StatementDraft | None = None
) -> HttpResponse:
    """What was read, to correct: the fields, the entity and speaker they match, the
    proposed pledges, and whether the text is here already."""
    draft = form.draft or read
    entity = find_entity(draft.entity, draft.entity_code) if draft and draft.entity else None
    context = {
        "form": form,
        "draft": draft,
        "entity_found": entity,
        "speaker_found": find_speaker(draft.speaker, entity) if entity and draft.speaker else None,
        "already": Statement.objects.filter(text_fingerprint=draft.fingerprint).first() if draft else None,
        "read": read is not None,
    }
    return render(request, PAGE, context, status=status)


def _by_field(error: ValidationError) -> ValidationError:
    """The service names the new entity's and speaker's fields ("entity.name"); the form
    has one field for each."""
    fields: dict[str, list] = {}
    for key, found in error.error_dict.items():
        field = next((f for prefix, f in SERVICE_PREFIXES.items() if key.startswith(prefix)), key)
        fields.setdefault(field, []).extend(found)
    return ValidationError(fields)


def _sentence(problem: str) -> str:
    return problem[0].upper() + problem[1:].rstrip(".") + "."
