"""The three roles as groups, and the permissions each one holds: analysts log
follow-ups and review proposed pledges; managers read and export, and change nothing;
administrators keep the record (statements, speakers, pledges, users) in the admin.

The data migration 0003 makes the groups from this table; a later change to it
needs a migration that calls `sync_groups` again (0004 does, for the permissions to
import statements and to review proposed pledges; 0008, for reviews and withdrawals).
"""

ANALYSTS = "Analysts"
MANAGERS = "Managers"
ADMINISTRATORS = "Administrators"

_RECORDS = ["entity", "speaker", "statement", "theme", "pledge"]
_HISTORY = [
    "statusupdate",
    "retraction",
    "evidence",
    "evidencewithdrawal",
    "review",
    "reviewretraction",
    "statementrevision",
]
_EVERYTHING = _RECORDS + _HISTORY

READ_ALL = [f"tracker.view_{model}" for model in _EVERYTHING]

# role: permissions, as "app_label.codename"
ROLE_PERMISSIONS: dict[str, list[str]] = {
    ANALYSTS: [
        *READ_ALL,
        "tracker.add_statusupdate",
        "tracker.add_review",
        "tracker.add_retraction",  # of their own updates and reviews; the services check whose
        "tracker.add_evidence",
        "tracker.add_evidencewithdrawal",  # of the evidence they added
        "tracker.view_proposedpledge",
        "tracker.review_proposals",
    ],
    MANAGERS: [*READ_ALL, "tracker.export_pledges"],
    ADMINISTRATORS: [
        *READ_ALL,
        *[f"tracker.{action}_{model}" for model in _RECORDS for action in ("add", "change", "delete")],
        "tracker.add_statusupdate",
        "tracker.add_review",
        "tracker.add_retraction",
        "tracker.retract_any_statusupdate",
        "tracker.add_evidence",
        "tracker.add_evidencewithdrawal",
        "tracker.withdraw_any_evidence",
        "tracker.export_pledges",
        "tracker.import_statements",
        "tracker.view_proposedpledge",
        "tracker.review_proposals",
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
        # create_permissions skips an app without a models module, which every app of a
        # migration's state is; each app gets back what it had (the app registry's
        # models modules, when tests call this outside a migration, must stay).
        before = getattr(app_config, "models_module", None)
        app_config.models_module = before or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = before

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for name in wanted:
            app_label, codename = name.split(".")
            # An early migration runs this before later models and permissions exist; the
            # migration that adds them calls it again.
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is None and apps.is_installed("tracker") and _defined_later(apps, codename):
                continue
            if found is None:
                raise LookupError(f"No permission {name}: is ROLE_PERMISSIONS out of date?")
            permissions.append(found)
        group.permissions.set(permissions)


def _defined_later(apps, codename: str) -> bool:
    """Whether no model at this point of the migrations defines the permission yet."""
    for model in apps.get_app_config("tracker").get_models():
        opts = model._meta
        defined = {f"{action}_{opts.model_name}" for action in opts.default_permissions}
        defined |= {code for code, _ in opts.permissions}
        if codename in defined:
            return False
    return True
