"""Indexes for the dashboard's recent activity: the latest status updates, reviews and
evidence by the moment they were recorded (a plain CREATE INDEX; the tables and their
triggers stay as they are)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0008_reviews_and_withdrawals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='evidence',
            index=models.Index(fields=['added_at'], name='evidence_added_at'),
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['recorded_at'], name='review_recorded_at'),
        ),
        migrations.AddIndex(
            model_name='statusupdate',
            index=models.Index(fields=['recorded_at'], name='status_update_recorded_at'),
        ),
    ]
