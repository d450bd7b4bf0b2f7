"""The tracker's words as choices: the one place that defines them.

The words
- Entity: who a statement is made for or a pledge is made by: a state (Japan, ISO 3166
  code JPN), an organisation (UNODC), a group (the European Union).
- Speaker: a person speaking for an entity, with an honorific and a role.
- Statement: what a speaker said at one meeting, verbatim, with its date and organ.
- Pledge: one commitment inside a statement: its verbatim quote with its character
  offsets, a summary, the actor, kind, themes, deadline, amount and condition.
- Status update: one dated judgement of a pledge's status, with a rationale, by one
  analyst; never edited, only retracted (and the retraction is kept too).
- Evidence: a source that bears on a pledge; never edited, only withdrawn (with a
  reason, kept): it then stays visible, struck through, and no longer counts.
- Review: the record that an analyst checked a pledge and its status still stands
  ("Still in progress, checked 26 November 2026"), with an optional note and evidence;
  never edited, only retracted. It changes no status, and counts as the pledge's last
  check.
- Proposed pledge: a sentence of an imported statement that the extractor thinks
  commits the speaker's side, with the reason; accepted, merged or rejected.

The statuses, drawn from PolitiFact's promise meters, the G7/G20 Research Group's
compliance scores, the OGP's Independent Reporting Mechanism and the Nutrition
Accountability Framework:

    status               meaning                                        final  score  closed
    not assessed         nobody has judged it yet (new pledges)         no     -      no
    not started          judged: no sign of action yet                  no     -      no
    in progress          action under way                               no     -      no
    stalled              action began and stopped, or is blocked        no     -      no
    partially fulfilled  delivered in part, or a compromise             yes    0      no
    fulfilled            delivered as pledged                           yes    +1     yes
    not fulfilled        deadline passed or abandoned, not delivered    yes    -1     yes
    withdrawn            withdrawn or superseded by a later pledge      yes    -      yes
    cannot be verified   no public evidence can settle it               yes    -      no

A final status can still change (new evidence). A closed one is settled for good: the
queue stops asking for it to be checked again, while a pledge partially fulfilled or
that cannot be verified yet comes back after 180 days, in case more was delivered or
evidence appeared. An entity's compliance rate is the
G7 Research Group's: the mean score of its scored pledges, shown as (mean + 1) / 2 × 100 %.
A pledge's current status is its latest update by effective date (then by recording
time) that is not retracted.

`_STATUS_FACTS` below is the single source of truth for each status's label, its order
(the order of the class body: lists, charts and exports follow it), whether it is
final, and its compliance score; the rules built on them live in tracker.rules.
"""

from django.db import models


