"""A source type for UN and other intergovernmental records; the values held stay as they are."""

from django.conf import settings
from django.db import migrations, models

from tracker import db_triggers


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0006_history_never_deleted'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='evidence',
            name='evidence_source_type_known',
        ),
        migrations.AlterField(
            model_name='evidence',
            name='source_type',
            field=models.CharField(choices=[('official', 'Official record of the pledging entity'), ('intergovernmental', 'Intergovernmental record (the UN, its agencies, other multilateral bodies)'), ('partner', 'Partner or implementer'), ('independent', 'Independent report or media')], max_length=20),
        ),
        migrations.AddConstraint(
            model_name='evidence',
            constraint=models.CheckConstraint(condition=models.Q(('source_type__in', ['official', 'intergovernmental', 'partner', 'independent'])), name='evidence_source_type_known'),
        ),
        # SQLite rebuilt the evidence table, and lost its triggers with it.
        migrations.RunPython(db_triggers.install, migrations.RunPython.noop),
    ]
