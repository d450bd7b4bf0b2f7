"""Reading a statement before anything is written: its sentences, heading, date,
deadlines, amounts, and the pledges proposed in it. No database needed."""

import datetime
from decimal import Decimal

import pytest

from tracker.importing.amounts import find_amount
from tracker.importing.deadlines import find_deadline
from tracker.importing.drafts import draft_from_text
from tracker.importing.extraction import RuleExtractor, Source
from tracker.importing.heading import read_date, read_heading
from tracker.importing.sentences import split_sentences
from tracker.importing.sources import ImportProblem, read_source
from tracker.vocabulary import AmountStage, DeadlinePrecision, PledgeKind

DELIVERED = datetime.date(2023, 12, 7)


def propose(text: str, entity: str = "Freedonia", **source) -> list:
    return RuleExtractor().propose(Source(text=text, entity=entity, delivered_on=DELIVERED, **source))


def proposed_quotes(text: str, entity: str = "Freedonia") -> list[str]:
    return [proposal.quote for proposal in propose(text, entity)]


# --- sentences -----------------------------------------------------------------------------


def test_sentences_keep_their_exact_offsets_in_the_text():
    text = "Mr. President,\n\u00a0\nH.E. Ambassador Ito met the U.S. delegation. “We will act,” she said."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Mr. President,",
        "H.E. Ambassador Ito met the U.S. delegation.",
        "“We will act,” she said.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


@pytest.mark.parametrize(
    "sentence",
    [
        "Freedonia has allocated approximately 17 million US dollars to the fund.",
        "The U.S. Government and Mr. Ito agreed on it with H.E. the Minister.",
        "Freedonia\u00a0will host the meeting in Geneva.",
        "No. 5 of the list, e.g. the court, will open in May.",
    ],
)
def test_abbreviations_numbers_and_non_breaking_spaces_do_not_break_a_sentence(sentence):
    assert [s.text for s in split_sentences(f"First things first. {sentence} Last words.")] == [
        "First things first.",
        sentence,
        "Last words.",
    ]


def test_offsets_count_characters_beyond_the_basic_plane():
    text = "We welcome the 🌍 summit. Freedonia will host the next one."
    last = split_sentences(text)[-1]
    assert text[last.start : last.end] == "Freedonia will host the next one."


# --- headings and dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2023/12/7", datetime.date(2023, 12, 7)),
        ("7 December 2023", datetime.date(2023, 12, 7)),
        ("December 7, 2023", datetime.date(2023, 12, 7)),
        ("07.12.2023", datetime.date(2023, 12, 7)),
        ("7-Dec-2023", datetime.date(2023, 12, 7)),
        ("New York, 14 March 2024", datetime.date(2024, 3, 14)),
    ],
)
def test_the_date_line_is_read_in_each_form_delegations_use(written, day):
    heading = read_heading(
        f"Statement by the Delegation of Freedonia at the General Assembly\n\n{written}\n\nMr. President,\nWe will act."
    )
    assert heading.delivered_on == day
    assert heading.problems == []


def test_a_day_first_date_is_read_day_first():
    assert read_date("03.04.2024") == datetime.date(2024, 4, 3)


def test_a_heading_without_a_date_is_reported_not_guessed():
    heading = read_heading(
        "Statement by Ms. Ana Lind, Permanent Representative of Sweden\n\nMadam President,\nSweden will act."
    )
    assert heading.delivered_on is None
    assert heading.problems == ["no date found in the heading"]


def test_a_heading_with_two_dates_is_reported_not_guessed():
    heading = read_heading(
        "Statement by Ms. Ana Lind at the Security Council\nDelivered 5 March 2024, posted 6 March 2024\n\n"
        "Madam President,\nSweden will act."
    )
    assert heading.delivered_on is None
    assert "two dates" in heading.problems[0]
    assert "5 March 2024" in heading.problems[0] and "6 March 2024" in heading.problems[0]


HEADING = "Statement by Ms. Ana Lind at the Security Council\n{}\n\nMadam President,\nSweden will act."


