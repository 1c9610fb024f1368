"""What the engine loads from the database: the viewer (once per request) and the facts about one student.

Both are loaded with a constant number of queries, whatever the number of items decided afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from inzage.access_log.collector import bind_viewer
from inzage.people.models import CourtRestriction, GuardianRelation, Staff, StaffRole, Student
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import ClassMembership
from inzage.visibility.models import Consent, InformationRequest, Override, PolicyVersion, Share
from inzage.visibility.policy.document import DEFAULT_POLICY, PolicySpec, Window, parse_policy


@dataclass(eq=False)
class Viewer:
    """Who is asking: an account and the person rows behind it. Build once per request with `viewer_for`."""

    user_id: int | None
    school_id: int | None
    student_id: int | None = None
    guardian_id: int | None = None
    relations: dict[int, GuardianRelation] = field(default_factory=dict)  # student id -> relation
    staff_id: int | None = None
    roles: tuple[tuple[str, int | None, int | None], ...] = ()  # (role, level id, year)
    group_ids: frozenset[int] = frozenset()
    mentor_class_ids: frozenset[int] = frozenset()
    policy_override: PolicySpec | None = None  # simulate a draft policy (preview), never stored
    # The school's version counter, when the caller read it before any data (`inzage.visibility.versions`): the
    # school's calendar and policy then come from a per-process cache under that counter (`school_calendar_policy`).
    school_version: int | None = None
    facts: dict[int, StudentFacts | None] = field(default_factory=dict)
    contexts: dict[Any, Any] = field(default_factory=dict)
    calendars: dict[int, SchoolCalendar] = field(default_factory=dict)

    @property
    def is_staff_member(self) -> bool:
        return self.staff_id is not None

    def has_role(self, *roles: str) -> bool:
        return any(role in roles for role, _, _ in self.roles)


NOBODY = Viewer(user_id=None, school_id=None)


def viewer_for(user: Any, *, policy: PolicySpec | None = None) -> Viewer:
    """The viewer for an account (anonymous or without person rows: sees nothing). At most six queries."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Viewer(user_id=None, school_id=None)
    viewer = Viewer(user_id=user.pk, school_id=user.school_id, policy_override=policy)
    student_id = Student.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    viewer.student_id = student_id
    relations = list(GuardianRelation.objects.filter(guardian__user_id=user.pk).select_related("guardian"))
    if relations:
        viewer.guardian_id = relations[0].guardian_id
        viewer.relations = {r.student_id: r for r in relations}
    staff = Staff.objects.filter(user_id=user.pk).first()
    if staff is not None:
        viewer.staff_id = staff.pk
        viewer.roles = tuple(StaffRole.objects.filter(staff=staff).values_list("role", "level_id", "year"))
        viewer.group_ids = frozenset(staff.teaching_groups.values_list("pk", flat=True))
        viewer.mentor_class_ids = frozenset(staff.mentor_classes.values_list("pk", flat=True))
    bind_viewer(viewer)  # the access log: what this viewer's contexts let through is logged for the request
    return viewer


# Who an account is (its student, guardian and staff rows, relations, roles, groups, mentor classes), kept per process
# under the account's and the school's counters: every write that changes any of it moves one of the two in its own
# transaction (`inzage.visibility.versions`: person rows, relations, staff roles -> the account; group teachers and
# class mentors -> the school).
_IDENTITIES: dict[tuple[int, int, int], Viewer] = {}


def request_viewer(request: Any) -> Viewer:
    """`viewer_for(request.user)` for a page: with the counters the request read before any data (the session's
    account check reads them, so usually no query), the school's calendar and policy come from the per-process cache
    and the account's identity too (`viewer_at_counters`)."""
    from inzage.visibility.versions import Scope, request_versions

    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or user.school_id is None:
        return viewer_for(user)
    user_key, school_key = (Scope.USER, user.pk), (Scope.SCHOOL, user.school_id)
    counters = request_versions(request, [user_key, school_key])
    return viewer_at_counters(user, user_counter=counters[user_key], school_counter=counters[school_key])


