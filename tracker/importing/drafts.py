"""A statement as read from a file, before anything is written: its heading fields,
its date, its text and the pledges proposed in it. The command line and the web page
both read files into a `StatementDraft`, let the person correct it, then save it with
`tracker.services.import_statement`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields, replace

from django.utils.text import slugify

from tracker.importing.countries import country_named
from tracker.importing.extraction import Proposal, Source, get_extractor
from tracker.importing.heading import Heading, read_date, read_heading
from tracker.importing.sources import read_source
from tracker.text import text_fingerprint

# What a person can supply or correct, by the name of its option (--speaker, --date ...).
OVERRIDABLE = (
    "title",
    "speaker",
    "honorific",
    "role",
    "entity",
    "organ",
    "meeting",
    "delivered_on",
    "source_url",
)

_ORGAN_SHORT = {
    "Security Council": "unsc",
    "General Assembly": "unga",
    "Human Rights Council": "hrc",
    "Economic and Social Council": "ecosoc",
}


# What the draft takes from the heading as read (tracker.importing.heading.Heading).
READ_FROM_HEADING = tuple(f.name for f in fields(Heading) if f.name not in ("body_start", "problems"))


@dataclass
class StatementDraft:
    source: str
    text: str
    title: str = ""
    speaker: str = ""
    honorific: str = ""
    role: str = ""
    entity: str = ""
    entity_code: str = ""
    organ: str = ""
    meeting: str = ""
    delivered_on: datetime.date | None = None
    date_text: str = ""
    source_url: str = ""
    language: str = "en"
    # Problems stop the import until the person supplies what is missing; notes do not.
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return text_fingerprint(self.text)

    @property
    def slug(self) -> str:
        organ = _ORGAN_SHORT.get(self.organ) or slugify(self.organ)[:30]
        day = self.delivered_on.isoformat() if self.delivered_on else "undated"
        return slugify(f"{self.entity}-{organ}-{day}")[:90]


def entity_named(given: str) -> tuple[str, str]:
    """The entity's name and ISO code as a person gave them: a state, by its name or ISO
    code, is stored by its name with its code; anything else as written, without a code."""
    country = country_named(given)
    return (country.name, country.code) if country else (given.strip(), "")


def draft_from_text(
    source: str,
    full_text: str,
    *,
    overrides: dict | None = None,
    known_entities: list[str] = (),
    themes: tuple[str, ...] = (),
) -> StatementDraft:
    """Read the heading and body of `full_text`; `overrides` (by OVERRIDABLE name) win
    over what the heading says. Proposes the pledges of the body."""
    overrides = {key: value for key, value in (overrides or {}).items() if value not in (None, "")}
    heading = read_heading(full_text, known_entities=known_entities)
    draft = StatementDraft(
        source=source,
        text=full_text[heading.body_start :].strip(),
        **{name: getattr(heading, name) for name in READ_FROM_HEADING},
    )
    date_problems = [p for p in heading.problems if "date" in p]
    draft.problems = [p for p in heading.problems if "date" not in p]
    if isinstance(overrides.get("delivered_on"), str):
        given = overrides["delivered_on"]
        overrides["delivered_on"] = read_date(given)
        if overrides["delivered_on"] is None:
            draft.problems.append(f"the date given, “{given}”, cannot be read as a date.")
    if "entity" in overrides:
        overrides["entity"], draft.entity_code = entity_named(overrides["entity"])
    draft = replace(draft, **{key: overrides[key] for key in OVERRIDABLE if key in overrides})
    if draft.delivered_on is None:
        draft.problems += date_problems or ["no date found in the heading"]
    elif date_problems and "delivered_on" in overrides:
        draft.notes.append(f"{date_problems[0].split(':')[0]}; the date given was used.")
    return complete(draft, themes=themes)


def complete(draft: StatementDraft, *, themes: tuple[str, ...] = ()) -> StatementDraft:
    """Check what the draft still lacks, fill in the defaults and propose its pledges."""
    if not draft.text:
        draft.problems.append("no text under the heading.")
    if not draft.entity:
        draft.problems.append("no state, organisation or group found in the heading: give the entity.")
    if not draft.organ:
        draft.problems.append(
            "no organ (Security Council, General Assembly ...) found in the heading: give the organ."
        )
    if not draft.speaker and draft.entity:
        draft.speaker = f"Delegation of {draft.entity}"
        draft.notes.append(f"no speaker named in the heading: recorded as “{draft.speaker}”.")
    if not draft.title:
        draft.title = f"Statement by {draft.speaker}" if draft.speaker else draft.source
    draft.problems = list(dict.fromkeys(draft.problems))
    if draft.text and draft.entity:
        source = Source(
            text=draft.text,
            entity=draft.entity,
            entity_code=draft.entity_code,
            delivered_on=draft.delivered_on,
            language=draft.language,
            themes=tuple(themes),
        )
        draft.proposals = get_extractor().propose(source)
    return draft


def read_file(
    name: str, data: bytes, *, overrides: dict | None = None, known_entities=(), themes=()
) -> StatementDraft:
    """A draft from a file's bytes; an ImportProblem if the file cannot be read at all."""
    return draft_from_text(
        name, read_source(name, data), overrides=overrides, known_entities=known_entities, themes=themes
    )
