"""The three roles of DESIGN.md as groups, and the permissions each one holds.

The data migration 0003 makes the groups from this table; a later change to it
needs a migration that calls `sync_groups` again.
"""

ANALYSTS = "Analysts"
MANAGERS = "Managers"
ADMINISTRATORS = "Administrators"

_RECORDS = ["entity", "speaker", "statement", "theme", "pledge"]
_HISTORY = ["statusupdate", "retraction", "evidence", "statementrevision"]
_EVERYTHING = _RECORDS + _HISTORY

READ_ALL = [f"tracker.view_{model}" for model in _EVERYTHING]

# role: permissions, as "app_label.codename"
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ANALYSTS: [
        *READ_ALL,
        "tracker.add_statusupdate",
        "tracker.add_retraction",  # of their own updates; the services check whose
        "tracker.add_evidence",
    ],
    MANAGERS: [*READ_ALL, "tracker.export_pledges"],
    ADMINISTRATORS: [
        *READ_ALL,
        *[f"tracker.{action}_{model}" for model in _RECORDS for action in ("add", "change", "delete")],
        "tracker.add_statusupdate",
        "tracker.add_retraction",
        "tracker.retract_any_statusupdate",
        "tracker.add_evidence",
        "tracker.export_pledges",
        *[
            f"auth.{action}_{model}"
            for model in ("user", "group")
            for action in ("add", "change", "delete", "view")
        ],
    ],
}


def sync_groups(apps, schema_editor) -> None:
    """Create the groups, each with exactly the permissions in ROLE_PERMISSIONS."""
    from django.contrib.auth.management import create_permissions

    # Permissions are otherwise created only after all migrations have run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for name in wanted:
            app_label, codename = name.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)
