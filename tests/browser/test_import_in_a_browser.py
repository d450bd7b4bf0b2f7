"""A statement goes in and its pledges are found, in a real browser: an administrator
imports one from the web page and corrects its date; an analyst accepts a proposal,
merges two, rejects one, and makes a pledge of a passage selected with the mouse."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in, serious_violations
from tracker import services
from tracker.importing.drafts import draft_from_text
from tracker.models import Pledge, ProposedPledge, Statement
from tracker.vocabulary import ProposalState

pytestmark = pytest.mark.django_db(transaction=True)

STATEMENT = """Statement by H.E. Mr. Rafael Ortega, Permanent Representative of Chile to the United Nations
Security Council Open Debate on Women, Peace and Security

New York, 14 October 2024 and 15 October 2024

Mr. President,

I thank you for convening this debate. I will make three points.

Chile will deploy a gender adviser to each of its peacekeeping contingents by the end of 2025. We will also double the share of women among our military observers.

Chile has pledged 500,000 US dollars to the Women's Peace and Humanitarian Fund.

Chile continues to support the national action plans of the countries of our region.

The Council 🌊 must do more to “protect women human rights defenders”.
"""


def test_an_administrator_imports_a_statement_and_corrects_its_date(page: Page, administrator):
    log_in(page, administrator.username)
    page.get_by_role("link", name="Import").click()
    page.get_by_label("Paste the statement").fill(STATEMENT)
    page.get_by_role("button", name="Read the statement").click()

    date = page.get_by_label("Date delivered")
    two_dates = "The heading gives two dates (14 October 2024 and 15 October 2024)"
    # Beside the field, and in the list of errors at the form's top, linked to it.
    expect(page.locator(".field--error").filter(has=page.get_by_label("Date delivered"))).to_contain_text(
        two_dates
    )
    expect(
        page.locator(".form-errors").get_by_role("link", name=f"Date delivered: {two_dates}")
    ).to_be_visible()
    expect(page.get_by_label("Spoken for")).to_have_value("Chile")
    expect(page.get_by_role("heading", name="4 proposed pledges")).to_be_visible()
    assert serious_violations(page) == []
    assert Statement.objects.count() == 0

    date.fill("2024-10-15")
    page.get_by_role("button", name="Save the statement").click()

    expect(page.locator(".messages")).to_contain_text("Created statement chile-unsc-2024-10-15")
    expect(page.get_by_role("heading", name="Proposed pledges to review (4)")).to_be_visible()
    statement = Statement.objects.get()
    assert statement.delivered_on.isoformat() == "2024-10-15"
    assert statement.proposals.count() == 4


@pytest.fixture
def statement(db):
    draft = draft_from_text("chile.txt", STATEMENT, overrides={"delivered_on": "2024-10-15"})
    return services.import_statement(draft=draft, imported_by=None).statement


def proposal(statement, words: str) -> ProposedPledge:
    return statement.proposals.get(quote__contains=words)


def card(page: Page, words: str):
    return page.locator(".proposal").filter(has_text=words)


def test_an_analyst_accepts_merges_rejects_and_selects(page: Page, analyst, statement):
    log_in(page, analyst.username)
    page.goto(statement.get_absolute_url())
    expect(page.get_by_role("heading", name="Proposed pledges to review (4)")).to_be_visible()
    assert serious_violations(page) == []

    # Accept one, correcting its summary first.
    card(page, "500,000").get_by_role("link", name="Accept…").click()
    expect(page.get_by_label("Currency")).to_have_value("USD")
    page.get_by_label("Summary").fill("Half a million dollars to the Women's Peace and Humanitarian Fund")
    page.get_by_role("button", name="Make the pledge").click()
    expect(page.locator(".messages")).to_contain_text("Pledge 1 made")
    expect(page.get_by_role("heading", name="Proposed pledges to review (3)")).to_be_visible()

    # Merge the two sentences that make one pledge.
    card(page, "gender adviser").get_by_label("Merge").check()
    card(page, "double the share").get_by_label("Merge").check()
    page.get_by_role("button", name="Merge the ticked sentences into one pledge…").click()
    expect(page.get_by_role("heading", name="The 2 sentences merged")).to_be_visible()
    page.get_by_label("Summary").fill("Gender advisers and more women observers")
    page.get_by_role("button", name="Make the pledge").click()
    expect(page.get_by_role("heading", name="Proposed pledges to review (1)")).to_be_visible()

    # Reject one in place: no page load, the list shrinks and says so.
    page.evaluate("window.samePage = true")
    remaining = card(page, "national action plans")
    remaining.get_by_label("Why is it not a pledge? (optional)").fill("Support already under way")
    remaining.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("heading", name="Proposed pledges to review (0)")).to_be_visible()
    expect(page.locator("#announcer")).to_have_text("Proposal rejected: it will not be proposed again.")
    assert page.evaluate("window.samePage") is True
    expect(page.get_by_role("heading", name="Proposed pledges to review (0)")).to_be_focused()

    # Select a passage the extractor did not propose, with the mouse, and make it a pledge.
    # An emoji (two UTF-16 units, one character) and a curly quote stand before it.
    words = "protect women human rights defenders"
    select_in_text(page, words)
    bar = page.locator(".selection-bar")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("5 words selected")
    bar.get_by_role("link", name="Make a pledge of the selection…").click()
    expect(page.locator("blockquote.quote")).to_have_text(words)
    page.get_by_label("Summary").fill("Protection of women human rights defenders")
    page.get_by_label("Kind").select_option(label="Policy or position")
    page.get_by_role("button", name="Make the pledge").click()
    expect(page.locator(".messages")).to_contain_text("Pledge 3 made")

    made = {p.number: p for p in Pledge.objects.filter(statement=statement)}
    assert made[1].quote == proposal(statement, "500,000").quote
    assert made[2].quote.startswith("Chile will deploy") and made[2].quote.endswith("military observers.")
    start = statement.text.index(words)
    assert (made[3].quote, made[3].quote_start, made[3].quote_end) == (words, start, start + len(words))
    rejected = proposal(statement, "national action plans")
    assert (rejected.state, rejected.decision_note) == (ProposalState.REJECTED, "Support already under way")
    # The pledges made are marked in the text, and words inside one can still be selected
    # (dragging across a marked pledge selects, it does not drag its link away).
    page.goto(statement.get_absolute_url())
    expect(page.locator(".statement-text mark")).to_have_count(3)
    select_in_text(page, "human rights")
    expect(page.locator(".selection-bar")).to_contain_text("2 words selected")
    assert page.url.endswith(statement.get_absolute_url())


def select_in_text(page: Page, words: str) -> None:
    """Drag the mouse across `words` in the statement's text, as a person would."""
    box = page.evaluate(
        """(words) => {
            const text = document.querySelector(".statement-text");
            const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(words);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + words.length);
                range.startContainer.parentElement.scrollIntoView({block: "center"});
                const rects = range.getClientRects();
                const first = rects[0], last = rects[rects.length - 1];
                return {x1: first.left + 1, y1: first.top + first.height / 2,
                        x2: last.right - 1, y2: last.top + last.height / 2};
            }
            return null;
        }""",
        words,
    )
    assert box, f"“{words}” is not in the text"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def test_a_session_that_ended_meanwhile_takes_the_analyst_to_the_login_page(page: Page, analyst, statement):
    log_in(page, analyst.username)
    page.goto(statement.get_absolute_url())
    page.context.clear_cookies(name="sessionid")  # the CSRF cookie outlives the session

    card(page, "continues to support").get_by_role("button", name="Reject").click()

    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_label("Username")).to_be_visible()
    assert proposal(statement, "continues to support").state == ProposalState.PROPOSED


def test_without_javascript_an_analyst_still_accepts_and_rejects(
    page_without_javascript: Page, analyst, statement
):
    page = page_without_javascript
    log_in(page, analyst.username)
    page.goto(statement.get_absolute_url())

    card(page, "continues to support").get_by_role("button", name="Reject").click()
    expect(page.locator(".messages")).to_contain_text("Proposal rejected")
    card(page, "500,000").get_by_role("link", name="Accept…").click()
    page.get_by_role("button", name="Make the pledge").click()

    expect(page.get_by_role("heading", name="Proposed pledges to review (2)")).to_be_visible()
    assert Pledge.objects.filter(statement=statement).count() == 1
