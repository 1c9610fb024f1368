"""Where the milliseconds of a warm parent's grades page go: `python bench/profile_portal.py [--requests N]`.

Builds the 1,000-student demo school in a fresh database (SQLite under var/bench/ unless DATABASE_URL is set; a
PostgreSQL database named in DATABASE_URL is dropped and created again), signs in a parent of one child and one of two
children, and sends N warm requests to `/mijn/cijfers/<student>/` through django.test.Client in this one process (no
server). It prints, per parent, a Markdown table of CPU and wall time per request by stage (each middleware, session,
user, the view's calls, the template, SQL) and the queries of one request by name; with --cprofile FILE it also writes
cProfile's top functions. Timers wrap the functions named in the table, so nested rows are part of their parent row.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import functools
import importlib
import io
import os
import pstats
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CPU: collections.Counter[str] = collections.Counter()
WALL: collections.Counter[str] = collections.Counter()
CALLS: collections.Counter[str] = collections.Counter()


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            CPU[name] += time.process_time() - cpu
            WALL[name] += time.perf_counter() - wall
            CALLS[name] += 1

    return wrapper


def _patch(module: str, attr: str, name: str) -> None:
    mod = importlib.import_module(module)
    setattr(mod, attr, _timed(name, getattr(mod, attr)))


def _fresh_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        base = url.rsplit("/", 1)[0]
        subprocess.run(["dropdb", "--if-exists", "--force", f"--maintenance-db={base}/postgres", name], check=True)
        subprocess.run(["createdb", f"--maintenance-db={base}/postgres", name], check=True)
        return
    db = ROOT / "var" / "bench" / "profile_portal.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"


def _instrument() -> None:
    """Wrap each middleware's __call__ and the functions of the request path in timers."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    for path in settings.MIDDLEWARE:
        cls = import_string(path)
        cls.__call__ = _timed(f"mw:{cls.__name__}", cls.__call__)
    from django.contrib.sessions.backends.cached_db import SessionStore

    SessionStore.load = _timed("session load (cached_db)", SessionStore.load)
    _patch("django.contrib.auth", "get_user", "user (auth.get_user)")
    _patch("inzage.accounts.session_account", "session_user", "user (session_account.session_user)")
    # The warm path: the cached page (counters, cache read), the access-log hook, the cached shell with the token.
    _patch("inzage.portal.views", "grades_page", "view: grades_page")
    _patch("inzage.portal.views", "record_read", "view: record_read (access log)")
    _patch("inzage.portal.views", "render_cached", "view: render_cached (shell, CSRF swap)")
    _patch("inzage.portal.cached_pages", "versions_read", "  of which versions_read (counters)")
    _patch("inzage.web.page_shell", "get_token", "  of which get_token (CSRF)")
    # The cold path (a miss): the engine's build of the page.
    _patch("inzage.portal.cached_pages", "grades_page_build", "  of which grades_page_build (miss)")
    # Inside a build (the cold section below).
    _patch("inzage.portal.cached_pages", "viewer_for", "cold: viewer_for")
    _patch("inzage.portal.cached_pages", "access_portal_student", "cold: access_portal_student")
    _patch("inzage.portal.cached_pages", "grade_overview", "cold: grade_overview")
    _patch("inzage.portal.cached_pages", "portal_students", "cold: portal_students (siblings)")
    _patch("inzage.portal.cached_pages", "render_to_string", "cold: render_to_string (fragment)")
    _patch("inzage.portal.cached_pages", "next_transition", "cold: next_transition")
    _patch("inzage.portal.cached_pages", "student_items", "cold:   student_items (for next_transition)")
    _patch("inzage.visibility.queries", "context_for", "cold:   of which context_for (in queries)")
    _patch("inzage.visibility.queries", "visible_results", "cold:   of which visible_results (queryset)")
    _patch("inzage.visibility.queries", "visible_averages", "cold:   of which visible_averages")
    _patch("inzage.visibility.policy.engine", "load_facts", "cold:   of which load_facts (in context_for)")


QUERIES: list[str] = []


def _sql_timer(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        CPU["sql (execute + fetch by the driver)"] += time.process_time() - cpu
        WALL["sql (execute + fetch by the driver)"] += time.perf_counter() - wall
        CALLS["sql (execute + fetch by the driver)"] += 1
        QUERIES.append(sql)


def query_name(sql: str) -> str:
    """A short name for a query: its verb, its first table and the columns it filters on."""
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'FROM "?(\w+)"?', sql)
    where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""
    cols = sorted(set(re.findall(r'"\w+"\."(\w+)" (?:=|IN|<=|>=|<|>|IS)', where)))
    return f"{verb} {table.group(1) if table else '?'}" + (f" by {', '.join(cols)}" if cols else "")


