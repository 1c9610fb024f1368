"""`manage.py demo_accounts`: print the demo accounts (username, role, who) as a table."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from inzage.demo.accounts import DEMO_PASSWORD
from inzage.demo.queries import demo_accounts_list


class Command(BaseCommand):
    help = "Print the demo accounts and who they are."

    def handle(self, *args, **options) -> None:
        accounts = demo_accounts_list()
        if not accounts:
            self.stdout.write("Geen demo-accounts gevonden; maak de demoschool met `manage.py seed_demo`.")
            return
        width_user = max(len("gebruikersnaam"), *(len(a.username) for a in accounts))
        width_role = max(len("rol"), *(len(a.role) for a in accounts))
        self.stdout.write(f"Demo-accounts (wachtwoord voor allemaal: {DEMO_PASSWORD})")
        self.stdout.write(f"{'gebruikersnaam':<{width_user}}  {'rol':<{width_role}}  wie")
        self.stdout.write(f"{'-' * width_user}  {'-' * width_role}  ---")
        for account in accounts:
            self.stdout.write(f"{account.username:<{width_user}}  {account.role:<{width_role}}  {account.who}")
