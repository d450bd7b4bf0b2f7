"""The read model: each pledge's status periods, and the month counts of the dashboard,
filled from the status updates in force (tracker.read_model)."""

from collections import Counter

import django.db.models.deletion
import django.db.models.manager

from django.db import migrations, models

from tracker.read_model import Update, moves_of, periods_of


def fill_from_history(apps, schema_editor):
    Pledge = apps.get_model("tracker", "Pledge")
    StatusUpdate = apps.get_model("tracker", "StatusUpdate")
    StatusPeriod = apps.get_model("tracker", "StatusPeriod")
    StatusMonthCount = apps.get_model("tracker", "StatusMonthCount")
    updates = {}
    in_force = StatusUpdate.objects.filter(retraction__isnull=True).order_by()
    for pledge_id, *update in in_force.values_list("pledge_id", "effective_on", "recorded_at", "id", "status"):
        updates.setdefault(pledge_id, []).append(Update(*update))
    counts = Counter()
    rows = []
    for pledge_id, made_on in Pledge.objects.values_list("pk", "statement__delivered_on").iterator():
        periods = periods_of(updates.get(pledge_id, []))
        rows += [
            StatusPeriod(pledge_id=pledge_id, status=period.status, valid_from=period.valid_from, valid_to=period.valid_to)
            for period in periods
        ]
        counts.update(moves_of(made_on, periods))
    StatusPeriod._base_manager.bulk_create(rows, batch_size=5000)
    StatusMonthCount._base_manager.bulk_create(
        StatusMonthCount(month=month, status=status, moves=moves)
        for (month, status), moves in sorted(counts.items())
        if moves
    )


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0010_stored_last_change_and_evidence_count'),
    ]

    operations = [
        migrations.CreateModel(
            name='StatusMonthCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text="The month's first day.")),
                ('status', models.CharField(choices=[('not_assessed', 'Not assessed'), ('not_started', 'Not started'), ('in_progress', 'In progress'), ('stalled', 'Stalled'), ('partially_fulfilled', 'Partially fulfilled'), ('fulfilled', 'Fulfilled'), ('not_fulfilled', 'Not fulfilled'), ('withdrawn', 'Withdrawn'), ('cannot_be_verified', 'Cannot be verified')], max_length=20)),
                ('moves', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('month', 'status'), name='status_month_count_unique')],
            },
            managers=[
                ('not_dumped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='StatusPeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('not_assessed', 'Not assessed'), ('not_started', 'Not started'), ('in_progress', 'In progress'), ('stalled', 'Stalled'), ('partially_fulfilled', 'Partially fulfilled'), ('fulfilled', 'Fulfilled'), ('not_fulfilled', 'Not fulfilled'), ('withdrawn', 'Withdrawn'), ('cannot_be_verified', 'Cannot be verified')], max_length=20)),
                ('valid_from', models.DateField()),
                ('valid_to', models.DateField(blank=True, help_text='The first day it no longer holds; empty: it still does.', null=True)),
                ('pledge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_periods', to='tracker.pledge')),
            ],
            options={
                'indexes': [models.Index(fields=['pledge', 'valid_from'], name='status_period_of_pledge')],
                'constraints': [models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gt', models.F('valid_from')), _connector='OR'), name='status_period_not_empty')],
            },
            managers=[
                ('not_dumped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.RunPython(fill_from_history, migrations.RunPython.noop),
    ]
