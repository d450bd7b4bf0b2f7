"""The pledges' search text (quote, summary and statement title, case-folded), filled in,
with its index: FTS5 with trigrams on SQLite, pg_trgm on PostgreSQL (tracker.search)."""

from django.db import migrations, models

from tracker import db_triggers, search


def fill_search_text(apps, schema_editor):
    Pledge = apps.get_model("tracker", "Pledge")
    batch = []
    for pledge in Pledge.objects.select_related("statement").only("quote", "summary", "statement__title").iterator():
        pledge.search_text = search.search_text_of(pledge.quote, pledge.summary, pledge.statement.title)
        batch.append(pledge)
        if len(batch) == 2000:
            Pledge.objects.bulk_update(batch, ["search_text"])
            batch = []
    Pledge.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0011_read_model_status_periods_and_month_counts'),
    ]

    operations = [
        migrations.AddField(
            model_name='pledge',
            name='search_text',
            field=models.TextField(default='', editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(search.install, search.uninstall),
        # SQLite rebuilt the pledge table, and with it went its triggers.
        migrations.RunPython(db_triggers.install, migrations.RunPython.noop),
    ]
