"""manage.py remove_demo_accounts : the demo logins go (or, if they recorded history,
are deactivated and get an unusable password)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import ProtectedError

from tracker.management.commands.create_demo_accounts import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Remove the demo accounts (analyst, manager, admin); run it before going live."

    def handle(self, *args, **options) -> None:
        for user in get_user_model().objects.filter(username__in=DEMO_ACCOUNTS):
            try:
                with transaction.atomic():
                    user.delete()
                self.stdout.write(f"Removed the demo account {user.username}.")
            except ProtectedError:
                # What it recorded stays attributed to it: the account stays, locked.
                user.is_active = False
                user.set_unusable_password()
                user.save(update_fields=["is_active", "password"])
                self.stdout.write(f"Deactivated the demo account {user.username} (it recorded history).")
