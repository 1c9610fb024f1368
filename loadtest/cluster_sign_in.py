"""Sign in demo parents through the real login form of a running server and write their session cookies.

`python loadtest/cluster_sign_in.py --base http://127.0.0.1:8780 --count 256 --out var/cluster/sessions.txt`

A copy of the perfinfra branch's loadtest/sign_in.py (which finds parents with bench/portal_school.py), standing alone
until both branches are merged; then cluster.sh can use sign_in.py and this file can go.
Parents come from the database the server uses (DATABASE_URL): accounts with gezag over a current relation. Each line of the output is `<sessionid> <student id> <username>`, one line per parent and
child, ready for loadtest/rotate.lua. Only loopback addresses are used: the sign-ins come from several source addresses
in 127.0.1.0/24, because allauth allows 30 sign-ins a minute per client address.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "inzage-demo"
SIGN_INS_PER_ADDRESS = 20  # below allauth's 30 a minute per address, also when a run is repeated within the minute
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class DemoParent:
    username: str
    student_ids: tuple[int, ...]


def demo_parents(*, today: dt.date, limit: int) -> list[DemoParent]:
    """The first `limit` parents (by username) with an account and gezag over a current relation on `today`."""
    from django.db.models import Q

    from inzage.people.models import GuardianRelation

    current = (
        GuardianRelation.objects.filter(
            guardian__user__isnull=False,
            guardian__user__is_active=True,
            custody__in=[GuardianRelation.Custody.WITH_GEZAG, GuardianRelation.Custody.GUARDIAN_INSTITUTION],
        )
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("guardian__user__username", "student_id")
        .order_by("guardian__user__username", "student_id")
    )
    by_user: dict[str, list[int]] = {}
    for username, student_id in current:
        by_user.setdefault(username, []).append(student_id)
    return [DemoParent(username=u, student_ids=tuple(ids)) for u, ids in sorted(by_user.items())][:limit]


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(*, host: str, port: int, source: str, username: str) -> str:
    """Sign in with the login form from `source`; return the session id, or raise if that did not sign in."""
    conn = http.client.HTTPConnection(host, port, timeout=60, source_address=(source, 0))
    try:
        conn.request("GET", "/accounts/login/")
        page = conn.getresponse()
        body = page.read().decode()
        cookies = _cookies(page)
        token = CSRF_INPUT.search(body)
        if page.status != 200 or token is None or "csrftoken" not in cookies:
            raise RuntimeError(f"{username}: the login page answered {page.status} without a CSRF token")
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "login": username, "password": PASSWORD})
        conn.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken']}",
                "Referer": f"http://{host}:{port}/accounts/login/",
            },
        )
        done = conn.getresponse()
        done.read()
        session = _cookies(done).get("sessionid")
        if done.status != 302 or not session:
            raise RuntimeError(f"{username}: signing in answered {done.status} without a session")
        return session
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8780")
    parser.add_argument("--count", type=int, default=256)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    base = urllib.parse.urlsplit(args.base)
    if base.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("The load test signs in on a loopback address only.")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inzage.settings")
    import django

    django.setup()
    from django.utils import timezone

    parents = demo_parents(today=timezone.localdate(), limit=args.count)
    if len(parents) < args.count:
        raise SystemExit(f"Only {len(parents)} parents with a current relation; wanted {args.count}.")
    started = time.perf_counter()
    jobs = [(f"127.0.1.{1 + i // SIGN_INS_PER_ADDRESS}", p.username) for i, p in enumerate(parents)]
    with ThreadPoolExecutor(args.threads) as pool:
        sessions = list(
            pool.map(
                lambda job: sign_in(host=base.hostname, port=base.port or 80, source=job[0], username=job[1]), jobs
            )
        )
    lines = [
        f"{session} {student_id} {p.username}"
        for session, p in zip(sessions, parents, strict=True)
        for student_id in p.student_ids
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    two = sum(len(p.student_ids) > 1 for p in parents)
    print(
        f"Signed in {len(parents)} parents through the login form in {time.perf_counter() - started:.0f} s "
        f"({two} with more than one child): {len(lines)} (session, student) pairs in {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
