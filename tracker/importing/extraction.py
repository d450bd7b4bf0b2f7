"""Proposed pledges: the sentences of a statement that commit the speaker's side to
something, each with the reason (its cue words) and what was read from it.

`Extractor` is the one interface: `propose(source) -> [Proposal]`. The default,
`RuleExtractor`, works offline and explains itself: a sentence is proposed when the
speaker's side ("Japan", "we", "my Government") is the subject of a cue of future
action ("will", "plans to"), commitment ("is committed to", "continues to"), money
("has allocated", "pledges") or a role ("as Vice-Chair"); and not when it calls on
others ("We need to", "States should"), thanks or welcomes, or counts its own points
("I will make six points"). Another extractor (a language model, say) can be set with
the PLEDGE_EXTRACTOR setting: a dotted path to a class with the same method.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from tracker.importing.amounts import Amount, find_amount
from tracker.importing.countries import Country, country_named
from tracker.importing.deadlines import Deadline, find_deadline
from tracker.importing.sentences import split_sentences
from tracker.text import cut_at_cues
from tracker.vocabulary import PledgeKind


@dataclass(frozen=True)
class Cue:
    """Words that made the extractor propose a sentence; offsets in the statement text."""

    start: int
    end: int
    kind: str  # future, commitment, money, role, ongoing, reaffirmation, condition
    words: str


@dataclass
class Proposal:
    start: int
    end: int
    quote: str
    reason: str
    cues: list[Cue]
    actor: str
    kind: PledgeKind
    summary: str = ""
    deadline: Deadline | None = None
    amount: Amount | None = None
    condition: str = ""
    themes: list[str] = field(default_factory=list)

    def quote_pieces(self) -> list[tuple[str, str]]:
        """The quote cut at its cue words: (words, cue kind or "")."""
        return cut_at_cues(self.quote, self.start, [(c.start, c.end, c.kind) for c in self.cues])


@dataclass(frozen=True)
class Source:
    """What an extractor reads: the statement's text and who it was made for."""

    text: str
    entity: str
    entity_code: str = ""
    delivered_on: datetime.date | None = None
    language: str = "en"
    themes: tuple[str, ...] = ()


class Extractor(Protocol):
    name: str

    def propose(self, source: Source) -> list[Proposal]: ...


CUE_LABELS = {
    "future": "future action",
    "commitment": "commitment",
    "ongoing": "ongoing action",
    "money": "money",
    "role": "a role taken on",
    "reaffirmation": "a commitment reaffirmed",
    "condition": "a condition",
}

# --- the rules -------------------------------------------------------------------------

_ADVERBS = (
    r"(?:\s+(?:also|further|therefore|thus|now|fully|firmly|actively|strongly|hereby|already|again|once\s+again"
    r"|still|soon|indeed|furthermore|moreover|additionally|together|jointly|proudly|gladly|today|this\s+year"
    r"|will|shall|(?:has|have)\s+decided\s+to)\b"
    r"|\s*,[^,.;]{1,80},)*"
)
_OUR_PRONOUNS = r"we|i|my\s+(?:government|country|delegation|administration)|our\s+(?:government|country|delegation|administration|nation)"

