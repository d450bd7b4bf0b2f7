"""The pledge's statement date, kept on the pledge by the database, and the queue's index."""

from django.db import migrations, models

from tracker import db_triggers

QUEUE_INDEX = "pledge_queue_order"


def fill(apps, schema_editor):
    schema_editor.execute(
        "UPDATE tracker_pledge SET made_on = "
        "(SELECT s.delivered_on FROM tracker_statement s WHERE s.id = tracker_pledge.statement_id)",
        params=None,
    )


def add_queue_index(apps, schema_editor):
    # The queue's order (models.QUEUE_ORDER): the never checked first. SQLite puts NULL
    # first in an ascending index and refuses to be told so; PostgreSQL puts it last
    # unless told.
    nulls_first = " NULLS FIRST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {QUEUE_INDEX} ON tracker_pledge "
        f"(last_checked_at{nulls_first}, made_on, statement_id, number)",
        params=None,
    )


def drop_queue_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {QUEUE_INDEX}", params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0017_headline_periods_and_dated_tallies")]

    operations = [
        migrations.AddField(
            model_name="pledge",
            name="made_on",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(db_triggers.install, db_triggers.uninstall_made_on),
        migrations.RunPython(add_queue_index, drop_queue_index),
    ]
