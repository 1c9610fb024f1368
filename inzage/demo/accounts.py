"""The demo accounts: fixed usernames for the personas a visitor (or a test) signs in as. All share DEMO_PASSWORD."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

DEMO_PASSWORD = "inzage-demo"

# (username, what the account is); the seed makes each of these true, `demo_accounts` prints who they are.
DEMO_ACCOUNTS = [
    ("admin", _("schoolbeheerder (Django-beheer voor de eigen school)")),
    ("mentor", _("mentor van een klas in leerjaar 3")),
    ("docent", _("vakdocent wiskunde van de klas van leerling")),
    ("leerling", _("leerling in de klas van mentor, jonger dan 16")),
    ("ouder", _("ouder met gezag van leerling")),
    ("ouder2", _("andere ouder met gezag van leerling, ander huishouden (gescheiden)")),
    ("ouder-zonder-gezag", _("ouder zonder gezag van een leerling")),
    ("leerling16", _("leerling van 16 of 17")),
    ("leerling18", _("leerling van 18+, met ouders")),
    ("zorg", _("zorgcoördinator")),
    ("coordinator", _("coördinator leerjaar 3")),
    ("verzuim", _("verzuimcoördinator")),
]
DEMO_USERNAMES = [username for username, _role in DEMO_ACCOUNTS]
