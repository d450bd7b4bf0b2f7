"""manage.py backup PATH : a consistent copy of the database, taken while the app runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.backups import BackupFailed, backup


class Command(BaseCommand):
    help = "Write a consistent copy of the database to PATH, while the app runs (see README: Backups)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to write; it must not exist yet")

    def handle(self, *args, path: str, **options):
        target = Path(path)
        if target.exists():
            raise CommandError(
                f"{target} exists already: give a new file name, so that no backup is overwritten."
            )
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent}: no such folder.")
        try:
            backup(target)
        except BackupFailed as error:
            target.unlink(missing_ok=True)
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up to {target} ({target.stat().st_size / 1_000_000:.1f} MB).")
