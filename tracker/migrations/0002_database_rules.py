from django.db import migrations

from tracker import db_triggers


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial")]

    operations = [migrations.RunPython(db_triggers.install, db_triggers.uninstall)]
