"""Reviews (a pledge checked, its status still standing), evidence withdrawn, and what
the pledge stores of them: its last check, and whether its status rests on withdrawn
evidence."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings

from django.db import migrations, models
from django.db.models import Max

from tracker import db_triggers
from tracker.roles import sync_groups


def last_checked_from_updates(apps, schema_editor):
    """Each pledge's last check, from the status updates that still stand (no review
    existed before this migration)."""
    Pledge = apps.get_model("tracker", "Pledge")
    StatusUpdate = apps.get_model("tracker", "StatusUpdate")
    latest = (
        StatusUpdate.objects.filter(retraction__isnull=True)
        .values("pledge_id")
        .annotate(last=Max("recorded_at"))
        .values_list("pledge_id", "last")
    )
    for pledge_id, last in latest:
        Pledge.objects.filter(pk=pledge_id).update(last_checked_at=last)


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0007_intergovernmental_source_type'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='evidence',
            options={'ordering': ['-added_at', '-id'], 'permissions': [('withdraw_any_evidence', "Can withdraw any analyst's evidence")], 'verbose_name_plural': 'evidence'},
        ),
        migrations.AddField(
            model_name='pledge',
            name='last_checked_at',
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='pledge',
            name='status_evidence_withdrawn',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.CreateModel(
            name='Review',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('not_started', 'Not started'), ('in_progress', 'In progress'), ('stalled', 'Stalled'), ('partially_fulfilled', 'Partially fulfilled'), ('fulfilled', 'Fulfilled'), ('not_fulfilled', 'Not fulfilled'), ('withdrawn', 'Withdrawn'), ('cannot_be_verified', 'Cannot be verified')], help_text='The status that still stands.', max_length=20)),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('note', models.TextField(blank=True)),
                ('version', models.PositiveIntegerField(editable=False, help_text="The pledge's version that this change to its history made.")),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews', to=settings.AUTH_USER_MODEL)),
                ('evidence', models.ManyToManyField(blank=True, related_name='reviewed_in', to='tracker.evidence')),
                ('pledge', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews', to='tracker.pledge')),
            ],
            options={
                'ordering': ['-recorded_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ReviewRetraction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('retracted_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('version', models.PositiveIntegerField(editable=False, help_text="The pledge's version that this change to its history made.")),
                ('reason', models.TextField()),
                ('retracted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('review', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='retraction', to='tracker.review')),
            ],
        ),
        migrations.CreateModel(
            name='EvidenceWithdrawal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('withdrawn_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('version', models.PositiveIntegerField(editable=False, help_text="The pledge's version that this change to its history made.")),
                ('reason', models.TextField()),
                ('evidence', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='withdrawal', to='tracker.evidence')),
                ('withdrawn_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='evidence_withdrawal_reason_not_empty')],
            },
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['not_started', 'in_progress', 'stalled', 'partially_fulfilled', 'fulfilled', 'not_fulfilled', 'withdrawn', 'cannot_be_verified'])), name='review_status_is_a_judgement'),
        ),
        migrations.AddConstraint(
            model_name='reviewretraction',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), _negated=True), name='review_retraction_reason_not_empty'),
        ),
        migrations.RunPython(last_checked_from_updates, migrations.RunPython.noop),
        # Analysts record reviews and withdraw their evidence; administrators any.
        migrations.RunPython(sync_groups, migrations.RunPython.noop),
        # The new history tables refuse UPDATE and DELETE; SQLite rebuilt the pledge table.
        migrations.RunPython(db_triggers.install, migrations.RunPython.noop),
    ]
