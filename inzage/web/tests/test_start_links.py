"""Every link on the start page opens for whoever sees it: the twelve demo accounts of the demo school, today."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from inzage.accounts.models import User
from inzage.demo.accounts import DEMO_USERNAMES
from inzage.demo.seed import demo_school_create
from inzage.demo.year_plan import default_year

MAIN = re.compile(r'<main id="main".*?</main>', re.S)
HREF = re.compile(r'<a [^>]*href="([^"#]+)"')


# Links the test must have opened for an account (so a page cannot drop out of the start page, or of this test,
# unnoticed); whoever else sees a link, it must open too.
MUST_LINK = {"admin": {"/rooster/beheer/import/"}}


@pytest.fixture
def demo_today(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = timezone.localdate()
    return demo_school_create(students=120, seed=5, year=default_year(today), today=today)


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_start_page_link_opens_for_its_demo_account(demo_today, username) -> None:
    assert len(DEMO_USERNAMES) == 12
    client = Client()
    client.force_login(User.objects.get(username=username))
    home = client.get("/")
    assert home.status_code == 200
    main = MAIN.search(home.content.decode())
    assert main is not None
    links = HREF.findall(main.group(0))
    assert links, f"{username} has nothing to do on the start page"
    assert MUST_LINK.get(username, set()) <= set(links), f"{username}: {MUST_LINK[username] - set(links)} not linked"
    for url in links:
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{username}: {url} answered {response.status_code}"
