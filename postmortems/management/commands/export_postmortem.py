"""The export task's twin: ``manage.py export_postmortem INC-YYYY-MM-DD-N [--redact]``."""

import json

from django.core.management.base import BaseCommand, CommandError

from postmortems.export.services import ExportInProgress, export_request, export_run
from postmortems.models import Postmortem


class Command(BaseCommand):
    help = "Export a Final postmortem in this process and print the seed's JSON answer."

    def add_arguments(self, parser):
        parser.add_argument("ref", help="The incident's ref, e.g. INC-2026-11-24-1.")
        parser.add_argument(
            "--redact", action="store_true", help="Replace findings with [REDACTED:<kind>]."
        )

    def handle(self, *args, ref: str, redact: bool, **options):
        postmortem = Postmortem.objects.filter(incident__ref=ref).first()
        if postmortem is None:
            raise CommandError(f"No postmortem for {ref}.")
        try:
            run = export_request(postmortem=postmortem, by=None, redact=redact, queue=False)
        except ExportInProgress as busy:
            raise CommandError(f"Export run {busy.run.pk} is {busy.run.status} already.") from None
        answer = export_run(run.pk)
        self.stdout.write(json.dumps(answer, indent=2, ensure_ascii=False))
        if answer["status"] != "complete":
            raise CommandError(f"Export {answer['status']}.")
