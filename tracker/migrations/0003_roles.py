from django.db import migrations

from tracker.roles import sync_groups


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_database_rules"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