@pytest.mark.parametrize(
    "date_line", ["New York, 14–15 March 2024", "14 and 15 March 2024", "14 March 2024 and 15 March 2024"]
)
def test_a_range_of_two_days_is_two_dates_reported_not_guessed(date_line):
    heading = read_heading(HEADING.format(date_line))

    assert heading.delivered_on is None
    assert heading.problems == ["the heading gives two dates (14 March 2024 and 15 March 2024): say which"]
    assert heading.title == "Statement by Ms. Ana Lind at the Security Council"


@pytest.mark.parametrize(
    "date_line",
    [
        "New York, 14 March 2024 (check against delivery)",
        "14 March 2024, 10 a.m.",
        "Delivered on 14 March 2024",
    ],
)
def test_what_stands_beside_the_date_is_not_left_in_the_title(date_line):
    heading = read_heading(HEADING.format(date_line))

    assert heading.delivered_on == datetime.date(2024, 3, 14)
    assert heading.title == "Statement by Ms. Ana Lind at the Security Council"


def test_a_date_that_is_not_in_the_calendar_is_named():
    heading = read_heading(HEADING.format("31 February 2024"))

    assert heading.delivered_on is None
    assert heading.problems == [
        "the heading's date “31 February 2024” is not a date of the calendar: give the date"
    ]


def test_the_words_joining_two_dates_are_not_left_in_the_title():
    heading = read_heading(
        "Statement by Ms. Ana Lind at the Security Council\nNew York, 5 March 2024 and 6 March 2024\n\n"
        "Madam President,\nSweden will act."
    )
    assert heading.title == "Statement by Ms. Ana Lind at the Security Council"


def test_a_one_line_heading_gives_speaker_honorific_role_entity_organ_and_meeting():
    heading = read_heading(
        "Statement by H.E. Ambassador ISHIKANE Kimihiro, Permanent Representative of Japan to the United "
        "Nations, at the Security Council Open Debate on “Water and peace”\n\n2023/12/7\n\nMr. President,\n"
        "Japan will act."
    )
    assert (heading.honorific, heading.speaker) == ("H.E. Ambassador", "ISHIKANE Kimihiro")
    assert heading.role == "Permanent Representative of Japan to the United Nations"
    assert (heading.entity, heading.entity_code) == ("Japan", "JPN")
    assert heading.organ == "Security Council"
    assert heading.meeting == "Open Debate on “Water and peace”"


def test_a_heading_over_several_lines_gives_the_speaker_and_the_state_of_the_mission():
    heading = read_heading(
        "Ambassador Dana Whitfield\nDeputy Permanent Representative\nU.S. Mission to the United Nations\n"
        "New York, New York\nMay 15, 2024\nAS DELIVERED\n\nThank you, Madam President.\nWe will act."
    )
    assert (heading.honorific, heading.speaker) == ("Ambassador", "Dana Whitfield")
    assert (heading.entity, heading.entity_code) == ("United States", "USA")
    assert heading.delivered_on == datetime.date(2024, 5, 15)


def test_a_statement_on_behalf_of_a_group_is_made_for_the_group():
    heading = read_heading(
        "Statement on behalf of the European Union and its Member States at the Security Council Briefing "
        "on Haiti\n\n7 December 2023\n\nMr. President,\nThe EU will act."
    )
    assert heading.entity == "European Union"
    assert heading.meeting == "Briefing on Haiti"


def test_a_committee_is_the_organ_and_its_agenda_item_the_meeting():
    heading = read_heading(
        "General Assembly, 78th session\nSixth Committee\nAgenda item 109: Measures against terrorism\n"
        "Statement by the Delegation of Mexico\n7 October 2023\n\nMr. Chair,\nMexico will act."
    )
    assert heading.organ == "Sixth Committee"
    assert heading.meeting == "Agenda item 109: Measures against terrorism"
    assert heading.entity == "Mexico"
    assert heading.speaker == ""


def test_the_seed_text_reads_as_the_seed_statement(seed_source_text, seed_fields):
    draft = draft_from_text("japan.txt", seed_source_text)
    assert draft.problems == []
    assert draft.text == seed_fields["text"]
    assert draft.title == seed_fields["title"]
    assert draft.meeting == seed_fields["meeting"]
    assert draft.delivered_on == datetime.date(2023, 12, 7)
    assert draft.slug == "japan-unsc-2023-12-07"