def viewer_at_counters(user: Any, *, user_counter: int, school_counter: int) -> Viewer:
    """`viewer_for(user)` given the account's and the school's counters as read before any data: the identity is
    kept per process under them (`_IDENTITIES`). The viewer is new on every call (facts and decisions are never
    shared), with `school_version` set."""
    key = (user.pk, user_counter, school_counter)
    known = _IDENTITIES.get(key)
    if known is None or known.school_id != user.school_id:
        known = viewer_for(user)
        if len(_IDENTITIES) > 4096:
            _IDENTITIES.clear()
        _IDENTITIES[key] = known
    viewer = Viewer(
        user_id=known.user_id,
        school_id=known.school_id,
        student_id=known.student_id,
        guardian_id=known.guardian_id,
        relations=dict(known.relations),
        staff_id=known.staff_id,
        roles=known.roles,
        group_ids=known.group_ids,
        mentor_class_ids=known.mentor_class_ids,
        school_version=school_counter,
    )
    bind_viewer(viewer)
    return viewer


_POLICY_CACHE: dict[tuple[int, str], PolicySpec] = {}


def active_policy(school_id: int) -> PolicySpec:
    """The school's policy in force: the latest activated version (or the defaults when there is none)."""
    version = (
        PolicyVersion.objects.filter(school_id=school_id, activated_at__isnull=False)
        .order_by("-number")
        .values_list("pk", "text")
        .first()
    )
    if version is None:
        return DEFAULT_POLICY
    key = (version[0], version[1])
    spec = _POLICY_CACHE.get(key)
    if spec is None:
        spec = parse_policy(version[1])  # activation validated it; a broken row raises rather than opening up
        if len(_POLICY_CACHE) > 256:
            _POLICY_CACHE.clear()
        _POLICY_CACHE[key] = spec
    return spec


_SCHOOL_FACTS: dict[tuple[int, int], tuple[SchoolCalendar, PolicySpec]] = {}


def school_calendar_policy(*, school_id: int, version: int | None) -> tuple[SchoolCalendar, PolicySpec]:
    """The school's calendar and policy in force (four queries). With the school's version counter, read by the
    caller before any data, they are kept per process under (school, counter): every write to the calendar, the
    school or its policy moves that counter in its own transaction, so a kept pair is never older than the counter
    says (the cold grades page at 17:00 saves its four queries)."""
    if version is None:
        return SchoolCalendar.load(school_id), active_policy(school_id)
    key = (school_id, version)
    found = _SCHOOL_FACTS.get(key)
    if found is None:
        found = (SchoolCalendar.load(school_id), active_policy(school_id))
        if len(_SCHOOL_FACTS) > 256:
            _SCHOOL_FACTS.clear()
        _SCHOOL_FACTS[key] = found
    return found


@dataclass(frozen=True, slots=True)
class Membership:
    start: dt.date
    end: dt.date
    class_id: int
    class_name: str
    level_id: int
    level_code: str
    year: int