class Status(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed"
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    STALLED = "stalled", "Stalled"
    PARTIALLY_FULFILLED = "partially_fulfilled", "Partially fulfilled"
    FULFILLED = "fulfilled", "Fulfilled"
    NOT_FULFILLED = "not_fulfilled", "Not fulfilled"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CANNOT_BE_VERIFIED = "cannot_be_verified", "Cannot be verified"

    @property
    def is_final(self) -> bool:
        return _STATUS_FACTS[self][0]

    @property
    def compliance_score(self) -> int | None:
        """The G7 Research Group's score: +1 kept, 0 in part, -1 not kept; None if unscored."""
        return _STATUS_FACTS[self][1]

    @property
    def is_closed(self) -> bool:
        """Settled for good: the queue no longer asks for the pledge to be checked again."""
        return _STATUS_FACTS[self][2]

    @property
    def order(self) -> int:
        return list(Status).index(self)

    @classmethod
    def final(cls) -> list["Status"]:
        return [status for status in cls if status.is_final]

    @classmethod
    def closed(cls) -> list["Status"]:
        return [status for status in cls if status.is_closed]

    @classmethod
    def judgements(cls) -> list["Status"]:
        """The statuses an analyst can record: every one but "not assessed"."""
        return [status for status in cls if status is not cls.NOT_ASSESSED]


# status: (final?, compliance score, closed?)
_STATUS_FACTS: dict[Status, tuple[bool, int | None, bool]] = {
    Status.NOT_ASSESSED: (False, None, False),
    Status.NOT_STARTED: (False, None, False),
    Status.IN_PROGRESS: (False, None, False),
    Status.STALLED: (False, None, False),
    Status.PARTIALLY_FULFILLED: (True, 0, False),
    Status.FULFILLED: (True, 1, True),
    Status.NOT_FULFILLED: (True, -1, True),
    Status.WITHDRAWN: (True, None, True),
    Status.CANNOT_BE_VERIFIED: (True, None, False),
}


# status: (what it means, when to use it), as the methodology page tells it.
STATUS_MEANINGS: dict[Status, tuple[str, str]] = {
    Status.NOT_ASSESSED: (
        "Nobody has judged the pledge yet.",
        "Every new pledge starts here; no analyst records it.",
    ),
    Status.NOT_STARTED: (
        "Judged: no sign of action yet.",
        "The pledge was looked into and nothing has been done towards it so far.",
    ),
    Status.IN_PROGRESS: (
        "Action is under way.",
        "Steps towards the pledge are public (a budget line, a call for applications, a first "
        "meeting) and it is not yet delivered.",
    ),
    Status.STALLED: (
        "Action began and stopped, or is blocked.",
        "Work started but has stopped, or is waiting on something outside the pledging entity's "
        "hands (a vote, a partner).",
    ),
    Status.PARTIALLY_FULFILLED: (
        "Delivered in part, or a compromise.",
        "Part of what was promised was delivered, or something less than promised; cite the "
        "evidence of what was delivered.",
    ),
    Status.FULFILLED: (
        "Delivered as pledged.",
        "What was promised happened, by its deadline if it had one; cite the evidence.",
    ),
    Status.NOT_FULFILLED: (
        "The deadline passed or the pledge was abandoned, and it was not delivered.",
        "The deadline is past without delivery, or the entity said it will not deliver; cite the evidence.",
    ),
    Status.WITHDRAWN: (
        "Withdrawn, or superseded by a later pledge.",
        "The entity took the pledge back or replaced it with another; name the later pledge in "
        "the rationale.",
    ),
    Status.CANNOT_BE_VERIFIED: (
        "No public evidence can settle it.",
        "After looking, the sources do not say whether it was delivered; it is checked again after 180 days.",
    ),
}


class EntityKind(models.TextChoices):
    STATE = "state", "State"
    ORGANISATION = "organisation", "Organisation"
    GROUP = "group", "Group"


class PledgeKind(models.TextChoices):
    FINANCIAL = "financial", "Financial"
    EVENT_OR_ACTIVITY = "event_or_activity", "Event or activity"
    POLICY_OR_POSITION = "policy_or_position", "Policy or position"
    NEGOTIATION_OR_LEADERSHIP = "negotiation_or_leadership", "Negotiation or leadership role"
    ONGOING_SUPPORT = "ongoing_support", "Ongoing support"


class DeadlinePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"
    NONE = "none", "No deadline"


class AmountStage(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    ALLOCATED = "allocated", "Allocated"
    COMMITTED = "committed", "Committed"
    DISBURSED = "disbursed", "Disbursed"


class SourceType(models.TextChoices):
    """Strongest first."""

    OFFICIAL = "official", "Official record of the pledging entity"
    INTERGOVERNMENTAL = (
        "intergovernmental",
        "Intergovernmental record (the UN, its agencies, other multilateral bodies)",
    )
    PARTNER = "partner", "Partner or implementer"
    INDEPENDENT = "independent", "Independent report or media"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports delivery"
    CONTRADICTS = "contradicts", "Contradicts delivery"


class ProposalState(models.TextChoices):
    """Where a proposed pledge stands in an analyst's review."""

    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    MERGED = "merged", "Merged into a pledge"
    REJECTED = "rejected", "Rejected"