def profile(label: str, client: Any, url: str, requests: int, cprofile_out: str | None) -> str:
    from django.conf import settings
    from django.db import connection
    from django.utils.module_loading import import_string

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    with connection.execute_wrapper(_sql_timer):
        QUERIES.clear()
        client.get(url)
        one_request = list(QUERIES)
        CPU.clear(), WALL.clear(), CALLS.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(requests):
            client.get(url)
        total_cpu, total_wall = time.process_time() - cpu, time.perf_counter() - wall
        cpu_of, wall_of, calls_of = CPU.copy(), WALL.copy(), CALLS.copy()
    if cprofile_out:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(min(requests, 100)):
            client.get(url)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(60)
        Path(cprofile_out).write_text(out.getvalue())

    def ms(counter: collections.Counter[str], key: str) -> float:
        return counter[key] * 1000 / requests

    lines = [
        f"### {label}: `{url}`, {requests} warm requests",
        "",
        f"Whole request (django.test.Client): **{total_cpu * 1000 / requests:.2f} ms CPU**, "
        f"{total_wall * 1000 / requests:.2f} ms wall, {len(one_request)} queries.",
        "",
        "| stage | CPU ms/request | wall ms/request | calls/request |",
        "|---|---:|---:|---:|",
    ]
    # Middleware nest: a middleware's own cost is its time less the time of the one inside it.
    # A function middleware (allauth's AccountMiddleware) has no class to time: its cost shows in the one outside it.
    all_names = [f"mw:{import_string(p).__name__}" for p in settings.MIDDLEWARE]
    names = [n for n in all_names if calls_of[n]]
    view_keys = [k for k in cpu_of if k.startswith("view: ")]
    for i, key in enumerate(names):
        inner = [names[i + 1]] if i + 1 < len(names) else [*view_keys, "user (session_account.session_user)"]
        own_cpu = ms(cpu_of, key) - sum(ms(cpu_of, k) for k in inner)
        own_wall = ms(wall_of, key) - sum(ms(wall_of, k) for k in inner)
        extra = ", plus URL resolving, login_required, the view's own lines" if i + 1 == len(names) else ""
        at = all_names.index(key)
        untimed = [n[3:] for n in all_names[at + 1 : all_names.index(names[i + 1])]] if i + 1 < len(names) else []
        extra += "".join(f", plus {n}" for n in untimed)
        lines.append(f"| {key} (own{extra}) | {own_cpu:.2f} | {own_wall:.2f} | {calls_of[key] / requests:g} |")
    for key in [k for k in cpu_of if not k.startswith(("mw:", "cold:"))]:
        lines.append(f"| {key} | {ms(cpu_of, key):.2f} | {ms(wall_of, key):.2f} | {calls_of[key] / requests:g} |")
    lines += ["", "Queries of one warm request, in order:", ""]
    for i, sql in enumerate(one_request, 1):
        lines.append(f"{i}. `{query_name(sql)}`")
    lines += ["", *cold(client, url, max(10, requests // 10))]
    return "\n".join(lines) + "\n"


def cold(client: Any, url: str, builds: int) -> list[str]:
    """The page built through the engine (a miss: the first request after a write or a transition), `builds` times."""
    from django.db import connection

    from inzage import clock
    from inzage.accounts.models import User
    from inzage.portal import cached_pages
    from inzage.visibility.versions import Scope, versions_read

    user = User.objects.get(pk=client.session["_auth_user_id"])
    student_id = int(url.rstrip("/").rsplit("/", 1)[1])
    keys = [(Scope.SCHOOL, user.school_id), (Scope.STUDENT, student_id), (Scope.USER, user.pk)]
    at = clock.now()
    cached_pages.grades_page_build(user=user, student_id=student_id, at=at, versions=versions_read(keys))
    with connection.execute_wrapper(_sql_timer):
        QUERIES.clear()
        cached_pages.grades_page_build(user=user, student_id=student_id, at=at, versions=versions_read(keys))
        one_build = list(QUERIES)
        CPU.clear(), WALL.clear(), CALLS.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(builds):
            user = User.objects.get(pk=user.pk)  # a fresh account object, as a request has
            cached_pages.grades_page_build(user=user, student_id=student_id, at=at, versions=versions_read(keys))
        total_cpu, total_wall = time.process_time() - cpu, time.perf_counter() - wall
    lines = [
        f"Cold build (`grades_page_build`, {builds} builds): **{total_cpu * 1000 / builds:.2f} ms CPU**, "
        f"{total_wall * 1000 / builds:.2f} ms wall, {len(one_build)} queries (the counters and the account row of a"
        " request not included).",
        "",
        "| stage | CPU ms/build | wall ms/build | calls/build |",
        "|---|---:|---:|---:|",
    ]
    for key in [k for k in CPU if k.startswith("cold:") or k.startswith("sql")]:
        name = key.removeprefix("cold: ")
        lines.append(
            f"| {name} | {CPU[key] * 1000 / builds:.2f} | {WALL[key] * 1000 / builds:.2f} | {CALLS[key] / builds:g} |"
        )
    lines += ["", "Queries of one build, in order:", ""]
    lines += [f"{i}. `{query_name(sql)}`" for i, sql in enumerate(one_build, 1)]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cprofile", help="write cProfile's top functions (one-child parent) to this file")
    args = parser.parse_args()
    _fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inzage.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from portal_school import allow_test_client, demo_parents, school_seed

    from inzage.accounts.models import User

    call_command("migrate", verbosity=0, interactive=False)
    allow_test_client()
    school_seed()
    _instrument()
    today = timezone.localdate()
    vendor = django.db.connection.vendor
    print(
        f"Demo school of 1,000 students on {vendor}; python {sys.version.split()[0]}; {time.strftime('%F %T UTC', time.gmtime())}\n"
    )
    for label, children, cprof in (("Parent of one child", 1, args.cprofile), ("Parent of two children", 2, None)):
        parent = demo_parents(today=today, children=children, limit=1)[0]
        client = Client()
        client.force_login(User.objects.get(pk=parent.user_id))
        url = reverse("portal:grades", kwargs={"student_id": parent.student_ids[0]})
        print(profile(label, client, url, args.requests, cprof))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