_FUTURE = (
    r"will(?!\s+(?:all|be\s+brief|make|now\s+turn|focus|conclude|limit|highlight|touch|stress|speak|address\s+three|give\s+the\s+floor))"
    r"|shall|(?:plans?|intends?|aims?|expects?|seeks?|wishes)\s+to|(?:is|are|am)\s+(?:going|planning|preparing|set|poised|about|scheduled)\s+to"
    r"|(?:stands?|stand)\s+ready\s+to"
    r"|(?:am|are|is)\s+(?:pleased\s+to\s+|proud\s+to\s+|happy\s+to\s+)?announc\w*|announces?\b"
    r"|looks?\s+forward\s+to\s+(?:hosting|welcoming|working|contributing|providing|chairing|convening)"
)
_COMMITMENT = (
    r"(?:is|are|am|remains?|stays?)\s+(?:\w+ly\s+)?(?:committed|determined|resolved|dedicated|ready|prepared|willing)\s+to"
    r"|continues?\s+to|will\s+continue\s+to"
    r"|undertakes?\s+to|pledges?|(?:has|have)\s+pledged|commits?\s+to|vows?\s+to|promises?\s+to"
)
_ONGOING = r"(?:has|have)\s+been\s+working\s+(?:closely\s+)?with\b[^.;]{0,160}?\bto\s+\w+"
_MONEY = (
    r"(?:has|have)?\s*(?:(?:\w+ly|also|already|further|now|recently)\s+)*(?:allocated|earmarked|pledged|committed|contributed|disbursed|provided|donated"
    r"|increased|doubled|tripled|announced|made\s+available|set\s+aside)\b"
)
_REAFFIRM = r"(?:reaffirm|reiterate|renew)(?:s|ed)?\s+(?:its|our|their|my)\s+(?:\w+\s+){0,2}commitment\s+to"
_ROLE = (
    r"\b(?:as|role\s+(?:of|as)|serve\s+as|serves\s+as|act\s+as|assumed?\s+(?:the\s+)?(?:role\s+of\s+)?)\s+(?:the\s+)?"
    r"(?:Vice-|Co-)?(?:Chair|Chairperson|Chairman|President|Presidency|Vice-President|Facilitator|Co-Facilitator"
    r"|Coordinator|Penholder|Co-Penholder|Champion|Host|Rapporteur)\b"
)
_MONEY_WORDS = re.compile(
    r"\b(?:contribution|fund(?:s|ing)?|budget|assistance|aid|grant|financ\w+|donation|resources)\b", re.I
)

_THANKS = re.compile(
    r"^\W*(?:(?:(?:and|but|also|finally|lastly|first(?:ly)?|allow\s+me\s+to|let\s+me|I|we)\b[\s,]*(?:also\s+)?"
    r"(?:would\s+(?:also\s+)?like\s+to\s+|wish\s+to\s+|want\s+to\s+)?)?"
    r"(?:thank|welcome|appreciate|congratulate|commend|applaud|salute|acknowledge|pay\s+tribute|express\s+(?:our|my)\s+\w*\s*(?:gratitude|appreciation|thanks|condolences))"
    r"|thank\s+you\b)",
    re.IGNORECASE,
)
_PROCEDURAL = re.compile(
    r"\b(?:I|we|my\s+delegation|our\s+delegation)\s+(?:will|shall|would\s+like\s+to|wish(?:es)?\s+to|wants?\s+to|intends?\s+to)\s+(?:now\s+|also\s+|therefore\s+|briefly\s+)?"
    r"(?:make|raise|focus|be\s+brief|keep|conclude|stress|emphasi[sz]e|underline|touch|limit|share|begin|start|end|turn"
    r"|add|speak|say|mention|recall|note|reiterate|echo|take\s+this\s+opportunity|highlight|outline|offer\s+(?:a\s+few|some|three|two)"
    r"|address\s+(?:two|three|four|five|a\s+few)|comment|refer|elaborate|deliver|read|complement|align|join\s+others)\b"
    r"|^\W*let\s+me\b|^\W*allow\s+me\b|^\W*in\s+closing\b,?\s*I\b",
    re.IGNORECASE,
)
_CALL = re.compile(
    r"\b(?:we|us)\s+(?:all\s+|collectively\s+|together\s+)?(?:need|must|should|have\s+to|ought\s+to|cannot\s+afford)\b"
    r"|\b(?:states|member\s+states|the\s+council|this\s+council|the\s+security\s+council|the\s+international\s+community"
    r"|all\s+parties|the\s+parties|parties|countries|donors|the\s+secretariat|the\s+united\s+nations|the\s+un|everyone"
    r"|all\s+of\s+us|all\s+states|governments|partners|each\s+of\s+us|the\s+organization)\s+(?:\w+ly\s+)?(?:should|must|need\s+to|needs\s+to|have\s+to|has\s+to|ought\s+to|shall)\b"
    r"|\b(?:call|calls|called|urge|urges|appeal|appeals|encourage|encourages|invite|invites|request|requests|implore)\s+(?:up)?on\b"
    r"|\b(?:urge|urges|encourage|encourages|invite|invites|ask|asks)\s+(?:all|other|the|those|every|each|member|states|countries|parties|donors|partners|everyone)\b"
    r"|^\W*let\s+us\b|\bit\s+is\s+(?:\w+\s+)?(?:essential|important|crucial|vital|imperative|necessary|critical|high\s+time|time|incumbent)\b",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"\b(?:subject\s+to\b[^,.;]*|provided\s+(?:that\s+)?[^,.;]*|pending\b[^,.;]*|conditional\s+(?:up)?on\b[^,.;]*"
    r"|contingent\s+(?:up)?on\b[^,.;]*|upon\s+(?:the\s+)?(?:approval|ratification|adoption|completion)\b[^,.;]*"
    r"|once\s+[^,.;]*\b(?:approved|adopted|ratified|completed|agreed)|if\s+(?:and\s+when\s+)?[^,.;]*)",
    re.IGNORECASE,
)
_EVENT = re.compile(
    r"\b(?:host|hosting|organi[sz]e|convene|hold|invite|train|dispatch|send|deploy|launch|conduct)\w*\b[^.;]{0,120}?"
    r"\b(?:conference|workshop|course|training|seminar|meeting|summit|event|forum|session|mission|experts?|judges|officers)\b",
    re.IGNORECASE,
)
_NEGOTIATION = re.compile(r"\bnegotiat\w*|\bChair\b|\bPresidency\b|\bfacilitat\w*", re.IGNORECASE)


