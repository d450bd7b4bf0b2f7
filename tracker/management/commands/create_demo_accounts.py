"""One demo login per role, for trying the app on a developer's machine."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.roles import ADMINISTRATORS, ANALYSTS, MANAGERS

# username: (group, password, may use the admin site). Known passwords are only
# acceptable because the command refuses to run with DEBUG off.
DEMO_ACCOUNTS = {
    "analyst": (ANALYSTS, "analyst-demo-password", False),
    "manager": (MANAGERS, "manager-demo-password", False),
    "admin": (ADMINISTRATORS, "admin-demo-password", True),
}


class Command(BaseCommand):
    help = "Create one demo account per role (analyst, manager, admin) where missing. DEBUG only."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts have known passwords: this command runs only with DEBUG on.")
        User = get_user_model()
        with transaction.atomic():
            for username, (group_name, password, staff) in DEMO_ACCOUNTS.items():
                try:
                    group = Group.objects.get(name=group_name)
                except Group.DoesNotExist:
                    raise CommandError(
                        f"The group {group_name!r} is missing: run `manage.py migrate` first."
                    ) from None
                user, created = User.objects.get_or_create(username=username, defaults={"is_staff": staff})
                if created:
                    user.set_password(password)
                    user.save()
                    user.groups.add(group)
                    note = "created"
                else:
                    note = "already there, password unchanged"
                self.stdout.write(f"  {group_name:<15} {username:<8} {password:<24} ({note})")
        self.stdout.write("Log in at http://127.0.0.1:8000/accounts/login/")
