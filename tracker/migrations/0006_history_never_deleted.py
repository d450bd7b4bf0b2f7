"""History tables, and the link between status updates and the evidence they cite,
refuse DELETE (and TRUNCATE on PostgreSQL) as well as UPDATE."""

from django.db import migrations

from tracker import db_triggers


class Migration(migrations.Migration):
    dependencies = [("tracker", "0005_pledge_revisions")]

    operations = [migrations.RunPython(db_triggers.install, migrations.RunPython.noop)]
