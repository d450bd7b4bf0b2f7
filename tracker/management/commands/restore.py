"""manage.py restore PATH : replace the database with a backup. Stop the app first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.backups import BackupFailed, restore


class Command(BaseCommand):
    help = "Replace everything in the database with the backup at PATH. Stop the app first."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a file written by manage.py backup")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask to confirm"
        )

    def handle(self, *args, path: str, interactive: bool, **options):
        source = Path(path)
        if interactive:
            answer = input(f"This replaces everything in the database with {source}. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        try:
            restore(source)
        except BackupFailed as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored from {source}.")
