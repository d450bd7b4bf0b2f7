"""Django's migrate, with a guard: a migration that would drop a table of history is
refused while the table holds rows, unless --allow-losing-history is given."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from tracker import signals


class Command(DjangoMigrate):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--allow-losing-history",
            action="store_true",
            help="unapply migrations even when that deletes recorded history (back up first)",
        )

    def handle(self, *args, **options):
        signals.allow_losing_history = options["allow_losing_history"]
        try:
            return super().handle(*args, **options)
        finally:
            signals.allow_losing_history = False
