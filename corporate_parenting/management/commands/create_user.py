from __future__ import annotations

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from corporate_parenting.models import COUNCIL_ROLES, LocalAuthority, Role, User
from corporate_parenting.services import create_council_user


class Command(BaseCommand):
    help = (
        "Create a council user: create_user --la 831 --role councillor USERNAME. "
        "Without --password-stdin the account has no usable password until one is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--la", help="DfE LA code of the council, e.g. 831")
        parser.add_argument(
            "--role",
            required=True,
            choices=[r.value for r in [*COUNCIL_ROLES, Role.SYSTEM_ADMIN]],
            help="The role; a system_admin belongs to no council and takes no --la",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--can-sign-off-returns", action="store_true")
        parser.add_argument("--can-approve-reports", action="store_true")
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input"
        )

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        if options["role"] == Role.SYSTEM_ADMIN:
            if options["la"]:
                raise CommandError("A system admin belongs to no council: leave out --la.")
            la = None
        elif not options["la"]:
            raise CommandError(f"A {options['role']} belongs to a council: give --la, e.g. 831.")
        try:
            la = (
                la
                if options["role"] == Role.SYSTEM_ADMIN
                else LocalAuthority.objects.get(la_code=options["la"])
            )
        except LocalAuthority.DoesNotExist:
            raise CommandError(
                f"No council has LA code {options['la']!r}. "
                "Codes are three digits, e.g. 831 for Derby."
            ) from None
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} already exists.")
        password = None
        if options["password_stdin"]:
            password = getpass.getpass("Password: ") if self.stdin_isatty() else input().strip()
            try:
                validate_password(password, User(username=username))
            except ValidationError as exc:
                raise CommandError("Password rejected: " + " ".join(exc.messages)) from None
        if la is None:
            user = User(
                username=username,
                role=Role.SYSTEM_ADMIN,
                is_staff=True,
                is_superuser=True,
                email=str(options["email"]),
                first_name=str(options["first_name"]),
                last_name=str(options["last_name"]),
            )
            user.set_password(password) if password else user.set_unusable_password()
            user.save()
            self.stdout.write(self.style.SUCCESS(f"Created system admin {user.username}."))
            return
        try:
            user = create_council_user(
                username=username,
                la=la,
                role=Role(options["role"]),
                password=password,
                email=str(options["email"]),
                first_name=str(options["first_name"]),
                last_name=str(options["last_name"]),
                can_sign_off_returns=bool(options["can_sign_off_returns"]),
                can_approve_reports=bool(options["can_approve_reports"]),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {user.username}: {Role(user.role).label} at {la.name} ({la.la_code})."
            )
        )

    @staticmethod
    def stdin_isatty() -> bool:
        import sys

        return sys.stdin.isatty()
