"""The administrators' pages: statements with their pledges, who spoke, themes.

History (status updates, retractions, evidence, earlier statement texts) can be
read here and never changed: it is written only by the services, from the
analysts' pages. Deleting a pledge or statement that has history is refused with
a page that says why, and how to mark the pledge withdrawn instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from tracker import services
from tracker.models import (
    AMOUNT_FIELDS,
    DEADLINE_FIELDS,
    Entity,
    Evidence,
    EvidenceWithdrawal,
    Pledge,
    ProposedPledge,
    Retraction,
    Review,
    ReviewRetraction,
    Speaker,
    Statement,
    StatementRevision,
    StatusUpdate,
    Theme,
)
from tracker.text import fold_typography, locate_quote, normalize_newlines, occurrences
from tracker.views.shared import PLEDGES_PER_PAGE
from tracker.vocabulary import Status

admin.site.site_header = "Pledge tracker administration"
admin.site.site_title = "Pledge tracker"
admin.site.index_title = "Records"

# How many pledges a theme's delete confirmation names before "and N more".
PLEDGES_NAMED = 5
# How much of an earlier text of a statement its page shows.
EARLIER_TEXT_SHOWN = 120


def counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# --- history is never deleted ---------------------------------------------------------


def with_history_counts(pledges: QuerySet[Pledge]) -> QuerySet[Pledge]:
    return pledges.annotate(
        update_count=Count("status_updates", distinct=True),
        evidence_count=Count("evidence", distinct=True),
    )


def pledges_with_history(pledges: QuerySet[Pledge]) -> list[Pledge]:
    """These pledges that have status updates or evidence, counted, in one query."""
    return list(
        with_history_counts(pledges)
        .filter(Q(update_count__gt=0) | Q(evidence_count__gt=0))
        .select_related("statement__entity")
        .order_by("statement__delivered_on", "statement_id", "number")
    )


def history_note(pledge: Pledge) -> str:
    """ "Pledge 4 has 2 status updates and 1 piece of evidence; history is never deleted."
    Needs the counts of with_history_counts()."""
    held = []
    if pledge.update_count:
        held.append(counted(pledge.update_count, "status update", "status updates"))
    if pledge.evidence_count:
        held.append(counted(pledge.evidence_count, "piece of evidence", "pieces of evidence"))
    return f"Pledge {pledge.number} has {' and '.join(held)}; history is never deleted."


def withdraw_url(pledge: Pledge) -> str:
    """Its pledge page, where analysts and administrators log a status update."""
    return reverse("pledge_detail", args=[pledge.pk]) + "#follow-up-heading"


@dataclass
class KeptPledge:
    """A pledge whose history stops a deletion, with the way forward."""

    pledge: Pledge
    note: str
    withdraw_url: str
    statement_shown: bool = False

    @classmethod
    def of(cls, pledge: Pledge, *, statement_shown: bool = False) -> KeptPledge:
        return cls(pledge, history_note(pledge), withdraw_url(pledge), statement_shown)


@dataclass
class DeletionRefused:
    """Why some records cannot be deleted: pledges with history, and other reasons."""

    kept_pledges: list[KeptPledge] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.kept_pledges or self.reasons)


class HistoryKeptOnDelete:
    """For a ModelAdmin whose records history points at: deleting one that has history,
    from its page or with the "delete selected" action, shows why it cannot be deleted
    and what to do instead, in place of Django's list of protected objects."""

    def deletion_refused(self, objs: list) -> DeletionRefused:
        raise NotImplementedError

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            refused = self.deletion_refused([obj])
            if refused:
                return self.render_deletion_refused(request, refused, obj=obj)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(permissions=["delete"], description="Delete selected %(verbose_name_plural)s")
    def delete_selected(self, request: HttpRequest, queryset: QuerySet):
        refused = self.deletion_refused(list(queryset))
        if refused:
            return self.render_deletion_refused(request, refused, obj=None)
        return admin_actions.delete_selected(self, request, queryset)

    def render_deletion_refused(self, request: HttpRequest, refused: DeletionRefused, *, obj) -> HttpResponse:
        request.current_app = self.admin_site.name
        name = self.opts.verbose_name if obj is not None else self.opts.verbose_name_plural
        context = {
            **self.admin_site.each_context(request),
            "title": f"Cannot delete {name}",
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "refused": refused,
            "withdrawn": Status.WITHDRAWN.label,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/tracker/deletion_refused.html", context)


# --- pledges inside a statement ---------------------------------------------------------


class PledgeAdminForm(forms.ModelForm):
    """Finds the quote in the statement text and sets its offsets from there.

    Administrators edit words, not numbers: the offsets follow the quote. When a
    statement's text changes, a quote that moved is found again (nearest to where
    it was); a quote the text no longer holds stops the save, on that pledge.
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
        near = old[0] if self.instance.pk else None
        located = locate_quote(statement.text, quote, near=near)
        if located is None:
            # Typed with a straight apostrophe where the text has a curly one, or the like:
            # the quote takes the text's own characters.
            located = locate_quote(fold_typography(statement.text), fold_typography(quote), near=near)
            if located is not None:
                quote = cleaned["quote"] = statement.text[located[0] : located[1]]
        # Counted with the typography folded: "Japan's" matches "Japan’s" as well.
        found = occurrences(fold_typography(statement.text), fold_typography(quote))
        if located is not None and near is None and len(found) > 1:
            places = ", ".join(str(start) for start in found)
            self.add_error(
                "quote",
                f"These words appear more than once in the text (at characters {places}): quote more of "
                "the sentence, so that it names one place, or make the pledge on the statement's page "
                "by selecting the passage.",
            )
            return cleaned
        if located is None:
            if self.instance.pk:
                message = (
                    "The statement text no longer contains this quote. "
                    "Keep its words in the text, or change the quote to words the text has."
                )
            else:
                message = "The statement text does not contain this quote; copy it verbatim."
            self.add_error("quote", message)
            # Its words have no place in this text, so no offsets either: the model's
            # check of the quote at its offsets would only repeat the error in numbers.
            self.instance.quote_start = self.instance.quote_end = None
            return cleaned
        self.offsets_moved = self.instance.pk is not None and located != old
        self.instance.quote_start, self.instance.quote_end = located
        return cleaned


class PledgeInlineFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """A pledge with history ticked for deletion: an error on its row, and nothing saved.

        Checked before the admin's own check, which would list the protected rows of
        history instead, at the top of the inline."""
        self.refuse_to_delete_history()
        super().clean()

    def refuse_to_delete_history(self) -> None:
        if not self.can_delete:
            return
        ticked = {
            form.instance.pk: form
            for form in self.forms
            if form.instance.pk is not None and getattr(form, "cleaned_data", {}).get("DELETE")
        }
        if not ticked:
            return
        kept = pledges_with_history(Pledge.objects.filter(pk__in=ticked))
        for pledge in kept:
            ticked[pledge.pk].add_error(
                None,
                format_html(
                    "{} Untick “Delete”; if the pledge was withdrawn or superseded, "
                    '<a href="{}">mark it {} on its pledge page</a>.',
                    history_note(pledge),
                    withdraw_url(pledge),
                    Status.WITHDRAWN.label,
                ),
            )
        if kept:
            numbers = ", ".join(str(pledge.number) for pledge in kept)
            raise ValidationError(
                f"Nothing was saved: {counted(len(kept), 'pledge', 'pledges')} with history "
                f"cannot be deleted (pledge {numbers})."
            )


class PledgeInline(admin.StackedInline):
    model = Pledge
    form = PledgeAdminForm
    formset = PledgeInlineFormSet
    extra = 1
    show_change_link = True
    # The words first; the rest folded away. Fields that the model checks together stand
    # on lines of their own, so that the admin unfolds the section when one has an error.
    fieldsets = [
        (None, {"fields": [("number", "kind", "actor", "status"), "quote", "summary"]}),
        (
            "Themes, deadline, amount, beneficiaries, condition",
            {
                "classes": ["collapse", "pledge-details"],
                "fields": [
                    "themes",
                    *DEADLINE_FIELDS,
                    *AMOUNT_FIELDS,
                    "beneficiaries",
                    "condition",
                    ("quote_start", "quote_end", "version"),
                ],
            },
        ),
    ]
    readonly_fields = ["quote_start", "quote_end", "status", "version"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "quote":
            kwargs["widget"] = admin_widgets.AdminTextareaWidget(attrs={"rows": 3, "class": "pledge-quote"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @staticmethod
    def place_of(form: forms.ModelForm) -> str:
        """What the error summary calls a row: "Pledge 4", or "New pledge" for an added one."""
        if form.instance.pk is not None:
            return f"Pledge {form.initial.get('number', form.instance.number)}"
        return "New pledge"


class StatementRevisionInline(admin.TabularInline):
    model = StatementRevision
    fields = ["changed_at", "changed_by", "earlier_text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    classes = ["collapse"]
    verbose_name = "earlier text"
    verbose_name_plural = "earlier texts (kept at each change)"

    @admin.display(description="text before")
    def earlier_text(self, revision: StatementRevision) -> str:
        # Its first words and a link: each earlier text is as long as the statement itself.
        return format_html(
            '“{}…” ({} characters) <a href="{}">Read it in full</a>',
            revision.text_before[:EARLIER_TEXT_SHOWN],
            f"{len(revision.text_before):,}",
            reverse("admin:tracker_statementrevision_change", args=[revision.pk]),
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- statements ----------------------------------------------------------------------------


class StatementAdminForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        # The text is verbatim: spaces at either end belong to it.
        text.strip = False
        # Tall and full width, so that an administrator reads it as a text, not a field.
        text.widget.attrs.update(
            {"rows": 32, "class": "vLargeTextField statement-text", "spellcheck": "false"}
        )

    def clean_text(self) -> str:
        text = normalize_newlines(self.cleaned_data["text"])
        if not text.strip():
            raise forms.ValidationError("The statement needs its text.")
        return text


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary at the top of a change page: where, and what."""

    href: str
    place: str
    message: str


def error_links(form: forms.ModelForm, inline_admin_formsets) -> list[ErrorLink]:
    """Every error of a change page, each with a link to the field or inline row it is on.

    Errors on the whole form are already shown under the note; those on a row link to
    the row (its id, such as #pledges-3, is the admin's own)."""
    links = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        bound = form[name]
        links += [ErrorLink(f"#{bound.auto_id}", capfirst(bound.label), message) for message in errors]
    for inline_admin_formset in inline_admin_formsets:
        formset = inline_admin_formset.formset
        inline = inline_admin_formset.opts
        group = capfirst(inline.verbose_name_plural)
        links += [ErrorLink(f"#{formset.prefix}-group", group, m) for m in formset.non_form_errors()]
        place_of = getattr(inline, "place_of", None)
        for index, row in enumerate(formset.forms):
            if not row.errors:
                continue
            place = place_of(row) if place_of else f"{capfirst(inline.verbose_name)} {index + 1}"
            for name, errors in row.errors.items():
                label = row[name].label if name in row.fields else name
                where = place if name == NON_FIELD_ERRORS else f"{place}, {label.lower()}"
                links += [ErrorLink(f"#{formset.prefix}-{index}", where, message) for message in errors]
    return links


@admin.register(Statement)
class StatementAdmin(HistoryKeptOnDelete, admin.ModelAdmin):
    form = StatementAdminForm
    inlines = [PledgeInline, StatementRevisionInline]
    actions = ["delete_selected"]
    list_display = ["delivered_on", "entity", "speaker", "organ", "title"]
    list_filter = ["entity", "organ", "language"]
    search_fields = ["title", "meeting", "text", "speaker__name"]
    date_hierarchy = "delivered_on"
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["entity", "speaker"]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("speaker", "entity")]}),
        ("Where and when", {"fields": [("delivered_on", "language"), "organ", "meeting", "source_url"]}),
        ("Text", {"fields": ["text"], "classes": ["statement-text-fieldset"]}),
    ]

    class Media:
        css = {"all": ["tracker/admin.css"]}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["error_links"] = error_links(context["adminform"].form, context["inline_admin_formsets"])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Statement, form, change: bool) -> None:
        # The admin's change view already runs in one transaction with the pledges.
        services.save_statement(statement=obj, changed_by=request.user)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not Pledge:
            formset.save()
            return
        # New pledges are saved whole; a pledge held already goes through the service,
        # which writes only what changed, under its lock (never its status or version
        # read earlier), and keeps what analysts judged if that changed. A pledge whose
        # quote merely moved in the new text has its new offsets saved the same way.
        formset.save(commit=False)
        for pledge in formset.deleted_objects:
            pledge.delete()
        for pledge in formset.new_objects:
            pledge.save()
        moved = [f for f in formset.initial_forms if f.offsets_moved and f not in formset.deleted_forms]
        edited = {pledge.pk for pledge, _ in formset.changed_objects} | {f.instance.pk for f in moved}
        for pledge_form in formset.initial_forms:
            if pledge_form.instance.pk in edited and pledge_form not in formset.deleted_forms:
                save_pledge_edit(request, pledge_form.instance, pledge_form)
        formset.save_m2m()
        if moved:
            numbers = ", ".join(str(f.instance.number) for f in moved)
            self.message_user(
                request,
                f"The quotes of pledges {numbers} moved in the new text; their offsets follow them.",
                messages.INFO,
            )

    def deletion_refused(self, statements: list[Statement]) -> DeletionRefused:
        several = len(statements) > 1

        def named(statement: Statement) -> str:
            return f"The statement “{statement}”" if several else "The statement"

        refused = DeletionRefused(
            kept_pledges=[
                KeptPledge.of(pledge, statement_shown=several)
                for pledge in pledges_with_history(Pledge.objects.filter(statement__in=statements))
            ]
        )
        revisions = count_by_statement(StatementRevision.objects.filter(statement__in=statements))
        for statement in statements:
            if revisions.get(statement.pk):
                texts = counted(revisions[statement.pk], "earlier text", "earlier texts")
                refused.reasons.append(
                    f"{named(statement)} has {texts} (kept at each change of its text); "
                    "history is never deleted."
                )
        if refused:
            return refused
        # No history, but its pledges still hold on to the statement (PROTECT): say how.
        pledges = count_by_statement(Pledge.objects.filter(statement__in=statements))
        for statement in statements:
            if pledges.get(statement.pk):
                refused.reasons.append(
                    f"{named(statement)} has {counted(pledges[statement.pk], 'pledge', 'pledges')} without "
                    "history: delete them first on the statement's page (tick “Delete” on each pledge, "
                    "then save), then delete the statement."
                )
        return refused