@dataclass(eq=False)
class StudentFacts:
    """Item-independent facts about one student for one viewer, loaded once, then asked about instants."""

    student: Student
    policy: PolicySpec
    calendar: SchoolCalendar
    memberships: list[Membership]
    relation: GuardianRelation | None = None
    court: list[CourtRestriction] = field(default_factory=list)
    requests: list[InformationRequest] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    consents: list[tuple[int, str, bool, dt.datetime]] = field(default_factory=list)
    shares: list[tuple[str, int, dt.datetime]] = field(default_factory=list)
    student_group_ids: frozenset[int] = frozenset()
    _windows: dict[tuple[str, str, dt.date], Any] = field(default_factory=dict)

    def membership_on(self, day: dt.date) -> Membership | None:
        """The class on that day; between school years (summer) the latest class before it still counts."""
        latest: Membership | None = None
        for m in self.memberships:
            if m.start <= day <= m.end:
                return m
            if m.start <= day and (latest is None or m.start > latest.start):
                latest = m
        return latest

    def window_on(self, audience: str, kind: str, day: dt.date) -> tuple[int, Window, dt.date, dt.date] | None:
        """The window in force: most specific scope, then the shortest span, then "close" (fail closed)."""
        key = (audience, kind, day)
        if key in self._windows:
            return self._windows[key]
        membership = self.membership_on(day)
        best: tuple[tuple[int, int, int], tuple[int, Window, dt.date, dt.date]] | None = None
        for index, w in enumerate(self.policy.windows):
            if w.audience != audience or kind not in w.kinds or not _in_scope(w, membership):
                continue
            for start, end in self._spans(w):
                if start <= day <= end:
                    rank = (w.scope_rank, -(end - start).days, int(w.effect == "close"))
                    if best is None or rank > best[0]:
                        best = (rank, (index, w, start, end))
        found = best[1] if best else None
        self._windows[key] = found
        return found

    def _spans(self, w: Window) -> list[tuple[dt.date, dt.date]]:
        if w.range:
            return [(r.start, r.end) for r in self.calendar.ranges if r.code == w.range]
        if w.start and w.end:
            return [(w.start, w.end)]
        return []

    def court_restriction(self, relation_id: int, kind: str, day: dt.date) -> CourtRestriction | None:
        for c in self.court:
            if (
                c.relation_id == relation_id
                and kind in (c.kinds or [])
                and c.effective_from <= day
                and (c.effective_until is None or day <= c.effective_until)
            ):
                return c
        return None

    def granted_request(self, relation_id: int, kind: str, at: dt.datetime) -> InformationRequest | None:
        """A granted request covering the kind, decided by `at`, of which the custodial parent was told by `at`."""
        for r in self.requests:
            if (
                r.relation_id == relation_id
                and r.status == InformationRequest.Status.GRANTED
                and r.decided_at is not None
                and r.decided_at <= at
                and r.custodial_parent_told_on is not None
                and r.custodial_parent_told_on <= self.calendar.local_date(at)
                and kind in (r.kinds or [])
            ):
                return r
        return None

    def override_for(self, guardian_id: int, kind: str, day: dt.date, at: dt.datetime) -> Override | None:
        """The override in force: one for this guardian beats one for all guardians; then the latest."""
        best: Override | None = None
        for o in self.overrides:
            if (
                kind in (o.kinds or [])
                and (o.guardian_id is None or o.guardian_id == guardian_id)
                and o.created_at <= at
                and (o.revoked_at is None or at < o.revoked_at)
                and o.starts_on <= day
                and (o.until is None or day <= o.until)
            ):
                rank = (o.guardian_id is not None, o.created_at, o.pk)
                if best is None or rank > (best.guardian_id is not None, best.created_at, best.pk):
                    best = o
        return best

    def consent(self, guardian_id: int, kind: str, at: dt.datetime) -> bool | None:
        """The student's latest choice for this guardian and kind recorded by `at` (None: never chosen)."""
        given: bool | None = None
        for g, k, granted, recorded_at in self.consents:  # ordered by recorded_at
            if g == guardian_id and k == kind and recorded_at <= at:
                given = granted
        return given

    def shared_ids(self, kind: str, at: dt.datetime) -> frozenset[int]:
        return frozenset(item_id for k, item_id, shared_at in self.shares if k == kind and shared_at <= at)

    def staff_roles_for(self, viewer: Viewer, day: dt.date) -> list[str]:
        """The viewer's roles that reach this student on this day (teacher reach is per group, not here)."""
        if viewer.school_id != self.student.school_id:
            return []
        membership = self.membership_on(day)
        found: list[str] = []
        for role, level_id, year in viewer.roles:
            if role == "mentor":
                if membership and membership.class_id in viewer.mentor_class_ids:
                    found.append(role)
            elif role in ("coordinator", "exam_secretary"):
                if (level_id is None and year is None) or (
                    membership
                    and (level_id is None or level_id == membership.level_id)
                    and (year is None or year == membership.year)
                ):
                    found.append(role)
            elif role in ("care_coordinator", "attendance_officer", "administrator"):
                found.append(role)
        if "mentor" not in found and membership and membership.class_id in viewer.mentor_class_ids:
            found.append("mentor")  # mentoring the class is what counts, with or without the role row
        return found


def _in_scope(w: Window, m: Membership | None) -> bool:
    if not (w.levels or w.years or w.classes):
        return True
    if m is None:
        return False
    return (
        (not w.levels or m.level_code in w.levels)
        and (not w.years or m.year in w.years)
        and (not w.classes or m.class_name in w.classes)
    )


def memberships_by_student(memberships: Any) -> dict[int, list[Membership]]:
    """The class memberships of a ClassMembership queryset as the engine keeps them, per student (one query)."""
    out: dict[int, list[Membership]] = {}
    for m in memberships.select_related("school_year", "school_class__year_group__level"):
        out.setdefault(m.student_id, []).append(
            Membership(
                start=m.school_year.start,
                end=m.school_year.end,
                class_id=m.school_class_id,
                class_name=m.school_class.name,
                level_id=m.school_class.year_group.level_id,
                level_code=m.school_class.year_group.level.code,
                year=m.school_class.year_group.year,
            )
        )
    return out


