from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from postmortems.demo import DemoConflict, DemoResult, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo workspace (a team, six incidents, four postmortems, their action "
        "items) once, then print the login. Run again, it changes nothing."
    )

    def handle(self, *args, **options) -> None:
        try:
            try:
                result = load_demo()
            except IntegrityError:
                # Two loaders started on an empty database (PostgreSQL lets both look);
                # this one lost and was rolled back. Looking again finds the winner's demo.
                result = load_demo()
        except DemoConflict as error:
            raise CommandError(str(error)) from error
        self._report(result)

    def _report(self, result: DemoResult) -> None:
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo workspace: {result.incidents} incidents, "
                    f"{result.postmortems} postmortems, {result.action_items} action items."
                )
            )
        else:
            self.stdout.write(
                f"The demo workspace is already loaded (user {result.username!r} and its "
                "incidents exist); nothing was changed."
            )
        if result.password is None:
            self.stdout.write(
                f"Sign in as {result.username} with the password you set for it "
                "(it is no longer the demo password)."
            )
        else:
            self.stdout.write(
                f"Sign in as:\n  username: {result.username}\n  password: {result.password}"
            )
