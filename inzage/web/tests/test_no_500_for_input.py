"""Never a 500 for input: every POST form a demo account can reach takes generated malformed input without a 5xx, and
a form that refuses the input stores nothing.

Per demo account of the demo school (today): open the start page, every same-origin page it links to, and one level
deeper for links inside <main> that stay under the same first path segment (at most MAX_PAGES pages); collect every
<form method="post"> with its action and fields; post hypothesis-generated values (NUL bytes, 10,000 characters,
unicode, impossible dates, reversed date ranges, negative and huge numbers, empty values, choices that are not among
the options) as that account. A 5xx, or an exception the test client re-raises, fails. When the answer is not a
redirect (the form refused the input), the row count of every model is unchanged, except the bookkeeping in
UNCOUNTED_TABLES.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from inzage.accounts.models import User
from inzage.demo.accounts import DEMO_USERNAMES
from inzage.demo.seed import MIN_STUDENTS, demo_school_create
from inzage.demo.year_plan import default_year

MAX_PAGES = 40
MAX_EXAMPLES = 10  # per form; the file runs in about three minutes on a busy two-core machine

# Rows that change on any request, refused or not, and say nothing about whether the input was stored:
UNCOUNTED_TABLES = {
    "django_session": "a session is written on sign-in and on every request that touches it",
    "account_emailaddress": "allauth bookkeeping",
    "account_emailconfirmation": "allauth bookkeeping",
}

# Forms whose POST changes who is signed in or the language, not data: posting them would sign the account out or
# switch the rest of the run to English. They are covered by their own tests (accounts, test_language).
SKIPPED_ACTIONS = {
    "/accounts/logout/": "signs the account out (allauth, tested there)",
    "/beheer/logout/": "signs the account out (Django's admin)",
    "/i18n/setlang/": "switches the language for the rest of the run (test_language)",
}

# Accounts whose pages hold forms today; should the crawl find none for them, it went wrong, not the forms.
STAFF_WITH_FORMS = {"admin", "mentor", "docent", "zorg", "verzuim"}

# Known gaps: (username, action) -> reason. Each is a form that still answers 500 or stores refused input.
# Tolerated, not required to fail: ten examples do not reach them on every run. None today: the two in Django's admin
# (a non-numeric _selected_action, a choice id beyond 64 bits) are refused by inzage.web.admin_base.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


@dataclass
class Form:
    action: str
    page: str
    fields: dict[str, dict] = field(default_factory=dict)  # name -> {"type": ..., "options": [...]}


class _Page(HTMLParser):
    """The links (and whether they sit in <main>) and the POST forms of one page."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[tuple[str, bool]] = []
        self.forms: list[Form] = []
        self._in_main = 0
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "main":
            self._in_main += 1
        elif tag == "a" and a.get("href") and not a["href"].startswith("#"):
            self.links.append((urljoin(self.url, a["href"]), bool(self._in_main)))
        elif tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(action=urljoin(self.url, a.get("action") or self.url), page=self.url)
                self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button") and a.get("name"):
            name = a["name"]
            if name == "csrfmiddlewaretoken":
                return
            kind = a.get("type", "text").lower() if tag == "input" else tag
            if tag == "button":
                kind = "submit"
            spec = self._form.fields.setdefault(name, {"type": kind, "options": []})
            if kind in ("radio", "checkbox", "hidden", "submit") and "value" in a:
                spec["options"].append(a["value"])
            if tag == "select":
                self._select = name
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select]["options"].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main -= 1
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _path(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client) -> list[Form]:
    """The POST forms on the start page, the pages it links to, and one level deeper under the same first segment."""
    seen: set[str] = set()
    forms: dict[str, Form] = {}
    queue: list[tuple[str, int]] = [("/", 0)]
    while queue and len(seen) < MAX_PAGES:
        url, depth = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _Page("http://testserver" + url)
        page.feed(response.content.decode())
        for form in page.forms:
            action = _path(form.action)
            if action and action.split("?")[0] not in SKIPPED_ACTIONS:
                form.action = action
                # One form per shape: the register of lesson 4671 takes input as that of lesson 4718 does.
                forms.setdefault(re.sub(r"\d+", "N", action), form)
        for link, in_main in page.links:
            target = _path(link)
            if target is None or target in seen or "logout" in target:
                continue
            if depth == 0:
                queue.append((target, 1))
            elif depth == 1 and in_main and target.split("/")[1] == url.split("/")[1]:
                queue.append((target, 2))
    return list(forms.values())


