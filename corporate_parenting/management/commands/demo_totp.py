from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corporate_parenting.demo import demo_totp_code


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of a demo user (demo accounts only), "
        "to sign in to the demo without an authenticator app: demo_totp derby.officer"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        try:
            code = demo_totp_code(str(options["username"]))
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(code)
        self.stderr.write("A new code comes every 30 seconds; each code works once.")
