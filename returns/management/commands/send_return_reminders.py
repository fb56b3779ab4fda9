from __future__ import annotations

from django.core.mail import mailers
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from corporate_parenting.lib.cli import dmy_date
from corporate_parenting.models import LocalAuthority, Role
from returns.reminders import (
    for_officer,
    officers_to_remind,
    reminder_email,
    returns_needing_attention,
)


class Command(BaseCommand):
    help = (
        "Email each council's officers the quarterly returns that are due within 7 days or "
        "overdue and not signed off. Officers who may sign off returns also hear about those "
        "waiting for sign-off. Run it daily or weekly; each run sends afresh."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--la", help="Only this council: DfE LA code, e.g. 831 for Derby")
        parser.add_argument(
            "--today", type=dmy_date, help="Act as if today were this date (dd/mm/yyyy)"
        )

    def handle(self, *args: object, **options: object) -> None:
        today = options["today"] or timezone.localdate()
        if options["la"]:
            try:
                councils = [LocalAuthority.objects.get(la_code=options["la"])]
            except LocalAuthority.DoesNotExist:
                raise CommandError(
                    f"No council has LA code {options['la']!r}. Codes are three digits, "
                    "e.g. 831 for Derby."
                ) from None
        else:
            # Councils with anyone to email: the other 150-odd would only print noise.
            councils = LocalAuthority.objects.filter(
                users__role=Role.OFFICER, users__is_active=True
            ).distinct()
        failed = []
        for la in councils:
            reminders = returns_needing_attention(la, today)
            if not reminders:
                self.stdout.write(f"{la.name}: no returns need attention; nothing sent.")
                continue
            emails = []
            for officer in officers_to_remind(la):
                mine = for_officer(reminders, officer)
                if mine:
                    emails.append(reminder_email(officer, la, mine))
            overdue = sum(r.overdue for r in reminders)
            noun = "return needs" if len(reminders) == 1 else "returns need"
            found = f"{la.name}: {len(reminders)} {noun} attention ({overdue} overdue)"
            if not emails:
                self.stdout.write(
                    self.style.WARNING(f"{found}, but no active officer with an email address.")
                )
                continue
            try:
                sent = mailers.default.send_messages(emails) or 0
            except Exception as error:  # SMTP or network: report it and go on to the next
                failed.append(la.name)
                self.stderr.write(f"{found}; sending failed: {error}")
                continue
            people = "officer" if sent == 1 else "officers"
            self.stdout.write(f"{found}; emailed {sent} {people}.")
        if failed:
            raise CommandError(f"Reminders could not be sent for: {', '.join(failed)}.")
