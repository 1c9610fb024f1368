import datetime as dt

import pytest

from inzage.demo.seed import SeedResult, demo_school_create

SMALL = 120
YEAR = 2025
TODAY = dt.date(2025, 11, 20)


@pytest.fixture
def fast_hasher(settings):
    """The demo password is hashed once per seed and checked at every login; MD5 keeps the tests fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db, fast_hasher) -> SeedResult:
    """A small demo school in 2025–2026, without extensions (those test themselves)."""
    return demo_school_create(students=SMALL, seed=7, year=YEAR, today=TODAY, extensions=[])
