"""Importing statements: the command, the service behind it, matching of speakers and
entities, idempotence, and all or nothing for each file."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from tracker import services
from tracker.importing.drafts import draft_from_text
from tracker.models import Entity, ProposedPledge, Speaker, Statement
from tracker.vocabulary import EntityKind, ProposalState

pytestmark = pytest.mark.django_db

FREEDONIA = """Statement by H.E. Ms. Ana Valdéz, Permanent Representative of Chile to the United Nations, at the Security Council Open Debate on Water and Peace

14 March 2024

Madam President,

I thank the briefers for their accounts. We need to protect the water systems that civilians rely on.

Chile will host a regional conference on shared aquifers in Santiago in October 2024.

Chile has allocated approximately USD 3 million to the trust fund for water security, subject to the approval of Congress.

We call on all parties to spare water infrastructure.
"""


def write(folder, name: str, text: str | bytes):
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def run(*args) -> tuple[str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("import_statement", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_new_statement_comes_in_with_its_speaker_entity_and_proposed_pledges(tmp_path):
    out, _ = run(str(write(tmp_path, "chile.txt", FREEDONIA)))
    statement = Statement.objects.get()
    assert statement.slug == "chile-unsc-2024-03-14"
    assert (statement.entity.name, statement.entity.code, statement.entity.kind) == (
        "Chile",
        "CHL",
        EntityKind.STATE,
    )
    assert (statement.speaker.honorific, statement.speaker.name) == ("H.E. Ms.", "Ana Valdéz")
    assert statement.organ == "Security Council"
    assert statement.meeting == "Open Debate on Water and Peace"
    assert statement.text.startswith("Madam President,")
    proposals = list(statement.proposals.order_by("quote_start"))
    assert [p.quote[:20] for p in proposals] == ["Chile will host a re", "Chile has allocated "]
    money = proposals[1]
    assert (money.amount, money.currency, money.amount_stage, money.amount_approximate) == (
        3_000_000,
        "USD",
        "allocated",
        True,
    )
    assert money.condition == "subject to the approval of Congress"
    assert proposals[0].deadline_on.isoformat() == "2024-10-31"
    assert "created statement chile-unsc-2024-03-14" in out
    assert "Imported 1 new statement (2 proposed pledges)" in out


def test_importing_the_same_text_twice_creates_nothing_new_and_says_so(tmp_path):
    path = write(tmp_path, "chile.txt", FREEDONIA)
    run(str(path))
    counts = (
        Statement.objects.count(),
        Speaker.objects.count(),
        Entity.objects.count(),
        ProposedPledge.objects.count(),
    )
    out, _ = run(str(path))
    assert "already imported as chile-unsc-2024-03-14: nothing new" in out
    assert "0 new statements" in out and "1 already here" in out
    assert (
        Statement.objects.count(),
        Speaker.objects.count(),
        Entity.objects.count(),
        ProposedPledge.objects.count(),
    ) == counts


def test_the_seed_source_is_recognised_as_the_seed_statement(seed):
    out, _ = run("fixtures/sources/japan-unsc-2023-12-07.txt")
    assert "already imported as japan-unsc-2023-12-07" in out
    assert Statement.objects.count() == 1
    # Only the reaffirmation the seed left out is proposed; none over its eight pledges.
    (proposal,) = ProposedPledge.objects.all()
    assert proposal.quote.startswith("In Hiroshima in May")
    out, _ = run("fixtures/sources/japan-unsc-2023-12-07.txt")
    assert "nothing new" in out


@pytest.mark.parametrize("written", ["Kimihiro Ishikane", "ISHIKANE Kimihiro", "Ambassador Ishikane"])
def test_a_speaker_written_another_way_is_the_same_speaker(seed, written):
    text = f"Statement by {written}, Permanent Representative of Japan, at the Security Council Briefing on Haiti\n\n1 March 2024\n\nMr. President,\nJapan will send experts to Haiti."
    draft = draft_from_text("haiti.txt", text)
    result = services.import_statement(draft=draft, imported_by=None)
    assert result.statement.speaker == seed.speaker
    assert not result.speaker_created and not result.entity_created
    assert Speaker.objects.count() == 1


@pytest.mark.parametrize("entity", ["Japan", "JPN", "japan"])
def test_a_state_given_by_name_or_code_is_the_entity_already_held(seed, entity):
    text = "Statement by Ms. Emi Sato at the Security Council Briefing on Haiti\n\n1 March 2024\n\nMr. President,\nWe will send experts."
    draft = draft_from_text("haiti.txt", text, overrides={"entity": entity})
    result = services.import_statement(draft=draft, imported_by=None)
    assert result.statement.entity == seed.entity
    assert Entity.objects.count() == 1


def test_a_rejected_proposal_does_not_come_back_when_the_text_is_imported_again(tmp_path, analyst):
    path = write(tmp_path, "chile.txt", FREEDONIA)
    run(str(path))
    rejected = ProposedPledge.objects.order_by("quote_start").first()
    services.reject_proposal(proposal=rejected, decided_by=analyst, note="An event, not a commitment.")
    run(str(path))
    assert ProposedPledge.objects.filter(quote_start=rejected.quote_start).count() == 1
    rejected.refresh_from_db()
    assert rejected.state == ProposalState.REJECTED


@pytest.mark.parametrize("edit", ["shorter", "longer"])
def test_a_text_edited_since_it_was_imported_gets_no_proposals_at_wrong_places(tmp_path, administrator, edit):
    path = write(tmp_path, "chile.txt", FREEDONIA)
    run(str(path))
    statement = Statement.objects.get()
    ProposedPledge.objects.all().delete()
    cut = statement.text.index("I thank the briefers")
    statement.text = statement.text[cut:] if edit == "shorter" else "Preamble.\n\n" + statement.text
    services.save_statement(statement=statement, changed_by=administrator)

    out, _ = run(str(path))

    assert "already imported as chile-unsc-2024-03-14, whose text has been edited since: nothing new" in out
    assert ProposedPledge.objects.count() == 0


def test_a_folder_shows_progress_and_a_summary_and_one_bad_file_does_not_stop_the_rest(tmp_path):
    write(tmp_path, "1-good.txt", FREEDONIA)
    write(tmp_path, "2-empty.txt", b"")
    write(tmp_path, "3-latin1.txt", "Déclaration du Chili".encode("latin-1"))
    write(tmp_path, "4-good.md", "# " + FREEDONIA.replace("Chile", "Peru").replace("Santiago", "Lima"))
    write(tmp_path, "notes.pdf", b"%PDF")
    with pytest.raises(CommandError, match="2 of 4 files could not be imported"):
        run(str(tmp_path))
    assert sorted(Statement.objects.values_list("entity__name", flat=True)) == ["Chile", "Peru"]


def test_the_command_names_each_bad_file_and_its_problem(tmp_path, capsys):
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "undated.txt", FREEDONIA.replace("14 March 2024", ""))
    write(tmp_path, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00")
    import io

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_statement", str(tmp_path), stdout=out, stderr=err)
    errors = err.getvalue()
    assert "empty.txt: the file is empty" in errors
    assert "undated.txt: no date found in the heading" in errors
    assert "binary.txt: the file is binary" in errors
    assert "3/3" in errors  # the progress bar reached the end
    assert not Statement.objects.exists()


def test_a_date_given_imports_a_statement_whose_heading_has_none(tmp_path):
    path = write(tmp_path, "undated.txt", FREEDONIA.replace("14 March 2024", ""))
    run(str(path), "--date", "2024-03-15", "--url", "https://example.org/chile")
    statement = Statement.objects.get()
    assert statement.delivered_on.isoformat() == "2024-03-15"
    assert statement.source_url == "https://example.org/chile"


def test_a_dry_run_prints_what_would_be_created_and_writes_nothing(tmp_path):
    out, _ = run(str(write(tmp_path, "chile.txt", FREEDONIA)), "--dry-run")
    assert "would create statement chile-unsc-2024-03-14" in out
    assert "delivered: 14 March 2024 (read from “14 March 2024”)" in out
    assert "why: money: “has allocated”" in out
    assert "nothing written" in out
    assert not Statement.objects.exists() and not Entity.objects.exists()


def test_a_file_that_fails_half_way_writes_nothing_at_all(tmp_path):
    long_name = (
        "Statement by Mr. "
        + "Longname " * 30
        + ", Minister of Chile, at the Security Council Briefing\n\n1 March 2024\n\nMr. President,\nChile will act."
    )
    with pytest.raises(CommandError):
        run(str(write(tmp_path, "long.txt", long_name)))
    # The entity was new: it was made, then undone with the rest.
    assert not Entity.objects.exists() and not Speaker.objects.exists() and not Statement.objects.exists()


def test_stopping_the_command_part_way_leaves_only_whole_statements(tmp_path, monkeypatch):
    write(tmp_path, "1.txt", FREEDONIA)
    write(tmp_path, "2.txt", FREEDONIA.replace("Chile", "Peru"))
    write(tmp_path, "3.txt", FREEDONIA.replace("Chile", "Bolivia"))
    store = services._store_proposals
    calls = []

    def interrupted_on_the_second(statement, proposals, extractor):
        calls.append(statement.slug)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as Ctrl-C would, after the statement's row was written
        return store(statement, proposals, extractor)

    monkeypatch.setattr(services, "_store_proposals", interrupted_on_the_second)
    with pytest.raises(SystemExit) as stopped:
        run(str(tmp_path))
    assert stopped.value.code == 130
    (statement,) = Statement.objects.all()
    assert statement.entity.name == "Chile"
    assert statement.proposals.count() == 2


def test_only_people_with_the_permission_import(analyst, administrator):
    draft = draft_from_text("chile.txt", FREEDONIA)
    with pytest.raises(PermissionDenied):
        services.import_statement(draft=draft, imported_by=analyst)
    assert services.import_statement(draft=draft, imported_by=administrator).created
