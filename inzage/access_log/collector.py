"""What one request read: the request-scoped collector the engine's viewers report to.

`AccessLogMiddleware` opens a `RequestReads` for a signed-in request and makes it current (a context variable, so
granian's threads each have their own). `inzage.visibility.policy.viewer_for` binds every viewer it builds for that
same account (never a simulated viewer: another account, a draft policy) with `bind_viewer`. Each `Context` of such a
viewer collects the kinds it let through (`Context.reads`); at the end of the request `RequestReads.rows` turns them
into one row per student: when, which kinds, which account, in which role. Nothing here touches the database except
`rows` for a teacher's subjects (one query, staff pages only).

This module imports nothing of the engine (the engine imports it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

_current: ContextVar[RequestReads | None] = ContextVar("inzage_access_log_reads", default=None)


@dataclass(frozen=True)
class Row:
    """One access-log row before it is written (see `models.AccessRead`)."""

    at: dt.datetime
    school_id: int
    user_id: int
    student_id: int
    kinds: tuple[str, ...]
    audience: str  # "student", "guardian", "staff"
    roles: tuple[str, ...]  # staff: mentor, teacher, coordinator, ...
    subjects: tuple[str, ...]  # a teacher's subjects shared with the student
    route: str
    channel: str
    cached: bool


@dataclass
class _Noted:
    kinds: set[str] = field(default_factory=set)
    audience: str = ""
    cached: bool = False


@dataclass
class RequestReads:
    """The reads of one request by one account."""

    user_id: int
    school_id: int | None
    at: dt.datetime
    viewers: list[Any] = field(default_factory=list)
    noted: dict[int, _Noted] = field(default_factory=dict)  # student id -> reads recorded with `record_read`

    def bind(self, viewer: Any) -> None:
        if viewer.user_id == self.user_id and viewer.policy_override is None:
            self.viewers.append(viewer)

    def note(self, *, student_id: int, kinds: Iterable[str], audience: str, cached: bool) -> None:
        noted = self.noted.setdefault(student_id, _Noted())
        noted.kinds.update(kinds)
        noted.audience = noted.audience or audience
        noted.cached = noted.cached or cached

    def rows(self, *, route: str, channel: str) -> list[Row]:
        """One row per student read in this request (kinds merged over the request's contexts)."""
        if self.school_id is None:
            return []
        found: dict[int, dict[str, Any]] = {}
        for viewer in self.viewers:
            for ctx in viewer.contexts.values():
                if not ctx.reads or ctx.facts is None or ctx.audience == "none":
                    continue
                sid = ctx.student_id
                entry = found.setdefault(sid, {"kinds": set(), "audience": ctx.audience, "roles": [], "groups": set()})
                entry["kinds"] |= ctx.reads
                if ctx.audience == "staff":
                    for role in ctx.facts.staff_roles_for(viewer, ctx.today):
                        if role not in entry["roles"]:
                            entry["roles"].append(role)
                    shared = viewer.group_ids & ctx.facts.student_group_ids
                    if shared:
                        entry["groups"] |= shared
                        if "teacher" not in entry["roles"]:
                            entry["roles"].append("teacher")
        for sid, noted in self.noted.items():
            entry = found.setdefault(sid, {"kinds": set(), "audience": noted.audience, "roles": [], "groups": set()})
            entry["kinds"] |= noted.kinds
            entry["cached"] = noted.cached
        subjects = _subjects({g for e in found.values() for g in e["groups"]})
        return [
            Row(
                at=self.at,
                school_id=self.school_id,
                user_id=self.user_id,
                student_id=sid,
                kinds=tuple(sorted(e["kinds"])),
                audience=e["audience"],
                roles=tuple(e["roles"]),
                subjects=tuple(sorted({subjects[g] for g in e["groups"] if g in subjects})),
                route=route,
                channel=channel,
                cached=bool(e.get("cached")),
            )
            for sid, e in sorted(found.items())
            if e["kinds"]
        ]


def _subjects(group_ids: set[int]) -> dict[int, str]:
    if not group_ids:
        return {}
    from inzage.schools.models import TeachingGroup

    return dict(TeachingGroup.objects.filter(pk__in=group_ids).values_list("pk", "subject__name"))


def current() -> RequestReads | None:
    return _current.get()


def begin(reads: RequestReads) -> Any:
    return _current.set(reads)


def end(token: Any) -> None:
    _current.reset(token)


def bind_viewer(viewer: Any) -> None:
    """Called by `viewer_for`: the viewer's reads count for the current request, if it is the request's account."""
    reads = _current.get()
    if reads is not None:
        reads.bind(viewer)


def record_read(
    *,
    user_id: int,
    student_id: int,
    at: dt.datetime,
    cached: bool,
    kind: str | None = None,
    kinds: Iterable[str] = (),
    audience: str = "",
) -> None:
    """Record a read that did not go through the engine in this request (a cached page): kept with the request's
    other reads and written at its end. Outside a request (or for another account) it is written on its own."""
    all_kinds = {*kinds, *((kind,) if kind else ())}
    if not all_kinds:
        return
    reads = _current.get()
    if reads is not None and reads.user_id == user_id:
        reads.note(student_id=student_id, kinds=all_kinds, audience=audience, cached=cached)
        return
    from django.conf import settings

    if not getattr(settings, "ACCESS_LOG_ENABLED", True):
        return
    from inzage.access_log import buffer
    from inzage.accounts.models import User

    school_id = User.objects.filter(pk=user_id).values_list("school_id", flat=True).first()
    if school_id is None:
        return
    alone = RequestReads(user_id=user_id, school_id=school_id, at=at)
    alone.note(student_id=student_id, kinds=all_kinds, audience=audience, cached=cached)
    buffer.add(alone.rows(route="", channel="other"))
    buffer.on_request_finished()  # written now if the buffer is due (or off), else with the next batch


def kinds_read(viewer: Any, student_id: int) -> tuple[str, ...]:
    """The kinds the viewer's contexts let through of one student so far (a cached page keeps them for its hits)."""
    found: set[str] = set()
    for ctx in viewer.contexts.values():
        if ctx.reads and ctx.facts is not None and ctx.student_id == student_id:
            found |= ctx.reads
    return tuple(sorted(found))
