"""`manage.py demo_accounts`: print the demo accounts (username, role, who) as a table."""

from __future__ import annotations

import time

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
        self._second_factors()

    def _second_factors(self) -> None:
        """Staff need a second step: print each demo staff account's TOTP secret and the code valid right now."""
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        from inzage.accounts.demo import demo_totp_ensure

        secrets = demo_totp_ensure()
        if not secrets:
            return
        self.stdout.write("")
        self.stdout.write("Medewerkers loggen in met een tweede stap (TOTP). Zet het geheim in een authenticator-app,")
        self.stdout.write("of gebruik de code van nu (30 seconden geldig):")
        counter = int(time.time()) // 30
        for username, secret in secrets:
            code = format_hotp_value(hotp_value(secret, counter))
            self.stdout.write(f"  {username:<14} geheim {secret}  code nu {code}")
