"""The managers' pledge list: what it can be filtered and sorted by.

Every filter works on the pledges as of a date (`as_of`, today by default): a pledge's
status is the one its updates effective by then give it; as known on a second date
(`known_on`), only what was recorded by then counts. A value that cannot be read
is reported beside its filter and that filter is left out; the others still apply.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Model, Q, QuerySet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html

from tracker import rules
from tracker.models import Entity, Pledge, Speaker, Statement, Theme, as_stored
from tracker.vocabulary import PledgeKind, Status

YES_NO = [("yes", "Yes"), ("no", "No")]
# The filters the list folds away until asked for.
MORE_FILTERS = [
    "speaker",
    "statement",
    "deadline_after",
    "deadline_before",
    "due_within",
    "overdue",
    "final",
    "has_evidence",
    "changed_within",
    "not_checked",
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _yes_or_no(queryset, rule, value: str):
    """The pledges the rule holds for ("yes"), or those it does not ("no")."""
    return queryset.filter(rule) if _yes_no(value) else queryset.exclude(rule)


class AsOfForm(forms.Form):
    """A form with an as-of date; the dashboard uses it alone, the list with its filters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def more_filters_used(self) -> bool:
        """Whether any filter folded under "More filters" is set, to show it unfolded."""
        return any(self.data.get(name) for name in MORE_FILTERS)

    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=DateInput(),
        help_text="Each pledge as its updates effective by then make it. Empty: today.",
    )

    known_on = forms.DateField(
        label="As known on",
        required=False,
        widget=DateInput(),
        help_text="Only what was recorded by then counts, so that a report can be made again. "
        "Empty: all that is recorded.",
    )

    def clean_as_of(self) -> datetime.date | None:
        day = self.cleaned_data.get("as_of")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The as-of date cannot be in the future.")
        return _not_before_the_earliest(day)

    def clean_known_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("known_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The as-known-on date cannot be in the future.")
        return _not_before_the_earliest(day)

    @property
    def dates(self) -> dict[str, datetime.date]:
        """The dates asked for and read: as_of, known_on (each only if given)."""
        self.errors  # noqa: B018 - validates the form, once
        return {
            name: self.cleaned_data[name] for name in ("as_of", "known_on") if self.cleaned_data.get(name)
        }

    # The list's own fields (PledgeFilter's form is built on this one).

    def clean_deadline_after(self) -> datetime.date | None:
        return _a_deadline(self.cleaned_data.get("deadline_after"))

    def clean_deadline_before(self) -> datetime.date | None:
        return _a_deadline(self.cleaned_data.get("deadline_before"))

    def clean_q(self) -> str:
        words = self.cleaned_data.get("q") or ""
        if len(words) > SEARCH_CHARACTERS or len(words.split()) > SEARCH_WORDS:
            raise forms.ValidationError(
                f"Search for at most {SEARCH_WORDS} words and {SEARCH_CHARACTERS} characters."
            )
        return words


# A search runs one LIKE per word on three columns: it is kept short.
SEARCH_WORDS = 20
SEARCH_CHARACTERS = 200


def _not_before_the_earliest(day: datetime.date | None) -> datetime.date | None:
    if day and day < rules.EARLIEST_DATE:
        raise forms.ValidationError(
            f"Give a date from {rules.EARLIEST_DATE:%-d %B %Y}: no statement here is older."
        )
    return day


def _a_deadline(day: datetime.date | None) -> datetime.date | None:
    if day and day > rules.LATEST_DEADLINE:
        raise forms.ValidationError(f"Give a date up to {rules.LATEST_DEADLINE:%-d %B %Y}.")
    return _not_before_the_earliest(day)


def as_of_day(form: forms.Form) -> datetime.date:
    """The form's as-of date if it could be read, else today."""
    form.errors  # noqa: B018 - validates the form, once
    return form.cleaned_data.get("as_of") or timezone.localdate()


def known_on_day(form: forms.Form) -> datetime.date | None:
    """The form's as-known-on date if one was given and could be read, else None (all
    that is recorded)."""
    form.errors  # noqa: B018 - validates the form, once
    return form.cleaned_data.get("known_on")


# --- records found by name: an entity, a speaker, a statement --------------------------
# Thousands of statements and speakers would not fit in a <select>: the filter is a text
# input whose suggestions are fetched as one types (views.pledges.suggestions), and
# which takes the record's name. A link made by the app may give the record's id.

