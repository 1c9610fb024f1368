"""`make loadtest-1700`: the publication moment under load, and the first request after it shows the grade.

`python loadtest/at_1700.py pick --parents 256 --out FILE`: among the parents the load test signs in, find one whose
child has a grade that the engine makes visible to that parent at a 17:00 publication moment in the coming 13 days
(`inzage.visibility.queries.upcoming`: the engine's own transitions); write `instant username student_id subject column` (tab-separated).

`python loadtest/at_1700.py probe --base URL --pick FILE --sessions FILE --clock CLOCK --seconds N`: ask that parent's
page every 100 ms while the load runs, on the app's shifted clock (loadtest/clock_wsgi.py), and check that no answer
received before the instant shows the grade and every request sent at or after it does. Prints `NAME VALUE UNIT` lines;
exits 1 when either check fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import os
import re
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def pick(*, parents: int, out: Path) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inzage.settings")
    import django

    django.setup()
    from django.utils import timezone
    from portal_school import demo_parents

    from inzage.accounts.models import User
    from inzage.people.models import Student
    from inzage.visibility.kinds import DataKind
    from inzage.visibility.policy import viewer_for
    from inzage.visibility.queries import upcoming

    now = timezone.now()
    for parent in demo_parents(today=timezone.localdate(), limit=parents):
        viewer = viewer_for(User.objects.get(pk=parent.user_id))
        for student_id in parent.student_ids:
            student = Student.objects.get(pk=student_id)
            for t in upcoming(viewer=viewer, student=student, start=now, end=now + dt.timedelta(days=13)):
                local = timezone.localtime(t.at)
                if t.item.kind == DataKind.GRADES and (local.hour, local.minute, local.second) == (17, 0, 0):
                    subject, label = str(t.item.subject_name), str(t.item.label)
                    out.write_text(f"{t.at.isoformat()}\t{parent.username}\t{student_id}\t{subject}\t{label}\n")
                    print(f"17:00 moment {local:%d-%m-%Y %H:%M} for {parent.username}, student {student_id}: {label}")
                    return 0
    print("No grade turns visible to these parents at 17:00 in the coming 13 days.", file=sys.stderr)
    return 1


def grade_row_shown(body: str, *, subject: str, label: str) -> bool:
    """Whether the grades table of a page `body` has the row of this subject's column (its first two cells).

    Attributes of the cells are ignored (the stacked table for phones labels them), so a change of the page's markup
    cannot make the probe miss the grade; the "Binnenkort zichtbaar" list is not a table row and does not count.
    """
    cell = r"<td\b[^>]*>\s*{}\s*</td>"
    row = cell.format(re.escape(html.escape(subject))) + r"\s*" + cell.format(re.escape(html.escape(label)))
    return re.search(row, body) is not None


def probe(*, base: str, pick_file: Path, sessions: Path, clock: str, seconds: float) -> int:
    instant_s, username, student_id, subject, label = pick_file.read_text().rstrip("\n").split("\t")
    instant = dt.datetime.fromisoformat(instant_s)
    app_at, _, real_at = clock.partition("@")
    offset = dt.datetime.fromisoformat(app_at) - dt.datetime.fromtimestamp(float(real_at), tz=dt.UTC)
    session = next(line.split()[0] for line in sessions.read_text().splitlines() if line.split()[2:3] == [username])
    url = urllib.parse.urlsplit(base)
    if url.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("The probe asks a loopback address only.")
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=10)
    shown_before = hidden_after = errors = 0
    first_after: float | None = None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = dt.datetime.now(dt.UTC) + offset
        try:
            conn.request("GET", f"/mijn/cijfers/{student_id}/", headers={"Cookie": f"sessionid={session}"})
            response = conn.getresponse()
            body = response.read().decode()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=10)
            continue
        received = dt.datetime.now(dt.UTC) + offset
        if response.status != 200 or "<h1>Cijfers van " not in body:
            errors += 1
        elif grade_row_shown(body, subject=subject, label=label):
            if received < instant:
                shown_before += 1
            if sent >= instant and first_after is None:
                first_after = (sent - instant).total_seconds() * 1000
        elif sent >= instant:
            hidden_after += 1
        time.sleep(0.1)
    conn.close()
    print(f"loadtest.at_1700.shown_before {shown_before} responses")
    print(f"loadtest.at_1700.hidden_after {hidden_after} responses")
    print(f"loadtest.at_1700.errors {errors} responses")
    if first_after is not None:
        print(f"loadtest.at_1700.first_shown_ms_after {first_after:.1f} ms")
    ok = shown_before == 0 and hidden_after == 0 and errors == 0 and first_after is not None
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pick")
    p.add_argument("--parents", type=int, default=256)
    p.add_argument("--out", type=Path, required=True)
    q = sub.add_parser("probe")
    q.add_argument("--base", required=True)
    q.add_argument("--pick", type=Path, required=True)
    q.add_argument("--sessions", type=Path, required=True)
    q.add_argument("--clock", required=True)
    q.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    if args.command == "pick":
        return pick(parents=args.parents, out=args.out)
    return probe(base=args.base, pick_file=args.pick, sessions=args.sessions, clock=args.clock, seconds=args.seconds)


if __name__ == "__main__":
    raise SystemExit(main())
