"""The access log's middleware: open the request's collector, write its rows, throttle and report scraping.

Place it after AuthenticationMiddleware (it needs `request.user`). For a signed-in request it makes a
`RequestReads` current; `viewer_for` binds the request account's viewers to it, so every read that the engine lets
through in the view — whatever the page, export, PDF or feed — becomes a row, without the view calling anything.
Rows are kept only for answers below 400 (a 404 showed nothing) and handed to the process's buffer, which writes
them after the response is sent (`buffer.py`); a streaming answer hands them over when its last chunk is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from inzage import clock
from inzage.access_log import actions, buffer, collector, scraping, views
from inzage.access_log.collector import RequestReads, Row


def channel_of(request: HttpRequest, response: HttpResponse) -> str:
    """What kind of answer carried the data: page, api, pdf, calendar (feed), export (a file), other."""
    if request.path_info.startswith("/api/"):
        return "api"
    content_type = (response.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type == "application/pdf":
        return "pdf"
    if content_type == "text/calendar":
        return "calendar"
    if "attachment" in (response.get("Content-Disposition") or "") or content_type in ("text/csv", "application/json"):
        return "export"
    if content_type in ("text/html", ""):
        return "page"
    return "other"


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(settings, "ACCESS_LOG_ENABLED", True):
            return self.get_response(request)
        # The account id comes from the session: loading the account here would read its counter apart from the
        # page's (session_account.py reads them in one query, in the view). The account is checked after the view.
        session = getattr(request, "session", None)
        try:
            user_id = int(session[SESSION_KEY]) if session is not None and SESSION_KEY in session else None
        except (TypeError, ValueError):
            user_id = None
        if user_id is None:
            return self.get_response(request)
        until = None if scraping.exempt(request) else scraping.blocked_until(user_id)
        if until is not None:
            return views.throttled(request, until=until)
        reads = RequestReads(user_id=user_id, school_id=None, at=clock.now())
        token = collector.begin(reads)
        try:
            response = self.get_response(request)
        finally:
            collector.end(token)
        if response.status_code >= 400 or not (reads.viewers or reads.noted):
            return response
        user = request.user
        if not user.is_authenticated or user.pk != user_id:  # a session whose account no longer passes: no reads
            return response
        reads.school_id = getattr(user, "school_id", None)
        match = request.resolver_match
        rows = reads.rows(route=match.view_name if match else "", channel=channel_of(request, response))
        if not rows:
            return response
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _then_keep(response.streaming_content, rows)
        else:
            buffer.add(rows)
        self._count(request, user, rows)
        return response

    def _count(self, request: HttpRequest, user: Any, rows: list[Row]) -> None:
        verdict = scraping.count(
            user_id=user.pk,
            staff=any(r.audience == "staff" for r in rows),
            path=request.path_info,
            user_agent=request.headers.get("User-Agent", ""),
        )
        if verdict is not None:
            actions.scraping_signal_record(request=request, user=user, verdict=verdict)


def _then_keep(chunks: Any, rows: list[Row]) -> Iterator[Any]:
    yield from chunks
    buffer.add(rows)
