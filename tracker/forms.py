"""The analysts' forms.

They check types and required fields, and run the services' own rule checks too, so
that an analyst sees every problem at once. The services check again when they write
(the pledge may have changed meanwhile); their errors come back to the field they name
(see `apply_service_errors`)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tracker.models import Evidence, Pledge
from tracker.services import NewEvidence, validate_status_update
from tracker.text import validate_web_url
from tracker.vocabulary import SourceType, Stance, Status

NEW_EVIDENCE_FIELDS = ["url", "title", "publisher", "published_on", "source_type", "stance", "excerpt"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VersionedForm(forms.Form):
    """Every form says which version of the pledge's history it was based on."""

    based_on_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        self.init_kwargs = dict(kwargs)
        super().__init__(*args, **kwargs)

    def rebased_on(self, version: int) -> "VersionedForm":
        """The same input, now based on `version`: submitting it again is a choice made
        after seeing what changed."""
        data = self.data.copy()
        data[self.add_prefix("based_on_version")] = version
        return type(self)(data, **self.init_kwargs)


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
        f"{prefix}title": forms.CharField(label="Title", max_length=500, required=required),
        f"{prefix}publisher": forms.CharField(label="Publisher", max_length=200, required=False),
        f"{prefix}published_on": forms.DateField(label="Date published", required=False, widget=DateInput()),
        f"{prefix}source_type": forms.ChoiceField(
            label="Source type", choices=[("", "Choose…"), *SourceType.choices], required=required
        ),
        f"{prefix}stance": forms.ChoiceField(
            label="Stance", choices=[("", "Choose…"), *Stance.choices], required=required
        ),
        f"{prefix}excerpt": forms.CharField(
            label="The passage that matters", required=False, widget=forms.Textarea(attrs={"rows": 3})
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
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this status. Needed for a final status.",
    )
    evidence = forms.ModelMultipleChoiceField(
        label="Cite evidence already on this pledge",
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, pledge: Pledge, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("effective_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.pledge = self.init_kwargs["pledge"] = pledge
        self.fields["evidence"].queryset = pledge.evidence.order_by("-added_at", "-id")
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


class RetractForm(VersionedForm):
    """Each update on the page has its own, told apart by the update's number in its prefix."""

    reason = forms.CharField(
        label="Why retract it?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The reason stays on record.",
    )

    def __init__(self, *args, update_pk: int, **kwargs):
        super().__init__(*args, prefix=f"retract-{update_pk}", **kwargs)
        self.init_kwargs = {"update_pk": update_pk, **kwargs}
        self.update_pk = update_pk


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
