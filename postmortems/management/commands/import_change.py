"""Import a hotfix change folder: ``manage.py import_change CHG-YYYYMMDD-<slug> --user NAME``."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from postmortems.export.importer import change_import


class Command(BaseCommand):
    help = (
        "Create or update the incident and hotfix postmortem of a change folder "
        "(Planning/Changes/<CHANGE-ID>/ under EXPORT_REPO_ROOT); prints the seed's JSON answer."
    )

    def add_arguments(self, parser):
        parser.add_argument("change_id")
        parser.add_argument("--user", required=True, help="Username the import is recorded as.")

    def handle(self, *args, change_id: str, user: str, **options):
        try:
            by = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {user!r}.") from None
        result = change_import(change_id=change_id, by=by)
        self.stdout.write(json.dumps(result.answer, indent=2, ensure_ascii=False))
        if result.answer["status"] == "blocked":
            raise CommandError(result.answer["blocker"]["description"])
