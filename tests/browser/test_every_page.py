"""Every demo account's start page and every page it links to, in a real browser at phone and desktop width.

Issue 9's acceptance: no serious or critical axe-core violation on any page of any persona at both widths, every
start-page link opens, and the pages a student or parent uses fit a 360-pixel screen without sideways scrolling.
The demo school is seeded once (a small one), and each account's pages are opened with that account's session.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.utils import timezone

from inzage.accounts.models import User
from inzage.demo.accounts import DEMO_USERNAMES
from inzage.demo.seed import demo_school_create
from inzage.demo.year_plan import default_year

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 360, "desktop": 1280}
# Accounts whose pages must fit a phone: students and parents use Inzage on their phones first.
PHONE_FIRST = {"leerling", "leerling16", "leerling18", "ouder", "ouder2", "ouder-zonder-gezag"}
SERIOUS = {"serious", "critical"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

START_LINKS = """() => Array.from(document.querySelectorAll('main a[href]'))
    .map(a => a.getAttribute('href'))
    .filter(h => h.startsWith('/') && !h.startsWith('//'))"""


def _serious(page) -> list[str]:
    response = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in response["violations"]
        if v.get("impact") in SERIOUS
    ]


def _session_cookie(live_server, username: str) -> dict:
    client = Client()
    client.force_login(User.objects.get(username=username))
    cookie = client.cookies["sessionid"]
    return {"name": "sessionid", "value": cookie.value, "url": live_server.url}


def test_every_page_of_every_demo_account_at_both_widths(browser, live_server, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = timezone.localdate()
    demo_school_create(students=100, seed=5, year=default_year(today), today=today)
    problems: list[str] = []
    opened = 0
    for username in DEMO_USERNAMES:
        for width_name, width in WIDTHS.items():
            context = browser.new_context(
                base_url=live_server.url, locale="nl-NL", viewport={"width": width, "height": 900}
            )
            context.add_cookies([_session_cookie(live_server, username)])
            page = context.new_page()
            page.set_default_timeout(15_000)
            start = page.goto("/")
            assert start is not None and start.status == 200, f"{username}: start page answered {start}"
            urls = ["/", *dict.fromkeys(page.evaluate(START_LINKS))]
            assert len(urls) > 1, f"{username} has nothing to do on the start page"
            for url in urls:
                response = page.goto(url)
                opened += 1
                where = f"{username} @{width_name} {url}"
                if response is None or response.status != 200:
                    problems.append(f"{where}: answered {response.status if response else 'nothing'}")
                    continue
                if "text/html" not in (response.headers.get("content-type") or ""):
                    continue  # a PDF or a calendar feed: no page to check
                problems += [f"{where}: {v}" for v in _serious(page)]
                if width_name == "phone" and username in PHONE_FIRST:
                    overflow = page.evaluate(
                        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                    )
                    if overflow > 0:
                        problems.append(f"{where}: {overflow}px sideways scrolling")
            context.close()
    assert opened >= len(DEMO_USERNAMES) * len(WIDTHS) * 2
    assert not problems, "\n".join(problems)
