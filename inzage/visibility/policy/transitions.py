"""Moments at which items become visible for a viewer (for notifications: "new grade visible", not "grade entered").

Visibility only changes at a known set of instants: release and publication moments, student-first moments, window
edges, override/consent/share/request times, court-order edges, birthdays and relation edges. We collect those
candidates and ask the engine at each one, so the answer is the engine's own, never a re-implementation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inzage.visibility.policy import moments
from inzage.visibility.policy.engine import Decision, Item, context_for
from inzage.visibility.policy.facts import Viewer


@dataclass(frozen=True)
class Transition:
    at: dt.datetime
    item: Item
    decision: Decision
    version: int | None = None  # a correction: the version that becomes visible (None: the item itself)


def _candidates(ctx, items: list[Item], start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    facts = ctx.facts
    cal = facts.calendar
    policy = facts.policy
    out: set[dt.datetime] = set()
    # A linked item (a resit) can flip when the item it reveals (its original) is released: collect theirs too.
    # A correction (a later version of a result) is released on its own: collect its moments as well.
    releases = (
        (x.kind, released)
        for item in items
        for x in (item, *item.links)
        for released in (x.released_at, *(v[1] for v in x.versions[1:]))
    )
    for kind, released_at in releases:
        if released_at is None:
            continue
        out.add(released_at)
        moment = moments.student_moment(cal, ctx.publication_for(kind), released_at)
        if moment is not None:
            out.add(moment)
            if policy.student_first.school_days:
                g = moments.guardian_moment(cal, ctx.publication_for(kind), policy.student_first.school_days, moment)
                if g is not None:
                    out.add(g)
    for w in policy.windows:
        for s, e in facts._spans(w):
            out.update((cal.start_of_day(s), cal.end_of_day(e)))
    for o in facts.overrides:
        out.update(x for x in (o.created_at, o.revoked_at, cal.start_of_day(o.starts_on)) if x)
        if o.until:
            out.add(cal.end_of_day(o.until))
    out.update(c[3] for c in facts.consents)
    out.update(s[2] for s in facts.shares)
    out.update(r.decided_at for r in facts.requests if r.decided_at)
    out.update(cal.start_of_day(r.custodial_parent_told_on) for r in facts.requests if r.custodial_parent_told_on)
    if facts.relation is not None:  # a relation that starts or ends opens or closes everything for the guardian
        if facts.relation.start_date:
            out.add(cal.start_of_day(facts.relation.start_date))
        if facts.relation.end_date:
            out.add(cal.end_of_day(facts.relation.end_date))
    for m in facts.memberships:  # windows are scoped by class, level and year
        out.update((cal.start_of_day(m.start), cal.end_of_day(m.end)))
    for c in facts.court:
        out.add(cal.start_of_day(c.effective_from))
        if c.effective_until:
            out.add(cal.end_of_day(c.effective_until))
    born = facts.student.date_of_birth
    for age in (16, 18):
        try:
            out.add(cal.start_of_day(born.replace(year=born.year + age)))
        except ValueError:  # 29 February
            out.add(cal.start_of_day(dt.date(born.year + age, 3, 1)))
    return sorted(t for t in out if start < t <= end)


def transitions(
    *, viewer: Viewer, student_id: int, items: list[Item], start: dt.datetime, end: dt.datetime
) -> list[Transition]:
    """Every moment in (start, end] at which one of the items becomes visible to the viewer (again), or a
    correction of a visible result does (`version` set)."""
    ctx = context_for(viewer=viewer, student_id=student_id, at=start)
    if ctx.facts is None:
        return []
    visible = {(it.kind, it.id): ctx.peek(it).visible for it in items}  # peek: planning, not a read
    shown = {(it.kind, it.id): ctx.shown_version(it) for it in items if it.versions}
    out: list[Transition] = []
    for at in _candidates(ctx, items, start, end):
        now = context_for(viewer=viewer, student_id=student_id, at=at)
        for it in items:
            decision = now.peek(it)
            key = (it.kind, it.id)
            if decision.visible and not visible[key]:
                out.append(Transition(at=at, item=it, decision=decision))
            elif decision.visible and it.versions:
                version = now.shown_version(it)
                if version is not None and version != shown.get(key):
                    out.append(Transition(at=at, item=it, decision=decision, version=version))
            if it.versions:
                shown[key] = now.shown_version(it) if decision.visible else None
            visible[key] = decision.visible
    return out


ONE_MICROSECOND = dt.timedelta(microseconds=1)


def next_transition(*, viewer: Viewer, student_id: int, items: list[Item], after: dt.datetime) -> dt.datetime:
    """The first instant after `after` at which anything the viewer sees of the student may change without a write.

    For caches: a view built at `after` stays right until this instant (writes move the version counters). Every
    candidate of `transitions` counts, and also the microsecond after it (some rules change just after their instant,
    e.g. an exclusive cutoff), and the next local midnight (every date rule changes at a midnight: an unlisted date
    edge then costs at most one rebuild a day instead of a stale page). Earlier is always safe, later never.
    """
    ctx = context_for(viewer=viewer, student_id=student_id, at=after)
    if ctx.facts is None:
        return after + dt.timedelta(minutes=1)
    cal = ctx.facts.calendar
    first = cal.start_of_day(cal.local_date(after) + dt.timedelta(days=1))
    for c in _candidates(ctx, items, after - ONE_MICROSECOND, first):
        for t in (c, c + ONE_MICROSECOND):
            if after < t < first:
                first = t
    return first
