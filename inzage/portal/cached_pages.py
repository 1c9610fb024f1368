"""The viewer's grades page content, cached until a write or the engine's next transition (docs/caching.md).

A page is cached under (account, student, language, code version) together with the version counters it was built
at (the school's, the student's, the account's) and the span of instants it is right for: from the instant it was
built to the engine's next transition after it (`next_transition`). A request uses it only when its instant lies in
that span and the counters, read in one query, are unchanged; otherwise it is rebuilt through the engine.

Why this is safe:
- every write that can change what anyone sees of the student moves the student's or the school's counter in its
  own transaction (`inzage.visibility.versions`); the counters are read before the data, so a page is never stored
  with counters newer than its data;
- everything else that changes the page happens at an instant the engine knows (releases, 17:00, student-first,
  windows, birthdays, relation edges...) and the page expires there (or at the next midnight, whichever is first);
- the account is in the key and the page was built by the engine for that account: a hit serves only what the
  engine showed this account in this span. A relation that ends or a court order is a write (counter) or a date
  edge (expiry), so a guardian who lost access gets the engine's 404 on the next request;
- the sibling list depends on the account's relations and the siblings' records: those writes move the account's
  counter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import caches
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.translation import get_language

from inzage.access_log.collector import kinds_read
from inzage.accounts.models import User
from inzage.visibility.policy import viewer_for
from inzage.visibility.policy.facts import viewer_at_counters
from inzage.visibility.policy.transitions import next_transition
from inzage.visibility.queries import access_portal_student, grade_overview, portal_students, student_items
from inzage.visibility.versions import Scope, VersionKey, versions_read
from inzage.web.page_shell import csrf_placeholder

FRAGMENT_TEMPLATE = "portal/_grades_content.html"


def _code_version() -> str:
    """Changes when the fragment's template or this module changes, so a deploy never serves an old page's shape."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    sources = (
        here / "templates" / FRAGMENT_TEMPLATE,
        here / "templates" / "portal" / "grades.html",
        here.parent / "templates" / "base.html",
        here / "templatetags" / "portal_format.py",
        Path(__file__),
    )
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


CODE_VERSION = _code_version()


@dataclass(frozen=True)
class CachedPage:
    student_id: int
    student_name: str
    audience: str  # "student" or "guardian"
    html: str  # the content fragment, with `csrf_placeholder()` where the token goes
    valid_from: dt.datetime
    valid_until: dt.datetime
    versions: dict[VersionKey, int]
    build_id: str  # names this build: the rendered whole page is cached under it
    cached: bool = False  # True when this request got it from the cache
    kinds: tuple[str, ...] = ()  # what the engine let through for it: the access log records these on a hit

    def timeout(self, at: dt.datetime) -> int:
        """Seconds the cache should keep it (the span is checked on every use; this only frees memory)."""
        return max(1, min(math.ceil((self.valid_until - at).total_seconds()), 2 * 86400))


def grades_page_key(*, user_id: int, student_id: int, language: str) -> str:
    return f"portal:grades:{CODE_VERSION}:{user_id}:{student_id}:{language}"


def grades_page_versions(*, user_id: int, school_id: int, student_id: int) -> list[VersionKey]:
    """The counters a grades page is stored with: the school's, the student's, the account's."""
    return [(Scope.SCHOOL, school_id), (Scope.STUDENT, student_id), (Scope.USER, user_id)]


def grades_page(
    *, user: User, student_id: int, at: dt.datetime, versions: dict[VersionKey, int] | None = None
) -> CachedPage:
    """The grades page content of a student for an account at an instant; Http404 unless the engine lets the account
    open the student's portal. Warm: no engine work, and no query when the caller gives the counters (`versions`,
    read by the request before any data: `versions.request_versions`), else one."""
    if user.school_id is None:
        raise Http404
    cache = caches["default"]
    key = grades_page_key(user_id=user.pk, student_id=student_id, language=get_language() or "nl")
    # Read before any data: a write committing after this read moves a counter past what the page is stored with.
    if versions is None:
        versions = versions_read(grades_page_versions(user_id=user.pk, school_id=user.school_id, student_id=student_id))
    entry: CachedPage | None = cache.get(key)
    if entry is not None and entry.valid_from <= at < entry.valid_until and entry.versions == versions:
        return CachedPage(**{**entry.__dict__, "cached": True})
    entry = grades_page_build(user=user, student_id=student_id, at=at, versions=versions)
    cache.set(key, entry, timeout=entry.timeout(at))
    return entry


def grades_page_build(*, user: User, student_id: int, at: dt.datetime, versions: dict[VersionKey, int]) -> CachedPage:
    """Build the page content through the engine (no cache), with the instant until which it stays right."""
    user_key, school_key = (Scope.USER, user.pk), (Scope.SCHOOL, user.school_id or 0)
    if user_key in versions and school_key in versions:  # read before the data: identity, calendar, policy cached
        viewer = viewer_at_counters(user, user_counter=versions[user_key], school_counter=versions[school_key])
    else:
        viewer = viewer_for(user)
    student = access_portal_student(viewer=viewer, student_id=student_id, at=at)
    overview = grade_overview(viewer=viewer, student=student, at=at)
    siblings = portal_students(viewer=viewer, at=at) if overview.audience == "guardian" else []
    html = render_to_string(FRAGMENT_TEMPLATE, {"o": overview, "siblings": siblings, "csrf_token": csrf_placeholder()})
    until = next_transition(viewer=viewer, student_id=student.pk, items=student_items(student=student), after=at)
    return CachedPage(
        student_id=student.pk,
        student_name=student.full_name,
        audience=overview.audience,
        html=html,
        valid_from=at,
        valid_until=until,
        versions=versions,
        build_id=uuid.uuid4().hex,
        kinds=kinds_read(viewer, student.pk),
    )
