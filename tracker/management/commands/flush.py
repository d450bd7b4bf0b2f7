"""Django's flush, which empties every table: history included, as only database
maintenance may (the test suite empties its database between tests this way)."""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from tracker.db_triggers import history_maintenance


class Command(DjangoFlush):
    def handle(self, **options):
        with history_maintenance(connections[options.get("database") or DEFAULT_DB_ALIAS]):
            return super().handle(**options)
