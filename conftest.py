"""Fixtures shared by every package's tests."""

from __future__ import annotations

import pytest

from inzage.testing.personas import Personas, build_personas


@pytest.fixture
def personas(db) -> Personas:
    """One small school with the standard personas (see inzage.testing.personas)."""
    return build_personas()


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium shared by the session's browser tests."""
    import os

    from playwright.sync_api import sync_playwright

    from inzage.testing.browser import CHROMIUM_ARGS, chromium_path

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page for one test; `page.base_url` is the live server's address."""
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def login(page, username: str, password: str) -> None:
    """Sign in through the real login form."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.locator("input[name=password]").press("Enter")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The portal caches pages in the process's cache; a rolled-back test may leave the same ids and counters for the
    next one, so every test starts with an empty cache."""
    from django.core.cache import caches

    from inzage.visibility.policy import facts

    caches["default"].clear()
    facts._SCHOOL_FACTS.clear()  # the per-process calendar and policy under the school's counter, likewise
    facts._IDENTITIES.clear()  # the accounts' identities under their counters (ids are reused after a rollback)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language: a request in English (LocaleMiddleware activates it for the thread)
    or a management command must not leave the next test of the same worker in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Factories hash a password per account; PBKDF2 at production strength costs ~0.5 s each on a small machine.
    Tests use MD5 instead (settings.py keeps Django's default hashers for real use)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _identity_defaults_for_tests(settings):
    """Staff are signed in with `force_login` throughout the suite, without a second factor: the staff MFA rule is
    off here and switched on by the tests of that rule (inzage/accounts/tests). Sign-in failure counters live in
    this process's memory, emptied per test (the file cache of settings.py would be shared by the xdist workers)."""
    from django.core.cache import caches

    settings.INZAGE_STAFF_MFA_REQUIRED = False
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "inzage-throttle"},
    }
    caches["throttle"].clear()


@pytest.fixture(autouse=True)
def _access_log_at_once(settings):
    """The access log writes each request's rows when it finishes (no buffer, no timer thread writing outside the
    test's transaction), and scraping detection is off unless a test turns it on (inzage/access_log/tests): many
    tests open pages faster than any person."""
    settings.ACCESS_LOG_BUFFER_ROWS = 0
    settings.SCRAPING = {"enabled": False}
    from inzage.access_log import buffer

    buffer.discard()  # rows a previous test left behind do not land in this one


@pytest.fixture
def school_admin(personas, client):
    """The personas' administrator as a school administrator of the Django admin (staff flag and the school-admin
    group), signed in on `client`. Django's test client raises a view's exception, so a 500 shows as itself."""
    from inzage.accounts.actions import school_admin_group_ensure

    user = personas.user("admin")
    user.is_staff = True
    user.save()
    user.groups.add(school_admin_group_ensure())
    client.force_login(user)
    return user
