"""The app's forms: the analysts' follow-up, evidence and retraction forms; importing a
statement (the source, then the draft to correct); making a pledge of a passage, and
rejecting a proposal.

They check types, lengths and required fields, and run the services' own rule checks
too, so that a person sees every problem at once. The services check again when they write
(the pledge may have changed meanwhile); their errors come back to the field they name
(see `apply_service_errors`)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tracker import rules, services
from tracker.importing.drafts import StatementDraft, complete, entity_named, read_file
from tracker.importing.sources import MAX_FILE_BYTES, MAX_TEXT_CHARACTERS, ImportProblem
from tracker.models import (
    AMOUNT_FIELDS,
    DEADLINE_FIELDS,
    Entity,
    Evidence,
    Pledge,
    ProposedPledge,
    Speaker,
    Statement,
)
from tracker.services import PLEDGE_FIELDS, NewEvidence, validate_status_update
from tracker.text import as_sentence, normalize_newlines, validate_web_url
from tracker.vocabulary import SourceType, Stance, Status

NEW_EVIDENCE_FIELDS = ["url", "title", "publisher", "published_on", "source_type", "stance", "excerpt"]


# The largest key a database row can have: a larger number asked for is no row's, and
# SQLite would fail on it rather than find nothing.
LARGEST_KEY = 2**63 - 1


def _beyond_any_key(value) -> bool:
    try:
        return not (0 < int(str(value)) <= LARGEST_KEY)
    except ValueError:
        return False  # not a number: the field says so itself


class RowChoiceField(forms.ModelChoiceField):
    """A choice of one row by its key, refusing keys no row can have."""

    def to_python(self, value):
        if value not in self.empty_values and _beyond_any_key(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RowsChoiceField(forms.ModelMultipleChoiceField):
    """A choice of rows by their keys, refusing keys no row can have."""

    def _check_values(self, value):
        for key in value:
            if _beyond_any_key(key):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": key}
                )
        return super()._check_values(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VersionedForm(forms.Form):
    """Every form says which version of the pledge's history it was based on."""

    based_on_version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={key: services.FORM_NOT_FROM_THE_PAGE for key in ("required", "invalid", "min_value")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        self.init_kwargs = dict(kwargs)
        super().__init__(*args, **kwargs)

    def offer_version(self, version: int) -> None:
        """After a version that could not be read: the form comes back with its errors
        (already found), now based on `version`, so that it can be sent again."""
        if "based_on_version" in self.errors:
            self.data = self.data.copy()
            self.data[self.add_prefix("based_on_version")] = version

    def rebased_on(self, version: int) -> "VersionedForm":
        """The same input, now based on `version`: submitting it again is a choice made
        after seeing what changed."""
        data = self.data.copy()
        data[self.add_prefix("based_on_version")] = version
        return type(self)(data, **self.init_kwargs)


# How long the analysts' free texts may be: room for their use, not for a book.
RATIONALE_CHARACTERS = 10_000
EXCERPT_CHARACTERS = 5_000
TITLE_CHARACTERS = 500


def valid_text(value: str) -> None:
    """Refuse text that reached us as bytes that are not UTF-8: the browser's form data
    is decoded with a replacement character for each bad byte, and that is all we see."""
    if "\ufffd" in value:
        raise ValidationError(
            "This holds characters that could not be read (not UTF-8): type or paste it again.",
            code="invalid_text",
        )


def _published_on(value: datetime.date | None) -> None:
    if value and not (rules.EARLIEST_DATE <= value <= timezone.localdate()):
        raise ValidationError(
            f"Give the date it was published, from {rules.EARLIEST_DATE:%-d %B %Y} to today."
        )


def _evidence_fields(prefix: str = "", *, required: bool) -> dict[str, forms.Field]:
    return {
        f"{prefix}url": forms.CharField(
            label="Link",
            max_length=2000,
            required=required,
            # Checked here too, so that a bad link is named along with the form's other errors.
            validators=[validate_web_url],
            widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
            help_text="An http:// or https:// address.",
        ),
        f"{prefix}title": forms.CharField(
            label="Title", max_length=TITLE_CHARACTERS, required=required, validators=[valid_text]
        ),
        f"{prefix}publisher": forms.CharField(
            label="Publisher", max_length=200, required=False, validators=[valid_text]
        ),
        f"{prefix}published_on": forms.DateField(
            label="Date published", required=False, widget=DateInput(), validators=[_published_on]
        ),
        f"{prefix}source_type": forms.ChoiceField(
            label="Source type", choices=[("", "Choose…"), *SourceType.choices], required=required
        ),
        f"{prefix}stance": forms.ChoiceField(
            label="Stance", choices=[("", "Choose…"), *Stance.choices], required=required
        ),
        f"{prefix}excerpt": forms.CharField(
            label="The passage that matters",
            required=False,
            max_length=EXCERPT_CHARACTERS,
            validators=[valid_text],
            widget=forms.Textarea(attrs={"rows": 3}),
        ),
    }


class EvidenceForm(VersionedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_evidence_fields(required=True))

    def new_evidence(self) -> NewEvidence:
        return NewEvidence(**{name: self.cleaned_data[name] for name in NEW_EVIDENCE_FIELDS})

    @property
    def duplicate_url(self) -> int | None:
        return duplicate_evidence_id(self, "url")


CANNOT_CITE = (
    "Evidence %(value)s cannot be cited here: it is not on this pledge, or it was withdrawn. "
    "Reload the page to see the evidence that can be."
)


class FollowUpForm(VersionedForm):
    """A status update, citing evidence already on the pledge, or new evidence, or both."""

    NEW = "new_"

    status = forms.ChoiceField(
        label="Status", choices=[("", "Choose…"), *[(s.value, s.label) for s in Status.judgements()]]
    )
    effective_on = forms.DateField(
        label="Effective on",
        widget=DateInput(),
        help_text="When it took effect in the world; not in the future, not before the statement.",
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        max_length=RATIONALE_CHARACTERS,
        validators=[valid_text],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this status. Needed whenever the status changes.",
    )
    evidence = RowsChoiceField(
        label="Cite evidence already on this pledge",
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": CANNOT_CITE},
    )

    def __init__(self, *args, pledge: Pledge, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("effective_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.pledge = self.init_kwargs["pledge"] = pledge
        self.fields["evidence"].queryset = citable_evidence(pledge)
        # The browser's date picker offers only the dates the rules allow.
        self.fields["effective_on"].widget.attrs.update(
            min=pledge.statement.delivered_on.isoformat(), max=timezone.localdate().isoformat()
        )
        # The new evidence is optional as a whole, but each part is needed once any is given.
        self.fields.update(_evidence_fields(self.NEW, required=False))

    def has_new_evidence(self) -> bool:
        return any(self.cleaned_data.get(f"{self.NEW}{name}") for name in NEW_EVIDENCE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if self.has_new_evidence():
            for name in ("url", "title", "source_type", "stance"):
                if not cleaned.get(f"{self.NEW}{name}") and f"{self.NEW}{name}" not in self.errors:
                    self.add_error(f"{self.NEW}{name}", "Needed for the new evidence.")
        # The record's rules, checked here as well as in the service, so that the analyst
        # sees every problem at once rather than one round after another.
        if cleaned.get("status") and cleaned.get("effective_on"):
            try:
                validate_status_update(
                    pledge=self.pledge,
                    status=cleaned["status"],
                    effective_on=cleaned["effective_on"],
                    rationale=cleaned.get("rationale", ""),
                    evidence_count=len(cleaned.get("evidence") or ()) + self.has_new_evidence(),
                )
            except ValidationError as error:
                apply_service_errors(self, error)
        return cleaned

    def new_evidence(self) -> NewEvidence | None:
        if not self.has_new_evidence():
            return None
        return NewEvidence(**{name: self.cleaned_data[f"{self.NEW}{name}"] for name in NEW_EVIDENCE_FIELDS})

    def new_evidence_fields(self) -> list[forms.BoundField]:
        return [self[f"{self.NEW}{name}"] for name in NEW_EVIDENCE_FIELDS]

    @property
    def duplicate_new_url(self) -> int | None:
        return duplicate_evidence_id(self, f"{self.NEW}url")


def citable_evidence(pledge: Pledge):
    """What a follow-up or a review can cite: the pledge's evidence that still stands."""
    return pledge.evidence.standing().order_by("-added_at", "-id")


class ReviewForm(VersionedForm):
    """A review: the pledge was checked and its status still stands."""

    prefix = "review"

    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=RATIONALE_CHARACTERS,
        validators=[valid_text],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you checked, if it helps the next reader.",
    )
    evidence = RowsChoiceField(
        label="Cite evidence (optional)",
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": CANNOT_CITE},
    )

    # The status the analyst saw and confirms; the service refuses it if it changed since.
    status = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args, pledge: Pledge, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("status", pledge.status)
        super().__init__(*args, **kwargs)
        self.pledge = self.init_kwargs["pledge"] = pledge
        self.fields["evidence"].queryset = citable_evidence(pledge)
        if pledge.status_evidence_withdrawn:
            # services.record_review asks for it then.
            self.fields["evidence"].label = "Cite evidence (needed: its only evidence was withdrawn)"


class RetractForm(VersionedForm):
    """Each update or review on the page has its own, told apart by its kind and number
    in its prefix."""

    reason = forms.CharField(
        label="Why retract it?",
        max_length=RATIONALE_CHARACTERS,
        validators=[valid_text],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The reason stays on record.",
    )

    def __init__(self, *args, update_pk: int, kind: str = "update", **kwargs):
        prefix = f"retract-{update_pk}" if kind == "update" else f"retract-{kind}-{update_pk}"
        super().__init__(*args, prefix=prefix, **kwargs)
        self.init_kwargs = {"update_pk": update_pk, "kind": kind, **kwargs}
        self.update_pk = update_pk
        self.kind = kind


class WithdrawForm(VersionedForm):
    """Each piece of evidence on the page has its own, told apart by its number."""

    reason = forms.CharField(
        label="Why withdraw it?",
        max_length=RATIONALE_CHARACTERS,
        validators=[valid_text],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A wrong page, a duplicate …: the reason stays on record, and so does the evidence, "
        "struck through.",
    )

    def __init__(self, *args, evidence_pk: int, **kwargs):
        super().__init__(*args, prefix=f"withdraw-{evidence_pk}", **kwargs)
        self.init_kwargs = {"evidence_pk": evidence_pk, **kwargs}
        self.evidence_pk = evidence_pk


def duplicate_evidence_id(form: forms.Form, field: str) -> int | None:
    """The evidence that a refused link duplicates, to point at it."""
    for error in form.errors.as_data().get(field, []):
        if error.code == "duplicate":
            return error.params["first"]
    return None


def apply_service_errors(
    form: forms.Form, error: ValidationError, *, prefixes: dict[str, str] | None = None
) -> None:
    """Put each error the services raise beside the field it names."""
    prefixes = prefixes or {}
    for key, messages in error.error_dict.items():
        field = key
        for service_prefix, form_prefix in prefixes.items():
            if key.startswith(service_prefix):
                field = form_prefix + key.removeprefix(service_prefix)
        form.add_error(field if field in form.fields else None, messages)


# --- statements imported from text, and pledges made from them --------------------------


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class StatementSourceForm(forms.Form):
    """The first step of an import: a pasted text or a file, read into a draft."""

    # Its length is checked once its line breaks are counted as one (read_source).
    text = forms.CharField(
        label="Paste the statement",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text="With its heading: who spoke, for whom, where and when.",
    )
    file = forms.FileField(
        label="or choose a file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.text,.md,.markdown,.html,.htm,.xhtml"}),
        help_text="Plain text, Markdown, or a web page saved as .html; "
        f"up to {MAX_FILE_BYTES // 1_000_000} MB.",
    )

    def __init__(self, *args, known_entities=(), themes=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.known_entities, self.themes = known_entities, themes
        self.draft: StatementDraft | None = None

    def clean(self):
        cleaned = super().clean()
        text, upload = cleaned.get("text", ""), cleaned.get("file")
        if self.errors:
            return cleaned
        if upload and text.strip():
            raise ValidationError("Paste a text or choose a file, not both.")
        if not upload and not text.strip():
            self.add_error("text", "Paste the statement here, or choose a file below.")
            return cleaned
        field = "file" if upload else "text"
        try:
            if upload:
                if upload.size > MAX_FILE_BYTES:
                    raise ImportProblem(
                        upload.name, f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB."
                    )
                name, data = upload.name, upload.read()
            else:
                name, data = "Pasted text", text.encode()
            self.draft = read_file(name, data, known_entities=self.known_entities, themes=self.themes)
        except ImportProblem as problem:
            self.add_error(field, str(problem) if upload else as_sentence(problem.problem))
        return cleaned


class StatementDraftForm(forms.Form):
    """The second step: what was read, to correct before saving. The text travels with
    the form, so that nothing is written until the person saves."""

    # Where the text came from (a file's name), shown on the page; not stored.
    source = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label="Title", max_length=_max_length(Statement, "title"))
    speaker = forms.CharField(
        label="Speaker",
        max_length=_max_length(Speaker, "name"),
        error_messages={"required": "Name who spoke, or the delegation."},
    )
    honorific = forms.CharField(
        label="Honorific", max_length=_max_length(Speaker, "honorific"), required=False
    )
    role = forms.CharField(label="Role", max_length=_max_length(Speaker, "role"), required=False)
    entity = forms.CharField(
        label="Spoken for",
        max_length=_max_length(Entity, "name"),
        help_text="A state (its name or ISO code), an organisation or a group.",
        error_messages={"required": "Name the state, organisation or group spoken for."},
    )
    organ = forms.CharField(
        label="Organ",
        max_length=_max_length(Statement, "organ"),
        error_messages={"required": "Name the organ: Security Council, General Assembly …"},
    )
    meeting = forms.CharField(label="Meeting", max_length=_max_length(Statement, "meeting"), required=False)
    delivered_on = forms.DateField(
        label="Date delivered",
        widget=DateInput(),
        error_messages={"required": "Give the date the statement was delivered."},
    )
    source_url = forms.CharField(
        label="Source link",
        required=False,
        max_length=2000,
        validators=[validate_web_url],
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    text = forms.CharField(
        label="The text",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="As read from the source, without its heading. Pledges are proposed from it.",
        error_messages={"required": "The statement has no text."},
    )

    EARLIEST = rules.EARLIEST_DATE

    def __init__(self, *args, themes=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.themes = themes
        self.draft: StatementDraft | None = None
        self.fields["delivered_on"].widget.attrs.update(
            min=self.EARLIEST.isoformat(), max=timezone.localdate().isoformat()
        )

    @classmethod
    def data_from(cls, draft: StatementDraft) -> dict:
        data = {name: getattr(draft, name) or "" for name in cls.base_fields if name != "delivered_on"}
        data["delivered_on"] = draft.delivered_on.isoformat() if draft.delivered_on else ""
        return data

    def clean_source(self):
        return self.cleaned_data["source"][:200] or "Pasted text"

    def clean_delivered_on(self):
        day = self.cleaned_data["delivered_on"]
        if not (self.EARLIEST <= day <= timezone.localdate()):
            raise ValidationError(
                f"Give a date between {self.EARLIEST:%-d %B %Y} and today: statements are recorded once made."
            )
        return day

    def clean_text(self):
        text = normalize_newlines(self.cleaned_data["text"]).strip()
        if not text:
            raise ValidationError("The statement has no text.")
        if len(text) > MAX_TEXT_CHARACTERS:
            raise ValidationError(
                f"The text has {len(text):,} characters; the limit is {MAX_TEXT_CHARACTERS:,}."
            )
        return text

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        draft = StatementDraft(**{name: cleaned[name] for name in self.base_fields})
        draft.entity, draft.entity_code = entity_named(cleaned["entity"])
        self.draft = complete(draft, themes=self.themes)
        for problem in self.draft.problems:
            self.add_error(None, as_sentence(problem))
        return cleaned


class PledgeForm(forms.ModelForm):
    """A pledge's own fields, as the analyst sets them when making it from the text."""

    class Meta:
        model = Pledge
        fields = [*PLEDGE_FIELDS, "themes"]
        field_classes = {"actor": RowChoiceField, "themes": RowsChoiceField}
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "deadline_on": DateInput(),
            "themes": forms.CheckboxSelectMultiple,
            "condition": forms.TextInput,
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = Entity.objects.order_by("name")

    @classmethod
    def initial_from(cls, proposals: list[ProposedPledge], statement: Statement) -> dict:
        """What the extractor read from the proposals: each group of fields (the deadline,
        the amount) from the first proposal that has it, the summaries of all of them."""
        if not proposals:
            return {"actor": statement.entity_id}

        def first_with(field: str):
            return next((p for p in proposals if getattr(p, field)), proposals[0])

        initial = {"kind": proposals[0].kind, "condition": first_with("condition").condition}
        for fields, by in ((DEADLINE_FIELDS, "deadline_on"), (AMOUNT_FIELDS, "amount")):
            source = first_with(by)
            initial.update({name: getattr(source, name) for name in fields})
        initial["actor"] = first_with("actor_id").actor_id or statement.entity_id
        initial["summary"] = "; ".join(p.summary.rstrip(".") for p in proposals if p.summary)[:300]
        initial["themes"] = sorted({t.pk for p in proposals for t in p.themes.all()})
        return initial


class PassageForm(forms.Form):
    """Which passage of the statement's text the pledge quotes: that of the proposals
    chosen, or a selection made with the mouse. The offsets are never typed."""

    start = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=MAX_TEXT_CHARACTERS, required=False
    )
    end = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=MAX_TEXT_CHARACTERS, required=False
    )
    proposal = RowsChoiceField(
        queryset=ProposedPledge.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages={
            "invalid_choice": "A proposal chosen is not one of this statement's: reload the page."
        },
    )

    def __init__(self, *args, statement: Statement, **kwargs):
        super().__init__(*args, **kwargs)
        self.statement = statement
        self.fields["proposal"].queryset = statement.proposals.prefetch_related("themes").order_by(
            "quote_start"
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        proposals = list(cleaned.get("proposal") or ())
        if proposals:
            if any(not p.is_open for p in proposals):
                raise ValidationError(
                    "A proposal chosen has been reviewed already: reload the statement's page."
                )
            if any(self.statement.text[p.quote_start : p.quote_end] != p.quote for p in proposals):
                raise ValidationError(
                    "The statement's text has changed since this was proposed: reload its page."
                )
            if len(proposals) > 1 and not services.neighbouring(proposals):
                raise ValidationError(
                    "Only sentences that follow one another can be merged into one pledge: "
                    "tick neighbours only."
                )
            cleaned["start"] = min(p.quote_start for p in proposals)
            cleaned["end"] = max(p.quote_end for p in proposals)
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            raise ValidationError("Choose proposals, or select a passage of the text, to make a pledge of.")
        if not (start < end <= len(self.statement.text)):
            raise ValidationError("The passage is not inside the statement's text: select it again.")
        if not self.statement.text[start:end].strip():
            raise ValidationError("The passage selected holds only spaces: select words of the text.")
        return cleaned

    def chosen(self) -> tuple[int, int, list[ProposedPledge]]:
        """The passage's offsets, spaces at either end left out, and the proposals chosen."""
        start, end = services.trim_passage(
            self.statement.text, self.cleaned_data["start"], self.cleaned_data["end"]
        )
        return start, end, list(self.cleaned_data.get("proposal") or ())


class RejectProposalForm(forms.Form):
    note = forms.CharField(
        label="Why is it not a pledge? (optional)",
        required=False,
        max_length=1000,
        widget=forms.TextInput,
    )

    def __init__(self, *args, proposal_pk: int, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, prefix=f"reject-{proposal_pk}", **kwargs)
