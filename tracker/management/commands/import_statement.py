"""manage.py import_statement PATH... : statements from text, Markdown or saved web pages.

Each file goes in whole or not at all, in its own transaction: a bad file is reported
by name and the others go in; stopping the command part way leaves only whole
statements. A folder is read with everything in it that looks like a statement.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tracker import services
from tracker.importing.drafts import StatementDraft, read_file
from tracker.importing.sources import MAX_FILE_BYTES, ImportProblem
from tracker.models import Entity, Theme

SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml"}


class Command(BaseCommand):
    help = "Import statements from text, Markdown or saved web page files, or folders of them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders to read them from")
        parser.add_argument("--speaker", help="who spoke, if the heading does not say or says it wrong")
        parser.add_argument("--honorific", help="the speaker's honorific: H.E. Ambassador")
        parser.add_argument("--role", help="the speaker's role")
        parser.add_argument(
            "--entity", help="the state, organisation or group spoken for (a name or ISO code)"
        )
        parser.add_argument("--date", help="the date delivered, as 2023-12-07 or 7 December 2023")
        parser.add_argument("--url", help="the source link (http or https)")
        parser.add_argument("--organ", help="Security Council, General Assembly ...")
        parser.add_argument("--meeting", help="the meeting: Open Debate on ...")
        parser.add_argument("--title", help="the statement's title")
        parser.add_argument("--dry-run", action="store_true", help="read and report; write nothing")

    def handle(self, *args, **options):
        files = self._files(options["paths"])
        overrides = {
            "speaker": options["speaker"],
            "honorific": options["honorific"],
            "role": options["role"],
            "entity": options["entity"],
            "delivered_on": options["date"],
            "source_url": options["url"],
            "organ": options["organ"],
            "meeting": options["meeting"],
            "title": options["title"],
        }
        known_entities = list(Entity.objects.values_list("name", flat=True))
        themes = tuple(Theme.objects.values_list("name", flat=True))
        counts = {"created": 0, "already": 0, "failed": 0, "proposals": 0}
        show_bar = len(files) > 1 and not options["dry_run"]
        bar = tqdm(files, unit="file", file=self.stderr._out, disable=not show_bar, dynamic_ncols=True)
        try:
            for path in bar:
                bar.set_postfix_str(path.name[-40:], refresh=False)
                line, outcome = self._one(path, overrides, known_entities, themes, options["dry_run"], counts)
                tqdm.write(line, file=self.stdout._out if outcome != "failed" else self.stderr._out)
                counts[outcome] += 1
        except KeyboardInterrupt:
            bar.close()
            self.stderr.write("Stopped. Every statement imported so far is whole; the rest were not started.")
            self._summary(counts, options["dry_run"])
            raise SystemExit(130) from None
        bar.close()
        self._summary(counts, options["dry_run"])
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} of {len(files)} files could not be imported (see above).")

    def _files(self, paths: list[str]) -> list[Path]:
        files = []
        for given in paths:
            path = Path(given)
            if path.is_dir():
                found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.casefold() in SUFFIXES)
                if not found:
                    self.stderr.write(f"{path}: no .txt, .md or .html files in this folder.")
                files += found
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder.")
        if not files:
            raise CommandError("Nothing to import.")
        return files

    def _one(self, path: Path, overrides, known_entities, themes, dry_run: bool, counts) -> tuple[str, str]:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ImportProblem(str(path), f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB.")
            draft = read_file(
                str(path),
                path.read_bytes(),
                overrides=overrides,
                known_entities=known_entities,
                themes=themes,
            )
            if draft.problems:
                raise ImportProblem(str(path), "; ".join(draft.problems))
            if dry_run:
                return self._describe(draft), "created"
            result = services.import_statement(draft=draft, imported_by=None)
        except ImportProblem as problem:
            return f"✗ {problem}", "failed"
        except ValidationError as error:
            return f"✗ {path}: {_messages(error)}", "failed"
        except OSError as error:
            return f"✗ {path}: cannot be read ({error.strerror}).", "failed"
        counts["proposals"] += result.proposals_added
        notes = "".join(f" Note: {note}" for note in draft.notes)
        return f"{'✓' if result.created else '='} {path}: {result.summary}{notes}", (
            "created" if result.created else "already"
        )

    def _describe(self, draft: StatementDraft) -> str:
        lines = [
            f"{draft.source}: would create statement {draft.slug}",
            f"  title:     {draft.title}",
            f"  speaker:   {draft.honorific} {draft.speaker}".rstrip(),
            f"  role:      {draft.role}",
            f"  entity:    {draft.entity}" + (f" ({draft.entity_code})" if draft.entity_code else ""),
            f"  organ:     {draft.organ}",
            f"  meeting:   {draft.meeting}",
            f"  delivered: {draft.delivered_on:%d %B %Y}"
            + (f" (read from “{draft.date_text}”)" if draft.date_text else ""),
            f"  text:      {len(draft.text):,} characters",
            *[f"  note:      {note}" for note in draft.notes],
            f"  {len(draft.proposals)} proposed pledges:",
        ]
        for proposal in draft.proposals:
            more = "…" if len(proposal.quote) > 100 else ""
            lines.append(f"  - [{proposal.start}–{proposal.end}] {proposal.quote[:100]}{more}")
            lines.append(f"      why: {proposal.reason}")
        return "\n".join(lines)

    def _summary(self, counts: dict, dry_run: bool) -> None:
        if dry_run:
            self.stdout.write(
                f"Dry run: {counts['created']} would be imported, {counts['failed']} could not; "
                "nothing written."
            )
            return
        self.stdout.write(
            f"Imported {counts['created']} new statement{'s' if counts['created'] != 1 else ''} "
            f"({counts['proposals']} proposed pledges); {counts['already']} already here; "
            f"{counts['failed']} could not be imported."
        )


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