def staff_facts_prime(*, viewer: Viewer, student_ids: Any) -> None:
    """Load the facts of many students at once onto a staff viewer (list pages: a mentor's class, a year).

    For a staff viewer `load_facts` reads only the student row, the class memberships and the teaching groups; this
    reads them for all students in three queries (plus the school's calendar and policy once) into the viewer's
    cache, so the engine then decides exactly as it would have (`staff/tests/test_my_class.py` holds the two loaders
    together field by field). Students the viewer is, or is a guardian of, are left to `load_facts`: theirs hold
    more."""
    if viewer.staff_id is None or viewer.school_id is None:
        return
    wanted = {
        sid
        for sid in student_ids
        if sid not in viewer.facts and sid != viewer.student_id and sid not in viewer.relations
    }
    if not wanted:
        return
    students = {s.pk: s for s in Student.objects.filter(pk__in=wanted, school_id=viewer.school_id)}
    memberships = memberships_by_student(ClassMembership.objects.filter(student_id__in=students))
    groups: dict[int, set[int]] = {sid: set() for sid in students}
    for student_id, group_id in Student.teaching_groups.through.objects.filter(student_id__in=students).values_list(
        "student_id", "teachinggroup_id"
    ):
        groups[student_id].add(group_id)
    calendar = viewer.calendars.get(viewer.school_id)
    if calendar is None:
        calendar, policy = school_calendar_policy(school_id=viewer.school_id, version=viewer.school_version)
        viewer.calendars[viewer.school_id] = calendar
    else:
        policy = active_policy(viewer.school_id)
    policy = viewer.policy_override or policy
    for sid in wanted:
        student = students.get(sid)
        if student is None:
            viewer.facts[sid] = None  # not in the viewer's school: the engine says "not related"
            continue
        viewer.facts[sid] = StudentFacts(
            student=student,
            policy=policy,
            calendar=calendar,
            memberships=memberships.get(sid, []),
            student_group_ids=frozenset(groups[sid]),
        )


def load_facts(*, viewer: Viewer, student_id: int) -> StudentFacts | None:
    """The facts about a student for this viewer; None when the student is not in the viewer's school."""
    if viewer.school_id is None:
        return None
    student = Student.objects.filter(pk=student_id, school_id=viewer.school_id).first()
    if student is None:
        return None
    school_id = student.school_id
    calendar = viewer.calendars.get(school_id)
    if calendar is None:
        calendar, policy = school_calendar_policy(school_id=school_id, version=viewer.school_version)
        viewer.calendars[school_id] = calendar
    else:
        policy = active_policy(school_id)
    policy = viewer.policy_override or policy
    memberships = memberships_by_student(ClassMembership.objects.filter(student_id=student_id)).get(student_id, [])
    facts = StudentFacts(student=student, policy=policy, calendar=calendar, memberships=memberships)
    if viewer.student_id == student_id:
        return facts
    relation = viewer.relations.get(student_id)
    if relation is not None:
        facts.relation = relation
        facts.court = list(CourtRestriction.objects.filter(relation_id=relation.pk))
        facts.requests = list(InformationRequest.objects.filter(relation_id=relation.pk))
        facts.overrides = list(
            Override.objects.filter(student_id=student_id).filter(
                Q(guardian_id__isnull=True) | Q(guardian_id=relation.guardian_id)
            )
        )
        facts.consents = list(
            Consent.objects.filter(student_id=student_id, guardian_id=relation.guardian_id)
            .order_by("recorded_at", "pk")
            .values_list("guardian_id", "kind", "granted", "recorded_at")
        )
        facts.shares = list(Share.objects.filter(student_id=student_id).values_list("kind", "item_id", "shared_at"))
    elif viewer.staff_id is not None:
        facts.student_group_ids = frozenset(student.teaching_groups.values_list("pk", flat=True))
    return facts