def count_by_statement(rows: QuerySet) -> dict[int, int]:
    return dict(rows.order_by().values_list("statement").annotate(n=Count("pk")))


def save_pledge_edit(request: HttpRequest, pledge: Pledge, form) -> None:
    """An administrator's change to a pledge held already, its themes included, through
    the service."""
    services.edit_pledge(
        pledge=pledge,
        changed_by=request.user,
        values={name: getattr(pledge, name) for name in services.ADMIN_FIELDS},
        themes=form.cleaned_data.get("themes") if "themes" in form.cleaned_data else None,
    )


@admin.register(Pledge)
class PledgeAdmin(HistoryKeptOnDelete, admin.ModelAdmin):
    form = PledgeAdminForm
    actions = ["delete_selected"]
    list_display = ["__str__", "statement", "actor", "kind", "deadline_on", "status"]
    list_filter = ["status", "kind", "actor", "themes"]
    search_fields = ["quote", "summary", "statement__title"]
    list_select_related = ["statement__entity", "actor"]
    # As the pledge list: the benchmark sets the two side by side.
    list_per_page = PLEDGES_PER_PAGE
    readonly_fields = ["quote_start", "quote_end", "status", "version"]
    filter_horizontal = ["themes"]

    def save_model(self, request: HttpRequest, obj: Pledge, form, change: bool) -> None:
        if change:
            save_pledge_edit(request, obj, form)
        else:
            obj.save()

    def deletion_refused(self, pledges: list[Pledge]) -> DeletionRefused:
        kept = pledges_with_history(Pledge.objects.filter(pk__in=[pledge.pk for pledge in pledges]))
        several = len({pledge.statement_id for pledge in pledges}) > 1
        return DeletionRefused(
            kept_pledges=[KeptPledge.of(pledge, statement_shown=several) for pledge in kept]
        )


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