SUGGESTIONS = 15


@dataclass(frozen=True)
class Finder:
    """How one kind of record is found from what was typed."""

    noun: str
    records: Callable[[], QuerySet]
    name_of: Callable[[Model], str]  # what the input shows, and sends
    named: Callable[[str], Q]  # the record with this name
    matching: Callable[[str], Q]  # the records to suggest for a word typed
    describe: Callable[[Model], str]  # beside each suggestion

    def suggest(self, typed: str) -> list[Model]:
        """The first SUGGESTIONS records matching every word typed."""
        records = self.records()
        for word in typed.split()[:5]:
            records = records.filter(self.matching(word))
        return list(records[:SUGGESTIONS])


def _speaker_named(text: str) -> Q:
    # Suggestions read "Name (Entity)", and an entity's name may hold brackets of its own
    # ("Iran (Islamic Republic of)"): the entity is the whole of the last bracket. A bare
    # name finds the speaker if only one has it.
    if text.endswith(")"):
        depth = 0
        for at in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[at], 0)
            if depth == 0:
                name, entity = text[:at].strip(), text[at + 1 : -1].strip()
                if name and entity:
                    return Q(name__iexact=name, entity__name__iexact=entity)
                break
    return Q(name__iexact=text)


FINDERS = {
    "entity": Finder(
        "entity",
        lambda: Entity.objects.order_by("name"),
        lambda entity: entity.name,
        lambda text: Q(name__iexact=text),
        lambda word: Q(name__icontains=word) | Q(code__iexact=word),
        lambda entity: entity.get_kind_display(),
    ),
    "speaker": Finder(
        "speaker",
        lambda: Speaker.objects.select_related("entity").order_by("name", "entity__name"),
        lambda speaker: f"{speaker.name} ({speaker.entity.name})",
        _speaker_named,
        lambda word: Q(name__icontains=word) | Q(entity__name__icontains=word),
        lambda speaker: speaker.role,
    ),
    "statement": Finder(
        "statement",
        lambda: Statement.objects.select_related("entity").order_by("-delivered_on", "slug"),
        lambda statement: statement.slug,
        lambda text: Q(slug__iexact=text),
        lambda word: Q(title__icontains=word) | Q(slug__icontains=word),
        lambda statement: statement.title,
    ),
}


class SuggestingInput(forms.TextInput):
    """A text input, with the suggestions for what is typed fetched into its <datalist>."""

    def __init__(self, name: str):
        self.list_id = f"{name}-suggestions"
        super().__init__(
            attrs={
                "list": self.list_id,
                "autocomplete": "off",
                "placeholder": "Type a few letters",
                "hx-get": reverse_lazy("suggestions", args=[name]),
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-target": f"#{self.list_id}",
                "hx-swap": "innerHTML",
                "hx-push-url": "false",
                "hx-sync": "this:replace",
            }
        )

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}"></datalist>', field, self.list_id)


class RecordField(forms.Field):
    """A record typed by its name (FINDERS), or given by its id in a link."""

    LONGEST = 200

    def __init__(self, *, finder: str, **kwargs):
        self.finder = FINDERS[finder]
        self.found: dict[str, Model] = {}
        super().__init__(widget=SuggestingInput(finder), **kwargs)

    def __deepcopy__(self, memo):
        # Each form its own: a name found for one request may be another's by the next.
        copied = super().__deepcopy__(memo)
        copied.found = {}
        return copied

    def to_python(self, value) -> Model | None:
        text = str(value or "").strip()
        if not text:
            return None
        if "\x00" in text:
            raise forms.ValidationError("Names hold no NUL character: type the name again.", code="invalid")
        if len(text) > self.LONGEST:
            raise forms.ValidationError(
                f"Type at most {self.LONGEST} characters, then choose one of the suggestions.",
                code="max_length",
            )
        if text not in self.found:
            records = self.finder.records()
            # An id, as the app's own links give: plain digits, few enough for any database.
            by_id = re.fullmatch(r"[0-9]{1,18}", text)
            records = records.filter(pk=int(text)) if by_id else records.filter(self.finder.named(text))
            found = list(records[:2])
            # The message repeats what was typed, cut short: a long word must not push the
            # page wider than the screen.
            said = text if len(text) <= 60 else text[:60] + "…"
            if not found and by_id:
                raise forms.ValidationError(
                    f"No {self.finder.noun} has the number {text} here: type a few letters of its name "
                    "and choose one of the suggestions.",
                    code="invalid_choice",
                )
            if not found:
                raise forms.ValidationError(
                    f"No {self.finder.noun} is called “{said}”: type a few letters and choose one of "
                    "the suggestions.",
                    code="invalid_choice",
                )
            if len(found) > 1:
                raise forms.ValidationError(
                    f"More than one {self.finder.noun} is called “{said}”: choose one of the suggestions.",
                    code="invalid_choice",
                )
            self.found[text] = found[0]
        return self.found[text]

    def prepare_value(self, value):
        # The input shows the record's name, also when a link gave its id.
        if isinstance(value, Model):
            return self.finder.name_of(value)
        if isinstance(value, str) and value.strip() in self.found:
            return self.finder.name_of(self.found[value.strip()])
        return value


