"""Importing a statement on the web: paste or upload, see what was read, correct, save.
Nothing is written until the save; bad input is named and writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tracker.importing.sources import MAX_FILE_BYTES
from tracker.models import Entity, ProposedPledge, Speaker, Statement

pytestmark = pytest.mark.django_db

URL = reverse("import_statement")

TEXT = """Statement by H.E. Ms. Ana Lindqvist, Permanent Representative of Sweden to the United Nations
Security Council Open Debate on Maritime Security

New York, 12 March 2024

Mr. President,

Sweden will contribute 3 million euros to the regional maritime coordination centre in 2025.

We thank the briefers for their presentations.

Sweden is committed to training coast guard officers from the region.
"""

# The same heading, with two dates: the person must say which.
TWO_DATES = TEXT.replace("New York, 12 March 2024", "New York, 12 March 2024 and 13 March 2024")


def read(client, text=TEXT, **more):
    return client.post(URL, {"step": "read", "text": text, **more})


def review_data(response, **changes) -> dict:
    """What the review form would post back: its fields as read, with changes."""
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    shown = response.context["proposals_shown"]
    return {"step": "review", "action": "save", "proposals_shown": shown, **data, **changes}


def correct_and_save(client, response, **changes):
    """Correct fields, read again to see the proposals for them, then save."""
    checked = client.post(URL, review_data(response, action="read", **changes))
    assert checked.status_code == 200, checked.context["form"].errors
    return client.post(URL, review_data(checked))


@pytest.fixture
def importer(client_for, administrator):
    return client_for(administrator)


def test_reading_a_pasted_statement_shows_what_was_read_and_writes_nothing(importer):
    response = read(importer)

    assert response.status_code == 200
    form = response.context["form"]
    assert form["entity"].value() == "Sweden"
    assert form["speaker"].value() == "Ana Lindqvist"
    assert form["organ"].value() == "Security Council"
    assert form["delivered_on"].value() == "2024-03-12"
    draft = response.context["draft"]
    assert [p.quote for p in draft.proposals] == [
        "Sweden will contribute 3 million euros to the regional maritime coordination centre in 2025.",
        "Sweden is committed to training coast guard officers from the region.",
    ]
    page = response.content.decode()
    assert "A new entity, Sweden (SWE), will be created." in page
    assert '<mark class="cue cue--future"' in page
    assert Statement.objects.count() == Entity.objects.count() == Speaker.objects.count() == 0


def test_saving_the_draft_imports_the_statement_with_its_proposals(importer):
    response = importer.post(URL, review_data(read(importer)))

    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == statement.get_absolute_url() + "#proposals"
    assert statement.delivered_on.isoformat() == "2024-03-12"
    assert statement.entity.code == "SWE"
    assert statement.proposals.count() == 2
    page = importer.get(response["Location"]).content.decode()
    assert "Created statement" in page
    assert "Proposed pledges to review (2)" in page


def test_corrections_made_before_saving_are_what_is_saved(importer):
    correct_and_save(
        importer,
        read(importer),
        delivered_on="2024-03-13",
        entity="NOR",
        speaker="Kari Nordmann",
        meeting="Open Debate on Maritime Security",
        source_url="https://example.org/statements/1",
    )

    statement = Statement.objects.select_related("entity", "speaker").get()
    assert statement.delivered_on.isoformat() == "2024-03-13"
    assert (statement.entity.name, statement.entity.code) == ("Norway", "NOR")
    assert statement.speaker.name == "Kari Nordmann"
    assert statement.meeting == "Open Debate on Maritime Security"
    assert statement.source_url == "https://example.org/statements/1"


def test_a_corrected_text_is_read_again_before_saving(importer):
    response = read(importer)
    shorter = "Mr. President,\n\nSweden will open an embassy in Dakar in 2026."

    again = importer.post(URL, review_data(response, action="read", text=shorter))

    assert again.status_code == 200
    assert [p.quote for p in again.context["draft"].proposals] == [
        "Sweden will open an embassy in Dakar in 2026."
    ]
    assert Statement.objects.count() == 0


def test_saving_corrections_that_change_the_proposals_shows_them_first(importer):
    response = read(importer)

    # Spoken for Norway, "Sweden will …" is no longer the speaker's side's pledge.
    changed = importer.post(URL, review_data(response, entity="Norway"))

    assert changed.status_code == 200
    assert "Your corrections changed what is proposed: nothing was saved yet." in changed.content.decode()
    assert Statement.objects.count() == 0
    importer.post(URL, review_data(changed))
    assert Statement.objects.get().entity.name == "Norway"
    assert ProposedPledge.objects.count() == len(changed.context["draft"].proposals)


def test_a_text_sent_back_with_windows_line_breaks_is_the_same_text(importer):
    response = read(importer)
    data = review_data(response)
    data["text"] = data["text"].replace("\n", "\r\n")

    importer.post(URL, data)

    statement = Statement.objects.get()
    assert "\r" not in statement.text
    assert "This text is already here as" in read(importer).content.decode()


def test_a_heading_with_two_dates_asks_for_the_date_beside_its_field(importer):
    response = read(importer, text=TWO_DATES)

    assert response.status_code == 200
    errors = response.context["form"].errors["delivered_on"]
    assert errors == ["The heading gives two dates (12 March 2024 and 13 March 2024): say which."]
    refused = importer.post(URL, review_data(response))
    assert refused.status_code == 422
    assert Statement.objects.count() == 0

    correct_and_save(importer, response, delivered_on="2024-03-13")
    assert Statement.objects.get().delivered_on.isoformat() == "2024-03-13"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"delivered_on": "2999-01-01"}, "delivered_on", "Give a date between 1 January 1945 and today"),
        ({"delivered_on": "7 Dec"}, "delivered_on", "Enter a valid date."),
        ({"entity": ""}, "entity", "Name the state, organisation or group spoken for."),
        ({"organ": ""}, "organ", "Name the organ"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "http"),
        ({"title": "x" * 501}, "title", "at most 500 characters"),
        ({"text": "   "}, "text", "The statement has no text."),
    ],
)
def test_bad_corrections_are_named_and_write_nothing(importer, changes, field, message):
    response = importer.post(URL, review_data(read(importer), **changes))

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert "Nothing was saved" in response.content.decode()
    assert Statement.objects.count() == Entity.objects.count() == 0


def test_an_uploaded_web_page_is_read_for_its_main_text(importer):
    page = (
        b"<!doctype html><html><head><title>Statement</title></head><body>"
        b"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main><article>"
        b"<h1>Statement by Ambassador Ana Lindqvist, Permanent Representative of Sweden, "
        b"Security Council Open Debate on Maritime Security</h1><p>12 March 2024</p>"
        b"<p>Mr. President,</p>"
        b"<p>Sweden will contribute 3 million euros to the regional maritime coordination centre in 2025, "
        b"and we will second two experts to its staff.</p>"
        b"<p>We thank the briefers for their clear presentations this morning and for their work.</p>"
        b"</article></main><footer>Contact us</footer></body></html>"
    )
    upload = SimpleUploadedFile("sweden.html", page, content_type="text/html")

    response = importer.post(URL, {"step": "read", "file": upload})

    assert response.status_code == 200
    assert response.context["form"]["entity"].value() == "Sweden"
    assert "Contact us" not in response.context["form"]["text"].value()
    assert len(response.context["draft"].proposals) == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"  \n", "empty.txt: the file is empty."),
        ("scan.pdf", b"%PDF-1.4\x00\x01\x02", "scan.pdf: the file is binary"),
        ("latin.txt", "Déclaration de la France".encode("latin-1"), "latin.txt: the file is not UTF-8"),
        ("big.txt", b"a" * (MAX_FILE_BYTES + 1), "big.txt: the file is larger than 5 MB."),
    ],
)
def test_a_file_that_cannot_be_read_is_named_with_its_problem(importer, name, data, message):
    response = importer.post(URL, {"step": "read", "file": SimpleUploadedFile(name, data)})

    assert response.status_code == 422
    assert message in " ".join(response.context["source_form"].errors["file"])
    assert Statement.objects.count() == 0


def test_nothing_given_or_both_given_is_refused_with_a_message(importer):
    nothing = read(importer, text="")
    both = importer.post(URL, {"step": "read", "text": TEXT, "file": SimpleUploadedFile("a.txt", b"Text")})

    assert nothing.status_code == both.status_code == 422
    assert nothing.context["source_form"].errors["text"] == [
        "Paste the statement here, or choose a file below."
    ]
    assert both.context["source_form"].non_field_errors() == ["Paste a text or choose a file, not both."]


def test_importing_the_same_text_again_says_so_and_creates_nothing(importer):
    importer.post(URL, review_data(read(importer)))

    again = read(importer)
    assert "This text is already here as" in again.content.decode()
    response = importer.post(URL, review_data(again), follow=True)

    assert Statement.objects.count() == 1
    assert ProposedPledge.objects.count() == 2
    assert "Already imported as" in response.content.decode()


def test_the_speaker_and_entity_already_here_are_matched_not_duplicated(importer):
    importer.post(URL, review_data(read(importer)))
    later = TEXT.replace("12 March 2024", "20 May 2024").replace("maritime coordination", "port security")

    response = read(importer, text=later.replace("H.E. Ms. Ana Lindqvist", "Ambassador Lindqvist"))

    page = response.content.decode()
    assert "Matches <a" in page and "Sweden</a>, already here." in page
    assert "Ana Lindqvist</a>, already here." in page
    importer.post(URL, review_data(response))
    assert Statement.objects.count() == 2
    assert Entity.objects.count() == Speaker.objects.count() == 1


@pytest.mark.parametrize("role", ["analyst", "manager", "nobody"])
def test_only_those_with_the_permission_may_import(client_for, request, role):
    client = client_for(request.getfixturevalue(role))

    assert client.get(URL).status_code == 403
    assert read(client).status_code == 403
    assert Statement.objects.count() == 0


def test_an_analyst_given_the_permission_may_import(client_for, analyst):
    from django.contrib.auth.models import Permission

    analyst.user_permissions.add(Permission.objects.get(codename="import_statements"))
    client = client_for(analyst)

    response = client.post(URL, review_data(read(client)))

    assert response.status_code == 302
    assert Statement.objects.count() == 1


def test_the_import_page_is_linked_for_those_who_may_import(importer, client_for, manager):
    assert f'href="{URL}"' in importer.get(reverse("pledge_list")).content.decode()
    assert f'href="{URL}"' not in client_for(manager).get(reverse("pledge_list")).content.decode()


def test_the_form_posts_carry_the_csrf_token(importer):
    page = importer.get(URL).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'enctype="multipart/form-data"' in page