@dataclass(frozen=True)
class ThemeInUse:
    """A theme about to be deleted, and the pledges that lose it: a few named, the count."""

    theme: Theme
    count: int
    named: list[Pledge]

    @property
    def more(self) -> int:
        return self.count - len(self.named)

    @property
    def pledges_lose(self) -> str:
        return counted(self.count, "pledge loses", "pledges lose")

    @classmethod
    def of(cls, themes) -> list[ThemeInUse]:
        in_use = []
        for theme in themes:
            pledges = theme.pledges.select_related("statement__entity").order_by(
                "statement__delivered_on", "statement_id", "number"
            )
            count = pledges.count()
            if count:
                in_use.append(cls(theme, count, list(pledges[:PLEDGES_NAMED])))
        return in_use


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    actions = ["delete_selected"]

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        theme = self.get_object(request, unquote(object_id))
        in_use = ThemeInUse.of([theme]) if theme is not None else []
        return super().delete_view(request, object_id, {**(extra_context or {}), "themes_in_use": in_use})

    @admin.action(permissions=["delete"], description="Delete selected %(verbose_name_plural)s")
    def delete_selected(self, request: HttpRequest, queryset: QuerySet):
        response = admin_actions.delete_selected(self, request, queryset)
        if isinstance(response, TemplateResponse):
            # The confirmation page, not yet rendered: it says first what the pledges lose.
            response.context_data["themes_in_use"] = ThemeInUse.of(queryset)
        return response