class RecordFilter(django_filters.Filter):
    field_class = RecordField


class PledgeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Words in the quote, summary or title"}
        ),
    )
    as_of = django_filters.DateFilter(
        label="As of",
        method="keep",  # applied first, in filter_queryset: every other filter depends on it
        widget=DateInput(),
        help_text=AsOfForm.base_fields["as_of"].help_text,
    )
    known_on = django_filters.DateFilter(
        label="As known on",
        method="keep",  # applied with as_of, in filter_queryset
        widget=DateInput(),
        help_text=AsOfForm.base_fields["known_on"].help_text,
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        field_name="shown_status",
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        # One status per pledge (one period holds a day): no pledge can come twice, and
        # a DISTINCT over every column made counting them slow.
        distinct=False,
    )
    entity = RecordFilter(label="Entity", field_name="actor", finder="entity")
    speaker = RecordFilter(label="Speaker", field_name="statement__speaker", finder="speaker")
    statement = RecordFilter(label="Statement", finder="statement")
    theme = django_filters.ModelChoiceFilter(
        label="Theme", field_name="themes", queryset=Theme.objects.all(), empty_label="Any"
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=PledgeKind.choices, empty_label="Any")
    deadline_after = django_filters.DateFilter(
        label="Deadline from", field_name="deadline_on", lookup_expr="gte", widget=DateInput()
    )
    deadline_before = django_filters.DateFilter(
        label="Deadline to", field_name="deadline_on", lookup_expr="lte", widget=DateInput()
    )
    due_within = django_filters.NumberFilter(
        label="Due within (days)", method="filter_due_within", min_value=0, max_value=3650
    )
    overdue = django_filters.ChoiceFilter(
        label="Overdue", choices=YES_NO, empty_label="Any", method="filter_overdue"
    )
    final = django_filters.ChoiceFilter(
        label="Final status", choices=YES_NO, empty_label="Any", method="filter_final"
    )
    has_evidence = django_filters.ChoiceFilter(
        label="Has evidence", choices=YES_NO, empty_label="Any", method="filter_has_evidence"
    )
    changed_within = django_filters.NumberFilter(
        label="Changed within (days)", method="filter_changed_within", min_value=0, max_value=3650
    )
    not_checked = django_filters.ChoiceFilter(
        label=rules.NOT_CHECKED_LABEL, choices=YES_NO, empty_label="Any", method="filter_not_checked"
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=[
            ("deadline_on", "deadline"),
            ("shown_last_change_on", "last_change"),
            ("shown_last_checked_at", "last_checked"),
            ("status_rank", "status"),
            ("actor__name", "entity"),
        ],
        field_labels={
            "deadline_on": "Deadline",
            "shown_last_change_on": "Last change",
            "shown_last_checked_at": "Last checked",
            "status_rank": "Status",
            "actor__name": "Entity",
        },
        empty_label="Newest statement first",
    )

    class Meta:
        model = Pledge
        fields: list[str] = []
        form = AsOfForm

    @property
    def day(self) -> datetime.date:
        """The as-of date the list shows: the one asked for, or today."""
        return as_of_day(self.form)

    @property
    def known_day(self) -> datetime.date | None:
        """The as-known-on date asked for, or None: all that is recorded."""
        return known_on_day(self.form)

    # What the list is read as of, and in which order: not filters of what it holds.
    DATES_AND_SORT = frozenset({"as_of", "known_on", "sort"})

    def in_use(self) -> set[str]:
        """The names of the filters given a value that could be read (the dates and the
        sort aside)."""
        self.is_valid()  # (reads the form, if not yet done: its values are cleaned_data)
        data = getattr(self.form, "cleaned_data", None) or {}
        return {
            name
            for name, value in data.items()
            if name not in self.DATES_AND_SORT and value not in (None, "", [], ())
        }

    def in_words(self) -> list[tuple[str, str]]:
        """The filters in use, read back in words: (label, value), as a briefing prints
        them, so that its reader knows what it counts. The dates are said apart."""
        said = []
        in_use = self.in_use()
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if name not in in_use:
                continue
            if isinstance(value, list | tuple):
                choices = dict(getattr(field, "choices", ()))
                value = ", ".join(str(choices.get(each, each)) for each in value)
            elif getattr(field, "choices", None) and not hasattr(value, "pk"):
                value = dict(field.choices).get(value, value)
            said.append((str(field.label), str(value)))
        return said

    def errors_in_words(self) -> list[tuple[str, str]]:
        """The filters that could not be read, each message with its filter's label."""
        fields = self.form.fields
        return [
            (str(fields[name].label) if name in fields else name, message)
            for name, messages in self.form.errors.items()
            for message in messages
        ]

    # The filters that read how each pledge stood on the day (as_of()'s annotations);
    # the others read what the pledge and its statement hold.
    READ_HOW_IT_STOOD = frozenset(
        {"status", "due_within", "overdue", "final", "changed_within", "not_checked"}
    )

    def count(self) -> int:
        """How many pledges the list holds. With no filter in use (the dates and the sort
        aside), as the record stands today, from the tallies (count_as_stored()), which
        count every pledge: for filters over every pledge, as filtered_pledges() makes
        them; else by counting counted()."""
        if not self.in_use() and as_stored(self.day, self.known_day):
            return Pledge.objects.count_as_stored(self.day)
        return self.counted().count()

    def counted(self):
        """The pledges to count: those of `qs`, found without working out how each stood
        on the day when no filter in use reads it (as of a past day, that takes a join
        for every pledge, which a count does not need), by the statement date each pledge
        holds (one index, no join to the statements). The order is left out."""
        if self.in_use() & self.READ_HOW_IT_STOOD:
            return self.qs
        data = getattr(self.form, "cleaned_data", {})  # (none, if the filters were not given)
        pledges = self.queryset.made_by(self.day, self.known_day, by_own_date=True)
        # As django-filter's filter_queryset does, with every filter but the sort.
        for name, value in data.items():
            if name != "sort":
                pledges = self.filters[name].filter(pledges, value)
        return pledges.distinct() if data.get("theme") else pledges

    def filter_queryset(self, queryset):
        queryset = queryset.as_of(self.day, self.known_day)
        queryset = super().filter_queryset(queryset)
        # The record's order: the newest statement first, then its pledges by number; after
        # a sort asked for, it breaks the ties, so that pages and exports list every pledge
        # once and in the same order (PostgreSQL returns ties in whatever order it plans).
        sort = self.form.cleaned_data.get("sort")
        record_order = ["-statement__delivered_on", "statement__slug", "number"]
        queryset = (
            queryset.order_by(*queryset.query.order_by, *record_order)
            if sort
            else queryset.order_by(*record_order)
        )
        # A theme filter joins the themes: the same pledge must not come twice.
        return queryset.distinct() if self.form.cleaned_data.get("theme") else queryset

    # --- filter methods (the argument names are django-filter's) ---

    def keep(self, queryset, name, value):
        return queryset

    def search(self, queryset, name, value):
        return queryset.matching(value.split())

    def filter_due_within(self, queryset, name, value):
        return queryset.due_within(self.day, int(value))

    def filter_overdue(self, queryset, name, value):
        return _yes_or_no(queryset, rules.overdue(self.day), value)

    def filter_final(self, queryset, name, value):
        return _yes_or_no(queryset, rules.final(), value)

    def filter_has_evidence(self, queryset, name, value):
        # Withdrawn evidence does not count (the services keep the count of what stands).
        return _yes_or_no(queryset, Q(standing_evidence_count__gt=0), value)

    def filter_changed_within(self, queryset, name, value):
        return queryset.changed_within(self.day, int(value))

    def filter_not_checked(self, queryset, name, value):
        return _yes_or_no(queryset, rules.not_checked(self.day), value)
