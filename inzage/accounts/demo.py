"""Demo second factors: each demo staff account gets a TOTP authenticator (and recovery codes), so the staff sign-in
with a second step can be tried. The secret is derived from the username and is as public as the demo password:
`manage.py demo_accounts` prints it (and today's code); never use this outside the demo school."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
from typing import Any

from django.db import transaction

from inzage.demo.accounts import DEMO_USERNAMES


def demo_totp_secret(username: str) -> str:
    """The demo account's TOTP secret (base32), the same on every machine (.ci/smoke_login.py computes it too)."""
    digest = hashlib.sha256(f"inzage-demo-totp:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def demo_totp_ensure() -> list[tuple[str, str]]:
    """Give every demo staff account its TOTP authenticator if it has none; returns (username, secret) per account."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    from inzage.accounts.models import User
    from inzage.accounts.staff_sessions import is_staff_account

    out: list[tuple[str, str]] = []
    # One transaction: an account never has recovery codes without its TOTP authenticator.
    with transaction.atomic():
        for user in User.objects.filter(username__in=DEMO_USERNAMES).order_by("username"):
            if not is_staff_account(user):
                continue
            secret = demo_totp_secret(user.username)
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, secret)
                RecoveryCodes.activate(user)
            out.append((user.username, secret))
    return out


def seed_demo_data(*, school: Any, rng: random.Random, today: dt.date) -> None:
    demo_totp_ensure()