# --- history, read-only ----------------------------------------------------------------------


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


@admin.register(EvidenceWithdrawal)
class EvidenceWithdrawalAdmin(HistoryAdmin):
    list_display = ["evidence", "withdrawn_by", "withdrawn_at", "reason"]
    list_select_related = ["evidence", "withdrawn_by"]


@admin.register(Review)
class ReviewAdmin(HistoryAdmin):
    list_display = ["pledge", "status", "author", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["pledge", "author"]
    search_fields = ["note", "pledge__summary"]


@admin.register(ReviewRetraction)
class ReviewRetractionAdmin(HistoryAdmin):
    list_display = ["review", "retracted_by", "retracted_at"]
    list_select_related = ["review__pledge", "retracted_by"]


@admin.register(StatementRevision)
class StatementRevisionAdmin(HistoryAdmin):
    list_display = ["statement", "changed_by", "changed_at"]
    list_select_related = ["statement__entity", "changed_by"]


@admin.register(ProposedPledge)
class ProposedPledgeAdmin(HistoryAdmin):
    """What the extractor proposed and what analysts decided: reviewed on the statement's page."""

    list_display = ["__str__", "state", "extractor", "decided_by", "decided_at", "pledge"]
    list_filter = ["state", "extractor"]
    list_select_related = ["statement", "decided_by", "pledge"]
    search_fields = ["quote", "reason", "decision_note", "statement__title"]
    fields = [
        "statement",
        "quote",
        ("quote_start", "quote_end"),
        "reason",
        "extractor",
        "summary",
        "state",
        ("decided_by", "decided_at"),
        "decision_note",
        "pledge",
    ]


# --- users: who may raise whose rights ---------------------------------------------------

admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    """Administrators manage accounts (names, e-mail, passwords, active or not), but only
    a superuser grants rights: superuser or staff status, groups and permissions. So no
    Administrator can raise their own rights, or anyone else's."""

    RIGHTS = ("is_superuser", "is_staff", "groups", "user_permissions")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # A superuser's account (its password included) is changed by superusers only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [field for field in self.RIGHTS if field not in fields]
        return fields


admin.site.unregister(Group)


@admin.register(Group)
class TrackerGroupAdmin(GroupAdmin):
    """The three roles' groups: what each may do is rights, which only a superuser grants
    (and `tracker.roles` defines); Administrators may read them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser
