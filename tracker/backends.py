"""Who may log in: everyone with an active account and the right password, except, once
DEBUG is off, a demo account whose password is still the published one."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def has_demo_password(user) -> bool:
    from tracker.management.commands.create_demo_accounts import DEMO_ACCOUNTS

    demo = DEMO_ACCOUNTS.get(user.get_username())
    return demo is not None and user.check_password(demo[1])


class AccountBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if not settings.DEBUG and has_demo_password(user):
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):
        # A session opened with a demo password ends when DEBUG is turned off.
        user = super().get_user(user_id)
        if user is not None and not settings.DEBUG and has_demo_password(user):
            return None
        return user