def test_options_override_what_the_heading_says_and_supply_what_it_lacks():
    text = "Statement by Ms. Ana Lind\n\nMadam President,\nSweden will host the conference next year."
    draft = draft_from_text(
        "lind.txt",
        text,
        overrides={"delivered_on": "2024-02-01", "organ": "Security Council", "entity": "SWE"},
    )
    assert draft.problems == []
    assert draft.delivered_on == datetime.date(2024, 2, 1)
    assert (draft.entity, draft.entity_code) == ("Sweden", "SWE")
    assert draft.proposals[0].deadline.on == datetime.date(2025, 12, 31)


def test_a_date_given_that_cannot_be_read_is_reported():
    draft = draft_from_text(
        "x.txt", "Statement by Ms. Ana Lind\n\nSweden will act.", overrides={"delivered_on": "soon"}
    )
    assert any("“soon”" in problem for problem in draft.problems)


# --- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty"),
        (b"  \n\n ", "the file is empty"),
        (b"%PDF-1.7\x00\x01\x02binary", "binary"),
        ("Déclaration".encode("latin-1"), "not UTF-8"),
        ("Sweden will act.".encode("utf-16"), "the file is UTF-16 text (what Notepad calls “Unicode”)"),
        (b"Sweden will act. " * 5000 + b"\x00", "the file holds a null character at byte 85,000"),
    ],
)
def test_a_file_that_is_not_text_is_refused_naming_the_file(data, problem):
    with pytest.raises(ImportProblem) as refused:
        read_source("statement.txt", data)
    assert str(refused.value).startswith("statement.txt: ")
    assert problem in str(refused.value)


def test_a_text_over_the_size_limit_is_refused():
    with pytest.raises(ImportProblem, match="limit is 1,000,000"):
        read_source("long.txt", b"Freedonia will act. " * 60_000)


def test_markdown_is_read_without_its_markup():
    text = read_source(
        "s.md", b"# Statement by Ms. Lind\n\n**7 December 2023**\n\n- Sweden will *host* the talks.\n"
    )
    assert text == "Statement by Ms. Lind\n\n7 December 2023\n\nSweden will host the talks."


def test_a_markdown_paragraph_written_as_html_is_kept_and_a_comment_is_not():
    text = read_source(
        "s.md",
        b"Mr. President,\n\n<div>Kenya will <b>train</b> 300 peacekeepers.</div>\n\n<!-- draft -->\n\nEnd.",
    )
    assert text == "Mr. President,\n\nKenya will train 300 peacekeepers.\n\nEnd."


def test_a_saved_web_page_is_read_without_its_menus():
    page = """<!doctype html><html><head><title>Mission</title></head><body>
    <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/contact">Contact the mission</a></nav>
    <div class="cookies">This site uses cookies to improve your experience. Accept all cookies.</div>
    <main><article><h1>Statement by Ms. Ana Lind at the Security Council Open Debate on Water</h1>
    <p>7 December 2023</p><p>Madam President,</p>
    <p>Sweden will host a conference on shared rivers in Stockholm in the first quarter of 2024, and we thank
    the briefers for their clear and sobering accounts of the situation on the ground.</p>
    <p>We call on all parties to protect water infrastructure, which millions of civilians rely on every day.</p>
    </article></main><footer>Copyright the Mission of Sweden. All rights reserved. Privacy policy.</footer></body></html>"""
    text = read_source("page.html", page.encode())
    assert "Sweden will host a conference" in text
    assert "cookies" not in text and "Privacy policy" not in text
    assert text.index("7 December 2023") < text.index("Madam President")


def test_a_web_page_without_main_text_is_refused():
    with pytest.raises(ImportProblem, match="no main text"):
        read_source("empty.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>")


# --- proposed pledges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        ("Freedonia will open a training centre for prosecutors.", "future"),
        ("Freedonia plans to send experts to the region.", "future"),
        ("Freedonia intends to ratify the convention.", "future"),
        ("Freedonia stands ready to support the mission.", "future"),
        ("We pledge to double our support for the fund.", "commitment"),
        ("Freedonia is committed to the full implementation of the agreement.", "commitment"),
        ("Freedonia is determined to end impunity for these crimes.", "commitment"),
        ("Freedonia continues to support the commission's work.", "commitment"),
        ("Freedonia has been working with UNICEF and WHO to strengthen health systems.", "ongoing"),
        ("Freedonia has allocated 3 million euros to the trust fund.", "money"),
        ("My Government has pledged USD 4 million to the appeal.", "commitment"),
    ],
)
def test_a_sentence_that_commits_the_speakers_side_is_proposed_with_its_cue(sentence, cue):
    (proposal,) = propose(f"Mr. President,\n{sentence}")
    assert proposal.quote == sentence
    assert cue in {c.kind for c in proposal.cues}
    assert proposal.reason


def test_the_cue_words_are_named_in_the_reason_and_stand_at_their_offsets():
    text = "Mr. President,\nFreedonia plans to invite judges to a course in February 2024."
    (proposal,) = propose(text)
    (future,) = [cue for cue in proposal.cues if cue.kind == "future"]
    assert text[future.start : future.end] == "plans to"
    assert "“plans to”" in proposal.reason
    assert "29 February 2024 (month)" in proposal.reason


@pytest.mark.parametrize(
    "sentence",
    [
        "We need to further strengthen capacity-building in fragile countries.",
        "States should refrain from such acts.",
        "The Council must act now.",
        "We call on all parties to cease hostilities.",
        "We urge Member States to contribute to the appeal.",
        "It is essential that the mission keeps its mandate.",
        "Let us work together for peace.",
        "I thank the Secretary-General for his briefing.",
        "We welcome the adoption of the resolution.",
        "Freedonia welcomes the report of the panel.",
        "I will make three points.",
        "I will be brief.",
        "Let me conclude by recalling our history.",
        "I would like to highlight the role of women.",
        "Last year, Freedonia hosted a conference on water.",
        "The convention was adopted in 2000.",
        "UNODC will publish its report next month.",
    ],
)
def test_calls_on_others_thanks_counting_phrases_and_past_facts_are_not_proposed(sentence):
    assert proposed_quotes(f"Mr. President,\n{sentence}") == []


def test_we_stands_for_the_speakers_country():
    (proposal,) = propose("We will host the next meeting in our capital.", entity="Freedonia")
    assert proposal.actor == "Freedonia"


def test_a_state_is_known_by_its_other_names():
    assert proposed_quotes("The United States will provide $2 million.", entity="United States")
    assert proposed_quotes("The Government of Japan will host the meeting.", entity="Japan")


def test_another_state_making_a_promise_is_not_the_speakers_pledge():
    assert proposed_quotes("Ruritania will host the next meeting.", entity="Freedonia") == []


@pytest.mark.parametrize(
    ("words", "on", "precision"),
    [
        ("in February 2024", datetime.date(2024, 2, 29), DeadlinePrecision.MONTH),
        ("by the end of 2025", datetime.date(2025, 12, 31), DeadlinePrecision.YEAR),
        ("by 31 March 2025", datetime.date(2025, 3, 31), DeadlinePrecision.DAY),
        ("by March 31, 2025", datetime.date(2025, 3, 31), DeadlinePrecision.DAY),
        ("in the first quarter of 2025", datetime.date(2025, 3, 31), DeadlinePrecision.QUARTER),
        ("next year", datetime.date(2024, 12, 31), DeadlinePrecision.YEAR),
        ("by 2030", datetime.date(2030, 12, 31), DeadlinePrecision.YEAR),
        ("from 2024 to 2026", datetime.date(2026, 12, 31), DeadlinePrecision.YEAR),
        ("within two years", datetime.date(2025, 12, 7), DeadlinePrecision.YEAR),
    ],
)
def test_a_deadline_is_read_as_the_last_day_its_words_allow(words, on, precision):
    sentence = f"Freedonia will deliver the equipment {words} to the authorities."
    deadline = find_deadline(sentence, delivered_on=DELIVERED)
    assert (deadline.text, deadline.on, deadline.precision) == (words, on, precision)


def test_a_date_before_the_statement_is_history_not_a_deadline():
    assert find_deadline("The treaty adopted in 2000 will be implemented.", delivered_on=DELIVERED) is None


@pytest.mark.parametrize(
    ("words", "value", "currency", "approximate"),
    [
        ("approximately 17 million US dollars", Decimal(17_000_000), "USD", True),
        ("USD 5 million", Decimal(5_000_000), "USD", False),
        ("$2.5 million", Decimal(2_500_000), "USD", False),
        ("EUR 20 million", Decimal(20_000_000), "EUR", False),
        ("€3 million", Decimal(3_000_000), "EUR", False),
        ("20 million euros", Decimal(20_000_000), "EUR", False),
        ("£1.2 million", Decimal(1_200_000), "GBP", False),
        ("1 billion yen", Decimal(1_000_000_000), "JPY", False),
        ("CHF 4 million", Decimal(4_000_000), "CHF", False),
        ("more than NOK 10 million", Decimal(10_000_000), "NOK", True),
        ("up to 500,000 Swiss francs", Decimal(500_000), "CHF", True),
    ],
)
def test_an_amount_is_read_with_its_currency_and_hedge(words, value, currency, approximate):
    amount = find_amount(f"Freedonia will provide {words} to the fund.")
    assert (amount.text, amount.value, amount.currency, amount.approximate) == (
        words,
        value,
        currency,
        approximate,
    )
    assert amount.stage == AmountStage.ANNOUNCED


@pytest.mark.parametrize(
    ("verb", "stage"),
    [
        ("has allocated", AmountStage.ALLOCATED),
        ("has earmarked", AmountStage.ALLOCATED),
        ("has committed", AmountStage.COMMITTED),
        ("has disbursed", AmountStage.DISBURSED),
        ("will provide", AmountStage.ANNOUNCED),
    ],
)
def test_the_stage_of_the_money_comes_from_its_verb(verb, stage):
    assert find_amount(f"Freedonia {verb} USD 3 million for the appeal.").stage == stage


def test_numbers_that_are_not_money_are_not_amounts():
    assert find_amount("All 193 Member States marked the 20th anniversary over 5 years.") is None


def test_a_condition_marks_the_pledge_conditional():
    (proposal,) = propose("Freedonia will contribute EUR 2 million, subject to the approval of Parliament.")
    assert proposal.condition == "subject to the approval of Parliament"
    assert "conditional" in proposal.reason
    assert proposal.kind == PledgeKind.FINANCIAL


def test_a_role_taken_on_is_a_cue_and_makes_a_leadership_pledge():
    (proposal,) = propose("Freedonia will serve as Vice-Chair of the Ad Hoc Committee.")
    assert "role" in {cue.kind for cue in proposal.cues}
    assert proposal.kind == PledgeKind.NEGOTIATION_OR_LEADERSHIP


def test_themes_held_are_suggested_when_the_sentence_names_them():
    (proposal,) = RuleExtractor().propose(
        Source(
            text="Freedonia will fight cybercrime and drug trafficking.",
            entity="Freedonia",
            themes=("Cybercrime", "Drugs", "Customs"),
        )
    )
    assert proposal.themes == ["Cybercrime", "Drugs"]


def test_the_summary_is_drafted_from_what_is_promised():
    (proposal,) = propose("As part of these efforts, Freedonia plans to invite judges to a course.")
    assert proposal.summary == "Invite judges to a course"


def test_on_the_seed_every_pledge_is_proposed_and_no_other_sentence_but_the_reaffirmations(
    seed_fields, seed_pledges
):
    proposals = RuleExtractor().propose(
        Source(text=seed_fields["text"], entity="Japan", delivered_on=DELIVERED)
    )
    for pledge in seed_pledges:
        assert any(p.start <= pledge["quote_start"] and pledge["quote_end"] <= p.end for p in proposals), (
            pledge["quote"]
        )
    others = [
        p.quote for p in proposals if not any(p.start <= q["quote_start"] < p.end for q in seed_pledges)
    ]
    assert all(quote.startswith(("In Hiroshima", "Also, Japan is actively")) for quote in others)
