"""The access log's pages: the student's and parents' own log, the administrators' search, scraping signals and the
use in numbers; and the 429 page. Thin: resolve who asks, call one query, render."""

from __future__ import annotations

import math
import time

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from inzage import clock
from inzage.access_log import queries
from inzage.portal.pick import student_picker
from inzage.visibility.policy import Viewer, request_viewer
from inzage.visibility.queries import access_portal_student


def throttled(request: HttpRequest, *, until: float) -> HttpResponse:
    """429 in Dutch: the account read too fast or too broadly; the school has been told. Says how long the block
    still lasts (`until`: an epoch second; the school sets the length with `SCRAPING["block_minutes"]`)."""
    seconds = max(1, math.ceil(until - time.time()))
    minutes = math.ceil(seconds / 60)
    response = render(request, "access_log/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def my_log(request: HttpRequest, student_id: int) -> HttpResponse:
    """When and why the student's data was consulted: for the student, and custodial parents of a minor."""
    if not request.user.is_authenticated:
        raise Http404
    viewer = request_viewer(request)
    now = clock.now()
    student = access_portal_student(viewer=viewer, student_id=student_id, at=now)  # 404: not yours
    page = queries.subject_log(viewer=viewer, student=student, at=now)  # 404 unless the engine shows the log
    return render(request, "access_log/my_log.html", {"student": student, "page": page})


def _administrator(request: HttpRequest) -> Viewer:
    if not request.user.is_authenticated:
        raise Http404
    viewer = request_viewer(request)
    if viewer.school_id is None or not viewer.has_role("administrator"):
        raise Http404
    return viewer


def search(request: HttpRequest) -> HttpResponse:
    """The administrators' search of the school's access log."""
    viewer = _administrator(request)
    form = queries.SearchForm(request.GET or None)
    result = queries.search(viewer=viewer, form=form, at=clock.now())
    return render(request, "access_log/search.html", {"form": form, "result": result})


def signals(request: HttpRequest) -> HttpResponse:
    """Accounts throttled for scraping, with what they read."""
    viewer = _administrator(request)
    rows = queries.scraping_signals(viewer=viewer, at=clock.now())
    return render(request, "access_log/signals.html", {"rows": rows})


def usage(request: HttpRequest) -> HttpResponse:
    """Per week: how often students and parents looked at which kinds, and at which hours (counts only)."""
    viewer = _administrator(request)
    try:
        weeks = max(1, min(int(request.GET.get("weken", "8")), 52))
    except ValueError:
        weeks = 8
    now = clock.now()
    report = queries.usage(school_id=viewer.school_id or 0, weeks=weeks, until=now)
    return render(
        request, "access_log/usage.html", {"report": report, "weeks": weeks, "week_choices": (4, 8, 13, 26, 52)}
    )


@login_required
def mine_index(request: HttpRequest) -> HttpResponse:
    """ "Wie bekeek mijn gegevens": the student's own log, or a guardian's pick of their children."""
    return student_picker(
        request, view="access_log:mine", title=_("Wie bekeek mijn gegevens"), allowed=queries.subject_log_allowed
    )
