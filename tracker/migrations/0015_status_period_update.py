"""Each status period names the status update that decides it, so that the deciding
update of every pledge as of a day is found by the period holding the day
(tracker.history.deciding_updates). The periods are written afresh from the updates in
force; they hold the same days and statuses as before, so the month counts stay."""

import django.db.models.deletion
from django.db import migrations, models

from tracker.read_model import Update, periods_of


def empty_the_periods(apps, schema_editor):
    apps.get_model("tracker", "StatusPeriod")._base_manager.all().delete()


def fill_the_periods(apps, schema_editor, *, with_updates: bool = True):
    Pledge = apps.get_model("tracker", "Pledge")
    StatusUpdate = apps.get_model("tracker", "StatusUpdate")
    StatusPeriod = apps.get_model("tracker", "StatusPeriod")
    updates = {}
    in_force = StatusUpdate.objects.filter(retraction__isnull=True).order_by()
    for pledge_id, *update in in_force.values_list("pledge_id", "effective_on", "recorded_at", "id", "status"):
        updates.setdefault(pledge_id, []).append(Update(*update))
    rows = []
    for pledge_id in Pledge.objects.values_list("pk", flat=True).iterator():
        for period in periods_of(updates.get(pledge_id, [])):
            fields = period._asdict()
            if not with_updates:  # (unapplying: the field is gone)
                del fields["update_id"]
            rows.append(StatusPeriod(pledge_id=pledge_id, **fields))
    StatusPeriod._base_manager.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0014_status_tallies"),
    ]

    operations = [
        migrations.RunPython(
            empty_the_periods, lambda apps, editor: fill_the_periods(apps, editor, with_updates=False)
        ),
        migrations.AddField(
            model_name="statusperiod",
            name="update",
            field=models.ForeignKey(
                default=None,
                help_text="The update that decides it.",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tracker.statusupdate",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_the_periods, empty_the_periods),
    ]
