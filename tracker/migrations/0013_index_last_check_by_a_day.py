"""Indexes for a pledge's last check as of a past day: its latest status update and
review recorded before then (a plain CREATE INDEX; the history tables and their
triggers stay as they are)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0012_search_text_with_an_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['pledge', 'recorded_at'], name='review_pledge_recorded'),
        ),
        migrations.AddIndex(
            model_name='statusupdate',
            index=models.Index(fields=['pledge', 'recorded_at'], name='status_update_pledge_recorded'),
        ),
    ]