def our_names(entity: str, entity_code: str = "") -> list[str]:
    """The names the speaker's side goes by: its entity's name, the state's other names."""
    from tracker.importing.heading import GROUPS

    names = {entity} if entity else set()
    # A group goes by its short name too: "the EU".
    names |= {key.upper() if len(key) <= 4 else key for key, group in GROUPS.items() if group == entity}
    country = (country_named(entity_code) if entity_code else None) or (
        country_named(entity) if entity else None
    )
    if country is not None:
        names |= _country_names(country)
    return sorted(names, key=len, reverse=True)


def _country_names(country: Country) -> set[str]:
    from tracker.importing.countries import _ALIASES, _by_key

    names = {country.name}
    names |= {key for key, c in _by_key().items() if c.code == country.code and len(key) > 3}
    names |= set(_ALIASES.get(country.code, []))
    return {re.sub(r"^the\s+", "", n, flags=re.I) for n in names}


def _subject(names: list[str]) -> str:
    entity_alts = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    government = rf"(?:the\s+)?government\s+of\s+(?:the\s+)?(?:{entity_alts})|(?:the\s+)?(?:{entity_alts})(?:['’]s)?(?:\s+government)?"
    alternatives = _OUR_PRONOUNS + (f"|{government}" if entity_alts else "")
    return rf"(?<![\w-])(?P<subject>{alternatives})(?![\w-])"


class RuleExtractor:
    """Cue words, read in context; offline, fast and explainable."""

    name = "rules"

    def propose(self, source: Source) -> list[Proposal]:
        names = our_names(source.entity, source.entity_code)
        subject = _subject(names)
        cue_patterns = [
            ("ongoing", re.compile(rf"{subject}{_ADVERBS}\s+(?P<cue>{_ONGOING})", re.I)),
            ("commitment", re.compile(rf"{subject}{_ADVERBS}\s+(?P<cue>{_COMMITMENT})", re.I)),
            ("future", re.compile(rf"{subject}{_ADVERBS}\s+(?P<cue>{_FUTURE})", re.I)),
            ("reaffirmation", re.compile(rf"{subject}{_ADVERBS}\s+(?P<cue>{_REAFFIRM})", re.I)),
            ("money", re.compile(rf"{subject}{_ADVERBS}\s+(?P<cue>{_MONEY})", re.I)),
        ]
        role = re.compile(_ROLE)
        proposals = []
        for sentence in split_sentences(source.text, source.language):
            proposal = self._read(sentence.text, sentence.start, source, cue_patterns, role)
            if proposal is not None:
                proposals.append(proposal)
        return proposals

    def _read(self, text: str, offset: int, source: Source, cue_patterns, role) -> Proposal | None:
        if len(text.split()) < 4 or _THANKS.search(text) or _PROCEDURAL.search(text) or _CALL.search(text):
            return None
        cues: list[Cue] = []
        for kind, pattern in cue_patterns:
            for match in pattern.finditer(text):
                if any(c.start <= offset + match.start("cue") < c.end for c in cues):
                    continue
                if kind == "money" and not (_MONEY_WORDS.search(text) or find_amount(text)):
                    continue
                if match.group("subject").casefold() == "i" and kind != "future":
                    continue
                cues.append(
                    Cue(
                        offset + match.start("cue"),
                        offset + match.end("cue"),
                        kind,
                        match.group("cue").strip(),
                    )
                )
        if not cues:
            return None
        first = min(cues, key=lambda c: c.start)
        for match in role.finditer(text):
            cues.append(Cue(offset + match.start(), offset + match.end(), "role", match.group(0)))
        condition = _CONDITION.search(text)
        if condition:
            cues.append(
                Cue(offset + condition.start(), offset + condition.end(), "condition", condition.group(0))
            )
        cues.sort(key=lambda c: c.start)
        deadline = find_deadline(text, offset=offset, delivered_on=source.delivered_on)
        amount = find_amount(text, offset=offset)
        kinds = {cue.kind for cue in cues}
        proposal = Proposal(
            start=offset,
            end=offset + len(text),
            quote=text,
            reason="",
            cues=cues,
            actor=source.entity,
            kind=_kind(text, kinds, amount),
            summary=_summary(text, first, offset),
            deadline=deadline,
            amount=amount,
            condition=condition.group(0).strip() if condition else "",
            themes=_themes(text, source.themes),
        )
        proposal.reason = explain(proposal)
        return proposal


