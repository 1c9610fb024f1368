"""`make screenshots`: the main page of each demo role at phone and desktop width, as images in docs/screenshots/.

Run against a database that holds the demo school (the Makefile target seeds a fresh one). The pages are served by a
threaded WSGI server on a free loopback port inside this process and opened in Debian's Chromium (Playwright, a
development dependency) with each demo account's session, so a school sees the product before installing it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application
from django.test import Client

# (file name, demo account, path): what each role opens first on a working day.
SHOTS = [
    ("leerling-cijfers", "leerling", "/mijn/cijfers/"),
    ("leerling-rooster", "leerling", "/rooster/"),
    ("ouder-start", "ouder", "/"),
    ("ouder-cijfers", "ouder", "/mijn/cijfers/"),
    ("mentor-klas", "mentor", "/medewerker/klas/"),
    ("docent-start", "docent", "/"),
    ("zorg-start", "zorg", "/"),
    ("verzuim-werklijst", "verzuim", "/verzuim/werklijst/"),
    ("admin-beleid", "admin", "/zichtbaarheid/beleid/"),
]
WIDTHS = {"telefoon": (360, 780), "desktop": (1280, 900)}


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Command(BaseCommand):
    help = "Render the main page of each demo role at phone and desktop width into docs/screenshots/."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "screenshots"))

    def handle(self, *args: Any, out: str, **options: Any) -> None:
        from playwright.sync_api import sync_playwright

        from inzage.accounts.models import User
        from inzage.testing.browser import CHROMIUM_ARGS, chromium_path

        users = {u.username: u for u in User.objects.filter(username__in={s[1] for s in SHOTS})}
        if len(users) < len({s[1] for s in SHOTS}):
            raise CommandError("De demoschool ontbreekt: draai eerst `manage.py seed_demo`.")
        server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
        server.set_app(StaticFilesHandler(get_internal_wsgi_application()))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        sessions = {}
        for name, user in users.items():
            client = Client()
            client.force_login(user)
            sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                for file_name, username, path in SHOTS:
                    for width_name, (width, height) in WIDTHS.items():
                        context = browser.new_context(
                            base_url=base, locale="nl-NL", viewport={"width": width, "height": height}
                        )
                        context.add_cookies(
                            [{"name": settings.SESSION_COOKIE_NAME, "value": sessions[username], "url": base}]
                        )
                        page = context.new_page()
                        response = page.goto(path)
                        if response is None or response.status != 200:
                            raise CommandError(f"{username} {path}: {response.status if response else 'geen antwoord'}")
                        target = folder / f"{file_name}-{width_name}.jpg"
                        page.screenshot(path=str(target), type="jpeg", quality=70)
                        self.stdout.write(str(target))
                        context.close()
                browser.close()
        finally:
            server.shutdown()
