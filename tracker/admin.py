"""The administrators' pages: statements with their pledges, who spoke, themes.

History (status updates, retractions, evidence, earlier statement texts) can be
read here and never changed: it is written only by the services, from the
analysts' pages.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from tracker import services
from tracker.models import (
    Entity,
    Evidence,
    Pledge,
    Retraction,
    Speaker,
    Statement,
    StatementRevision,
    StatusUpdate,
    Theme,
)
from tracker.text import locate_quote, normalize_newlines

admin.site.site_header = "Pledge tracker administration"
admin.site.site_title = "Pledge tracker"
admin.site.index_title = "Records"


class PledgeAdminForm(forms.ModelForm):
    """Finds the quote in the statement text and sets its offsets from there.

    Administrators edit words, not numbers: the offsets follow the quote. When a
    statement's text changes, a quote that moved is found again (nearest to where
    it was); a quote the text no longer holds stops the save, naming the pledge.
    """

    # The admin supplies the model and the fields.
    offsets_moved = False

    def clean(self):
        cleaned = super().clean()
        quote = normalize_newlines(cleaned.get("quote") or "")
        statement = cleaned.get("statement") or self.instance.statement_if_set
        if not quote or statement is None:
            return cleaned
        cleaned["quote"] = quote
        old = (self.instance.quote_start, self.instance.quote_end)
        located = locate_quote(statement.text, quote, near=old[0] if self.instance.pk else None)
        if located is None:
            if self.instance.pk:
                message = (
                    f"{self.instance}: the statement text no longer contains this quote. "
                    "Keep its words in the text, or change the quote to words the text has."
                )
            else:
                message = "The statement text does not contain this quote; copy it verbatim."
            self.add_error("quote", message)
            return cleaned
        self.offsets_moved = self.instance.pk is not None and located != old
        self.instance.quote_start, self.instance.quote_end = located
        return cleaned


class PledgeInline(admin.StackedInline):
    model = Pledge
    form = PledgeAdminForm
    extra = 1
    show_change_link = True
    fields = [
        ("number", "kind", "actor"),
        "quote",
        ("quote_start", "quote_end"),
        "summary",
        "themes",
        ("deadline_text", "deadline_on", "deadline_precision"),
        ("amount", "currency", "amount_stage", "amount_approximate"),
        "beneficiaries",
        ("status", "version"),
    ]
    readonly_fields = ["quote_start", "quote_end", "status", "version"]


class StatementRevisionInline(admin.TabularInline):
    model = StatementRevision
    fields = ["changed_at", "changed_by", "text_before"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "earlier text"
    verbose_name_plural = "earlier texts (kept at each change)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class StatementAdminForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The text is verbatim: spaces at either end belong to it.
        self.fields["text"].strip = False

    def clean_text(self) -> str:
        text = normalize_newlines(self.cleaned_data["text"])
        if not text.strip():
            raise forms.ValidationError("The statement needs its text.")
        return text


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    form = StatementAdminForm
    inlines = [PledgeInline, StatementRevisionInline]
    list_display = ["delivered_on", "entity", "speaker", "organ", "title"]
    list_filter = ["entity", "organ", "language"]
    search_fields = ["title", "meeting", "text", "speaker__name"]
    date_hierarchy = "delivered_on"
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["entity", "speaker"]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("speaker", "entity")]}),
        ("Where and when", {"fields": [("delivered_on", "language"), "organ", "meeting", "source_url"]}),
        ("Text", {"fields": ["text"]}),
    ]

    def save_model(self, request: HttpRequest, obj: Statement, form, change: bool) -> None:
        # The admin's change view already runs in one transaction with the pledges.
        services.save_statement(statement=obj, changed_by=request.user)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        formset.save()
        if formset.model is not Pledge:
            return
        moved = [f for f in formset.initial_forms if f.offsets_moved and f not in formset.deleted_forms]
        for pledge_form in moved:
            # The formset saves only the forms whose fields changed; a pledge whose
            # quote merely moved in the new text needs its new offsets saved too.
            if not pledge_form.has_changed():
                pledge_form.instance.save(update_fields=["quote_start", "quote_end"])
        if moved:
            numbers = ", ".join(str(f.instance.number) for f in moved)
            self.message_user(
                request,
                f"The quotes of pledges {numbers} moved in the new text; their offsets follow them.",
                messages.INFO,
            )


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    form = PledgeAdminForm
    list_display = ["__str__", "statement", "actor", "kind", "deadline_on", "status"]
    list_filter = ["status", "kind", "actor", "themes"]
    search_fields = ["quote", "summary", "statement__title"]
    list_select_related = ["statement__entity", "actor"]
    readonly_fields = ["quote_start", "quote_end", "status", "version"]
    filter_horizontal = ["themes"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "honorific", "role", "entity"]
    list_filter = ["entity"]
    search_fields = ["name", "role"]
    list_select_related = ["entity"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class HistoryAdmin(admin.ModelAdmin):
    """History can be read here; it is never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StatusUpdate)
class StatusUpdateAdmin(HistoryAdmin):
    list_display = ["pledge", "status", "effective_on", "author", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["pledge", "author"]
    search_fields = ["rationale", "pledge__summary"]
    date_hierarchy = "effective_on"


@admin.register(Retraction)
class RetractionAdmin(HistoryAdmin):
    list_display = ["status_update", "retracted_by", "retracted_at"]
    list_select_related = ["status_update__pledge", "retracted_by"]


@admin.register(Evidence)
class EvidenceAdmin(HistoryAdmin):
    list_display = ["title", "pledge", "publisher", "source_type", "stance", "added_by", "added_at"]
    list_filter = ["source_type", "stance"]
    list_select_related = ["pledge", "added_by"]
    search_fields = ["title", "url", "publisher", "excerpt"]


@admin.register(StatementRevision)
class StatementRevisionAdmin(HistoryAdmin):
    list_display = ["statement", "changed_by", "changed_at"]
    list_select_related = ["statement__entity", "changed_by"]
