"""Importing a statement on the web: paste a text or choose a file, see what was read,
correct it, save. Nothing is written until the person saves: between the steps, the
text travels in the form, not in the database or the session.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tracker import services
from tracker.forms import StatementDraftForm, StatementSourceForm
from tracker.importing.drafts import StatementDraft
from tracker.importing.matching import find_entity, find_speaker
from tracker.models import Entity, Statement, Theme
from tracker.text import as_sentence

PAGE = "tracker/statement_import.html"

# The form field that each error of the service about a new entity or speaker concerns.
SERVICE_FIELDS = {
    "entity.name": "entity",
    "entity.code": "entity",
    "speaker.name": "speaker",
    "speaker.honorific": "honorific",
    "speaker.role": "role",
}


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("tracker.import_statements", raise_exception=True)
def import_statement(request: HttpRequest) -> HttpResponse:
    themes = tuple(Theme.objects.values_list("name", flat=True))
    if request.method in ("GET", "HEAD"):
        return render(request, PAGE, {"source_form": StatementSourceForm()})
    if request.POST.get("step") != "review":
        return _read(request, themes)

    form = StatementDraftForm(request.POST, themes=themes)
    if not form.is_valid():
        return _review(request, form, status=422)
    if request.POST.get("action") != "save":
        # "Read again": the proposals and matches for the corrected fields and text.
        return _review(request, form)
    if request.POST.get("proposals_shown") != proposals_signature(form.draft):
        # The corrections (the text, the entity, the date) changed what is proposed:
        # save only what the person has seen.
        return _review(request, form, proposals_changed=True)
    try:
        result = services.import_statement(draft=form.draft, imported_by=request.user)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for key, found in error.error_dict.items():
                form.add_error(SERVICE_FIELDS.get(key), found)
        else:
            form.add_error(None, error)
        return _review(request, form, status=422)
    (messages.success if result.created else messages.info)(request, as_sentence(result.summary))
    return redirect(result.statement.get_absolute_url() + "#proposals")


def proposals_signature(draft: StatementDraft) -> str:
    """What was proposed, in short: the review page carries it, so that saving can tell
    whether the proposals are still those the person saw."""
    shown = [(p.start, p.end, p.reason, p.summary, p.actor, p.kind) for p in draft.proposals]
    return hashlib.sha256(repr(shown).encode()).hexdigest()


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
                form.errors["delivered_on"] = form.error_class([as_sentence(problem)])
    return _review(request, form, first_read=draft)


def _review(
    request: HttpRequest,
    form: StatementDraftForm,
    *,
    status: int = 200,
    first_read: StatementDraft | None = None,
    proposals_changed: bool = False,
) -> HttpResponse:
    """What was read, to correct: the fields, the entity and speaker they match, the
    proposed pledges, and whether the text is here already. The first read keeps what
    the heading said (the date's words, the notes) that the corrected draft no longer has."""
    draft = first_read or form.draft
    entity = find_entity(draft.entity, draft.entity_code) if draft and draft.entity else None
    context = {
        "form": form,
        "draft": draft,
        "proposals_shown": proposals_signature(draft) if draft else "",
        "proposals_changed": proposals_changed,
        "entity_found": entity,
        "speaker_found": find_speaker(draft.speaker, entity) if entity and draft.speaker else None,
        "existing_statement": (
            Statement.objects.filter(text_fingerprint=draft.fingerprint).first() if draft else None
        ),
        "first_read": first_read is not None,
    }
    return render(request, PAGE, context, status=status)