def follower_viewers(*, pairs: Any) -> dict[int, Viewer]:
    """Viewers for many (account, student) pairs at once, each with the facts of its students loaded, for work that
    decides for thousands of people (notifications). A constant number of queries per call, whatever its size.

    Each viewer is the account as a student or guardian only: what `viewer_for` gives without the staff parts
    (roles, groups, mentor classes), so a parent who also teaches is told what they see as a parent, never what
    their job shows them. Its facts are those `load_facts` would load for such a viewer
    (`notifications/tests/test_followers.py` holds the two loaders together field by field)."""
    wanted: dict[int, set[int]] = {}
    for user_id, student_id in pairs:
        wanted.setdefault(user_id, set()).add(student_id)
    if not wanted:
        return {}
    from inzage.accounts.models import User

    viewers = {
        pk: Viewer(user_id=pk, school_id=school_id)
        for pk, school_id in User.objects.filter(pk__in=list(wanted), is_active=True).values_list("pk", "school_id")
    }
    for student_id, user_id in Student.objects.filter(user_id__in=list(viewers)).values_list("pk", "user_id"):
        viewers[user_id].student_id = student_id
    for rel in GuardianRelation.objects.filter(guardian__user_id__in=list(viewers)).select_related("guardian"):
        viewer = viewers[rel.guardian.user_id]
        if viewer.guardian_id is None:
            viewer.guardian_id = rel.guardian_id
        viewer.relations[rel.student_id] = rel
    student_ids = {sid for user_id in viewers for sid in wanted[user_id]}
    students = {s.pk: s for s in Student.objects.filter(pk__in=list(student_ids))}
    memberships = memberships_by_student(ClassMembership.objects.filter(student_id__in=list(students)))
    relation_ids = [r.pk for v in viewers.values() for sid, r in v.relations.items() if sid in students]
    court: dict[int, list[CourtRestriction]] = {}
    for c in CourtRestriction.objects.filter(relation_id__in=relation_ids):
        court.setdefault(c.relation_id, []).append(c)
    requests: dict[int, list[InformationRequest]] = {}
    for r in InformationRequest.objects.filter(relation_id__in=relation_ids):
        requests.setdefault(r.relation_id, []).append(r)
    guarded = [sid for sid in students if any(sid in v.relations for v in viewers.values())]
    overrides: dict[int, list[Override]] = {}
    for o in Override.objects.filter(student_id__in=guarded):
        overrides.setdefault(o.student_id, []).append(o)
    consents: dict[tuple[int, int], list[tuple[int, str, bool, dt.datetime]]] = {}
    for sid, guardian_id, kind, granted, recorded_at in (
        Consent.objects.filter(student_id__in=guarded)
        .order_by("recorded_at", "pk")
        .values_list("student_id", "guardian_id", "kind", "granted", "recorded_at")
    ):
        consents.setdefault((sid, guardian_id), []).append((guardian_id, kind, granted, recorded_at))
    shares: dict[int, list[tuple[str, int, dt.datetime]]] = {}
    for sid, kind, item_id, shared_at in Share.objects.filter(student_id__in=guarded).values_list(
        "student_id", "kind", "item_id", "shared_at"
    ):
        shares.setdefault(sid, []).append((kind, item_id, shared_at))
    schools: dict[int, tuple[SchoolCalendar, PolicySpec]] = {}
    for user_id, viewer in viewers.items():
        for sid in wanted[user_id]:
            student = students.get(sid)
            if viewer.school_id is None or student is None or student.school_id != viewer.school_id:
                viewer.facts[sid] = None  # not in the viewer's school: "not related", as `load_facts` says
                continue
            if student.school_id not in schools:
                schools[student.school_id] = school_calendar_policy(school_id=student.school_id, version=None)
            calendar, policy = schools[student.school_id]
            viewer.calendars.setdefault(student.school_id, calendar)
            facts = StudentFacts(
                student=student, policy=policy, calendar=calendar, memberships=memberships.get(sid, [])
            )
            relation = viewer.relations.get(sid) if viewer.student_id != sid else None
            if relation is not None:
                facts.relation = relation
                facts.court = court.get(relation.pk, [])
                facts.requests = requests.get(relation.pk, [])
                facts.overrides = [
                    o for o in overrides.get(sid, []) if o.guardian_id is None or o.guardian_id == relation.guardian_id
                ]
                facts.consents = consents.get((sid, relation.guardian_id), [])
                facts.shares = shares.get(sid, [])
            viewer.facts[sid] = facts
    return viewers