# Values a form must refuse or take, never crash on.
nasty_text = st.one_of(
    st.just(""),
    st.just(" "),
    st.just("\x00"),
    st.text(min_size=1, max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda s: s + "\x00" + s),
    st.just("x" * 10_000),
    st.just("é" * 10_000),
    st.sampled_from(["31-02-2026", "2026-02-31", "00-00-0000", "32-13-2026", "29-02-2025", "1-1-1", "99999-01-01"]),
    st.sampled_from(["-1", "0", "-99999999999999999999", "99999999999999999999", "1e309", "NaN", "7,5", "10,55"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd", "🙂" * 50]),
)


def _date(d: dt.date) -> str:
    return d.strftime("%d-%m-%Y")


@st.composite
def form_values(draw, form: Form) -> dict[str, str | list[str]]:
    """One malformed POST body for `form`: per field a nasty value, a wrong choice, an empty value or a legal one."""
    data: dict[str, str | list[str]] = {}
    dates = [
        name
        for name, spec in form.fields.items()
        if spec["type"] == "date" or "datum" in name or name in ("start", "end", "van", "tot", "from", "until", "since")
    ]
    for name, spec in form.fields.items():
        options = [o for o in spec["options"] if o is not None]
        choices = [nasty_text]
        if options:
            choices.append(st.sampled_from(options))
        legal_choice = len(choices) > 1 and draw(st.booleans())
        value = draw(choices[1] if legal_choice else st.one_of(*choices))
        if draw(st.integers(0, 9)) == 0:
            continue  # a missing field
        data[name] = value
    if len(dates) >= 2 and draw(st.booleans()):
        # A reversed range: the first date after the last.
        day = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)))
        data[dates[0]] = _date(day + dt.timedelta(days=draw(st.integers(1, 400))))
        data[dates[-1]] = _date(day)
    return data


# inzage.access_log records every read of student data, also the page a refused POST shows again: not counted.
UNCOUNTED_APPS = {"access_log"}


def row_counts() -> dict[str, int]:
    """Rows per table of every model but the bookkeeping in UNCOUNTED_TABLES: one COUNT(*) each."""
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and m._meta.app_label not in UNCOUNTED_APPS
        }
        - set(UNCOUNTED_TABLES)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables)
        )
        return dict(cursor.fetchall())


@pytest.fixture
def demo_today(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = timezone.localdate()
    return demo_school_create(students=MIN_STUDENTS, seed=5, year=default_year(today), today=today)


def fuzz_form(client: Client, user: User, form: Form, *, shrink: bool = True) -> None:
    """Post generated malformed input to `form` as `user`: never a 5xx, and nothing stored when refused."""

    @settings(
        max_examples=MAX_EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        # A known gap fails every run: shrinking its example again would double the file's time.
        phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if shrink else [])],
    )
    @given(data=form_values(form))
    def post(data: dict[str, str | list[str]]) -> None:
        client.force_login(user)
        before = row_counts()
        response = client.post(form.action, data)
        assert response.status_code < 500, f"{user.username}: {form.action} answered {response.status_code} to {data!r}"
        if response.status_code not in (301, 302, 303):
            after = row_counts()
            grown = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            assert not grown, f"{user.username}: {form.action} refused {data!r} but changed rows {grown}"

    post()


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_no_500_and_nothing_stored_for_malformed_input(demo_today, username) -> None:
    user = User.objects.get(username=username)
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    forms = crawl(client)
    failures = []
    for form in forms:
        gap = KNOWN_GAPS.get((username, form.action.split("?")[0]))
        try:
            fuzz_form(client, user, form, shrink=gap is None)
        except Exception as error:  # collect every form's failure, then report them together
            if gap is None:
                failures.append(f"{form.action} (on {form.page}): {type(error).__name__}: {error}"[:3000])
    assert forms or username not in STAFF_WITH_FORMS, f"{username} reaches no form: the crawl is broken"
    assert not failures, f"{username}: {len(forms)} forms, {len(failures)} fail:\n" + "\n\n".join(failures)
