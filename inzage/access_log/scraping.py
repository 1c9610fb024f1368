"""Scraping detection: an account reading student data at machine speed or with unusual breadth is throttled (429)
and reported to its school's administrators (`ScrapingSignal`, listed on `/inzagelog/signalen/`).

Counted per account, only for requests that read student data (the access log's rows), in the shared Django cache
(Redis when `REDIS_URL` is set, so every app server counts together; per process otherwise):

- reads in the current minute (fixed window)      > `per_minute`  (default 30)
- reads in the current hour                        > `per_hour`    (default 240: every page of three children
                                                                    every five minutes, for an hour)
- distinct pages (paths) read in the current hour  > `distinct_per_hour` (default 60)

Staff get `staff_factor` (default 5) times these limits (a mentor goes through a class); a non-browser client (no
User-Agent, or one of a library: curl, python-requests, ...) gets a tenth. Every limit is multiplied by `factor`
(default 1; environment `SCRAPING_LIMIT_FACTOR`, which `make loadtest` raises: its 256 sessions are a machine).
A throttled account gets 429 on every page but sign-in/out for `block_minutes` (default 15).
Settings: `SCRAPING` (a dict with those keys) in settings.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "per_minute": 30,
    "per_hour": 240,
    "distinct_per_hour": 60,
    "staff_factor": 5,
    "non_browser_divisor": 10,
    "block_minutes": 15,
    "factor": 1,
}

NON_BROWSER = re.compile(
    r"curl|wget|python|httpx|aiohttp|requests|go-http-client|okhttp|java/|libwww|node-fetch|axios|scrapy|"
    r"httpclient|postman|insomnia|headlesschrome|phantomjs|puppeteer|playwright-bot",
    re.IGNORECASE,
)


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "SCRAPING", {})}


def is_non_browser(user_agent: str) -> bool:
    return not user_agent.strip() or bool(NON_BROWSER.search(user_agent))


def _block_key(user_id: int) -> str:
    return f"scrape:block:{user_id}"


def blocked_until(user_id: int) -> float | None:
    """The epoch second until which the account is throttled, if it is."""
    until = caches["default"].get(_block_key(user_id))
    if until is None or until <= time.time():
        return None
    return float(until)


def _incr(cache: Any, key: str, timeout: int) -> int:
    try:
        return int(cache.incr(key))
    except ValueError:  # not there yet (or expired): start it; a race loses at most one count
        if cache.add(key, 1, timeout):
            return 1
        return int(cache.incr(key))


@dataclass(frozen=True)
class Verdict:
    reason: str
    per_minute: int
    per_hour: int
    distinct: int
    non_browser: bool


def count(*, user_id: int, staff: bool, path: str, user_agent: str, now: float | None = None) -> Verdict | None:
    """Count one reading request; a `Verdict` when it crosses a limit (the caller throttles and reports)."""
    c = config()
    if not c["enabled"]:
        return None
    now = time.time() if now is None else now
    cache = caches["default"]
    minute, hour = int(now // 60), int(now // 3600)
    per_minute = _incr(cache, f"scrape:m:{user_id}:{minute}", 120)
    per_hour = _incr(cache, f"scrape:h:{user_id}:{hour}", 7200)
    page = hashlib.blake2s(path.encode(), digest_size=8).hexdigest()
    distinct = 0  # only a new page can push the breadth over its limit: a page seen before is not counted again
    if cache.add(f"scrape:p:{user_id}:{hour}:{page}", 1, 7200):
        distinct = _incr(cache, f"scrape:d:{user_id}:{hour}", 7200)
    non_browser = is_non_browser(user_agent)
    scale = float(c["factor"]) * (float(c["staff_factor"]) if staff else 1.0)
    if non_browser:
        scale /= float(c["non_browser_divisor"])
    reason = ""
    if per_minute > c["per_minute"] * scale:
        reason = "per_minute"
    elif per_hour > c["per_hour"] * scale:
        reason = "per_hour"
    elif distinct > c["distinct_per_hour"] * scale:
        reason = "breadth"
    if not reason:
        return None
    return Verdict(reason=reason, per_minute=per_minute, per_hour=per_hour, distinct=distinct, non_browser=non_browser)


def block(*, user_id: int, now: float | None = None) -> dt.datetime:
    """Throttle the account for `block_minutes`; returns until when."""
    now = time.time() if now is None else now
    seconds = int(config()["block_minutes"]) * 60
    until = now + seconds
    caches["default"].set(_block_key(user_id), until, seconds)
    return dt.datetime.fromtimestamp(until, tz=dt.UTC)


def unblock(*, user_id: int) -> None:
    caches["default"].delete(_block_key(user_id))


def exempt(request: HttpRequest) -> bool:
    """Pages a throttled account may still open: sign-in/out and the language switch."""
    return request.path_info.startswith(("/accounts/", "/i18n/", "/static/"))