def _kind(text: str, kinds: set[str], amount: Amount | None) -> PledgeKind:
    if amount is not None or "money" in kinds:
        return PledgeKind.FINANCIAL
    if "role" in kinds or _NEGOTIATION.search(text):
        return PledgeKind.NEGOTIATION_OR_LEADERSHIP
    if _EVENT.search(text):
        return PledgeKind.EVENT_OR_ACTIVITY
    if kinds & {"ongoing", "commitment"} and re.search(r"continu\w*|has\s+been\s+working", text, re.I):
        return PledgeKind.ONGOING_SUPPORT
    return PledgeKind.POLICY_OR_POSITION


def _summary(text: str, cue: Cue, offset: int) -> str:
    """A first draft of the summary, for the analyst to rewrite: what is promised, from
    the verb on ("plans to invite judges" gives "Invite judges")."""
    if cue.kind in ("money", "ongoing"):
        rest = re.sub(r"^(?:has|have)\s+(?:been\s+)?", "", text[cue.start - offset :].strip(), flags=re.I)
    else:
        rest = text[cue.end - offset :]
    rest = re.sub(r"^[\s,]*(?:to\s+|be\s+)?(?:also\s+|further\s+)?", "", rest).rstrip(" .")
    if not rest:
        rest = text.rstrip(" .")
    summary = rest[:1].upper() + rest[1:]
    if len(summary) > 300:
        summary = summary[:297].rsplit(" ", 1)[0] + "…"
    return summary


def _themes(text: str, themes: tuple[str, ...]) -> list[str]:
    found = []
    folded = re.sub(r"[-\s]+", " ", text.casefold())
    for theme in themes:
        stem = re.sub(r"[-\s]+", " ", theme.casefold())
        stem = stem[:-1] if stem.endswith("s") and len(stem) > 4 else stem
        if re.search(rf"(?<!\w){re.escape(stem)}", folded):
            found.append(theme)
    return found


def explain(proposal: Proposal) -> str:
    """Why it was proposed and what was read, in a sentence an analyst can check."""
    parts = []
    for kind, label in CUE_LABELS.items():
        words = [cue.words for cue in proposal.cues if cue.kind == kind and kind != "condition"]
        if words:
            parts.append(f"{label}: " + ", ".join(f"“{w}”" for w in dict.fromkeys(words)))
    if proposal.deadline:
        d = proposal.deadline
        parts.append(f"deadline “{d.text}” read as {d.on.day} {d.on:%B %Y} ({d.precision.label.lower()})")
    if proposal.amount:
        a = proposal.amount
        hedge = "approximately " if a.approximate else ""
        parts.append(
            f"amount “{a.text}” read as {hedge}{a.value:,.0f} {a.currency} ({a.stage.label.lower()})"
        )
    if proposal.condition:
        parts.append(f"conditional: “{proposal.condition}”")
    return "; ".join(parts)


def get_extractor() -> Extractor:
    """The extractor the settings name (PLEDGE_EXTRACTOR); the rules by default."""
    path = getattr(settings, "PLEDGE_EXTRACTOR", "tracker.importing.extraction.RuleExtractor")
    return import_string(path)()
