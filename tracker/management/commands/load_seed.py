"""Load the seed statement where it is missing, and never over an administrator's edits.

`loaddata` writes every row of the fixture again, by natural key: run on each `make
run`, it would put back the seed's text and pledge quotes over what administrators
changed since. This command loads the fixture only into a database that does not
hold the seed statement yet.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from tracker.models import Statement

SEED = "japan-unsc-2023-12-07"


class Command(BaseCommand):
    help = f"Load the seed statement {SEED} (fixtures/{SEED}.json) unless the database already holds it."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            if Statement.objects.filter(slug=SEED).exists():
                self.stdout.write(
                    f"The seed statement {SEED} is already in the database: "
                    "not loaded again, nothing overwritten."
                )
                return
            call_command("loaddata", SEED, verbosity=0)
            statement = Statement.objects.get(slug=SEED)
            pledges = statement.pledges.count()
        self.stdout.write(
            f"Loaded the seed statement {SEED} (fixtures/{SEED}.json): “{statement.title}”, "
            f"with {pledges} pledge{'s' if pledges != 1 else ''}."
        )
