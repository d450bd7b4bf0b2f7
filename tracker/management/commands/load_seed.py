"""Load the seed statement where it is missing, and never over an administrator's edits;
then its sourced follow-ups, once.

`loaddata` writes every row of the fixture again, by natural key: run on each `make
run`, it would put back the seed's text and pledge quotes over what administrators
changed since. This command loads the fixture only into a database that does not
hold the seed statement yet.

The follow-ups (fixtures/japan-unsc-2023-12-07-follow-ups.json) are real and sourced;
each is recorded through the analysts' own service, by an account that cannot log in
("seed-record"), and only on a pledge that has no history yet, so that running it again
adds nothing.
"""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from tracker import services
from tracker.models import Pledge, Statement
from tracker.roles import ANALYSTS

SEED = "japan-unsc-2023-12-07"
FOLLOW_UPS = Path(settings.BASE_DIR) / "fixtures" / f"{SEED}-follow-ups.json"


class Command(BaseCommand):
    help = f"Load the seed statement {SEED} (fixtures/{SEED}.json) unless the database already holds it."

    def handle(self, *args, **options) -> None:
        self.load_statement()
        self.load_follow_ups()

    def load_statement(self) -> None:
        with transaction.atomic():
            if Statement.objects.filter(slug=SEED).exists():
                self.stdout.write(
                    f"The seed statement {SEED} is already in the database: "
                    "not loaded again, nothing overwritten."
                )
                return
            call_command("loaddata", SEED, verbosity=0)
            statement = Statement.objects.get(slug=SEED)
            pledges = statement.pledges.count()
        self.stdout.write(
            f"Loaded the seed statement {SEED} (fixtures/{SEED}.json): “{statement.title}”, "
            f"with {pledges} pledge{'s' if pledges != 1 else ''}."
        )

    def load_follow_ups(self) -> None:
        data = json.loads(FOLLOW_UPS.read_text(encoding="utf-8"))
        recorded = 0
        with transaction.atomic():
            author = _record_keeper(data["recorded_by"])
            for follow_up in data["follow_ups"]:
                pledge = Pledge.objects.filter(
                    statement__slug=follow_up["statement"], number=follow_up["pledge"]
                ).first()
                if pledge is None or pledge.status_updates.exists() or pledge.evidence.exists():
                    continue
                services.record_status_update(
                    pledge=pledge,
                    author=author,
                    status=follow_up["status"],
                    effective_on=datetime.date.fromisoformat(follow_up["effective_on"]),
                    rationale=follow_up["rationale"],
                    new_evidence=services.NewEvidence(**follow_up["evidence"]),
                    based_on_version=pledge.version,
                )
                recorded += 1
        if recorded:
            self.stdout.write(
                f"Recorded {recorded} sourced follow-up{'s' if recorded != 1 else ''} ({FOLLOW_UPS.name})."
            )


def _record_keeper(username: str):
    """The account the seed's follow-ups are recorded by: an analyst that cannot log in."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=ANALYSTS))
    return user
