"""What a draft policy changes for the whole school: how many students and guardians gain or lose which kinds.

Used before activation (page and command): an activation that lets anyone see more needs an explicit confirmation
stating these counts. Counted over every student of the school and every guardian relation, with the engine's own
`Context.decide`, on
- the chosen instant, for every result of every student and one item per other kind, and
- the first day of every calendar window span and the day after it ends in the coming year (in the current or the
  draft policy), one item per kind: that is where window changes take effect.
The facts are loaded in bulk (a fixed number of queries, whatever the school's size) instead of per person, which is
what makes this fast enough for a 1,500-student school; the decisions are the engine's, unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from inzage.grades.models import Result
from inzage.people.models import CourtRestriction, GuardianRelation, Student
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import ClassMembership
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import Consent, InformationRequest, Override, Share
from inzage.visibility.policy import moments
from inzage.visibility.policy.document import PolicySpec, Window
from inzage.visibility.policy.engine import Context, Item, _make_context
from inzage.visibility.policy.facts import StudentFacts, Viewer, memberships_by_student
from inzage.visibility.policy.moments import Cutoff

# Items released this long ago stand for "the kind in general" (as in `queries.kind_probe`).
_LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_HORIZON_DAYS = 366


@dataclass(frozen=True)
class KindChange:
    """For one data kind: how many students and how many guardians would see more (or less) of it."""

    kind: str
    students: int
    guardians: int

    @property
    def label(self) -> str:
        return str(DataKind(self.kind).label)


@dataclass(frozen=True)
class PolicyImpact:
    students: int  # students counted (all of the school)
    guardians: int  # guardians counted (all with a relation to a student of the school)
    at: dt.datetime
    instants: int  # how many instants were compared
    gains: tuple[KindChange, ...]
    losses: tuple[KindChange, ...]

    @property
    def opens(self) -> bool:
        """Does the draft let anyone see anything they do not see under the current policy?"""
        return bool(self.gains)

    def gain_lines_nl(self) -> list[str]:
        """One Dutch line per kind, e.g. "312 ouders/verzorgers en 0 leerlingen gaan cijfers (eerder) zien"."""
        return [
            f"{g.guardians} ouders/verzorgers en {g.students} leerlingen gaan {g.label} (eerder of vaker) zien"
            for g in self.gains
        ]

    def loss_lines_nl(self) -> list[str]:
        return [
            f"{g.guardians} ouders/verzorgers en {g.students} leerlingen gaan {g.label} (later of minder) zien"
            for g in self.losses
        ]


def _window_spans(policy: PolicySpec, calendar: SchoolCalendar) -> list[tuple[dt.date, dt.date]]:
    spans: list[tuple[dt.date, dt.date]] = []
    for w in policy.windows:
        spans += _spans(w, calendar)
    return spans


def _spans(w: Window, calendar: SchoolCalendar) -> list[tuple[dt.date, dt.date]]:
    if w.range:
        return [(r.start, r.end) for r in calendar.ranges if r.code == w.range]
    if w.start and w.end:
        return [(w.start, w.end)]
    return []


def _instants(
    *, current: PolicySpec, draft: PolicySpec, calendar: SchoolCalendar, at: dt.datetime
) -> list[dt.datetime]:
    """`at`, then midday on each day a window span starts or has just ended within the coming year."""
    today = calendar.local_date(at)
    days: set[dt.date] = set()
    for start, end in _window_spans(current, calendar) + _window_spans(draft, calendar):
        for day in (start, end + dt.timedelta(days=1)):
            if today < day <= today + dt.timedelta(days=_HORIZON_DAYS):
                days.add(day)
    return [at] + [calendar.local_datetime(day, dt.time(12)) for day in sorted(days)]


def _age_band(age: int) -> int:
    """The ages the engine tells apart: under 16, 16-17 (consent "from_16"), 18 and over."""
    return 0 if age < 16 else 1 if age < 18 else 2


def _settled_before(*, policies: tuple[PolicySpec, ...], calendar: SchoolCalendar, at: dt.datetime) -> list[Cutoff]:
    """Every release cutoff either policy can apply to a result at `at`. A result released before all of them is
    decided like one released long ago (the release arithmetic is monotone, see `moments`)."""
    cutoffs: list[Cutoff | None] = []
    for policy in policies:
        pub = policy.publication
        publication = pub if pub.times and DataKind.GRADES in pub.kinds else None
        cutoffs.append(moments.student_cutoff(calendar, publication, at))
        if policy.student_first.school_days > 0:
            cutoffs.append(moments.guardian_cutoff(calendar, publication, policy.student_first.school_days, at))
    return [c for c in cutoffs if c is not None]


def policy_impact(
    *, school_id: int, current: PolicySpec, draft: PolicySpec, at: dt.datetime, dedupe: bool = True
) -> PolicyImpact:
    """Per kind, how many of the school's students and guardians would see more / less under `draft` than under
    `current` (see the module docstring for what is compared). A fixed number of queries."""
    calendar = SchoolCalendar.load(school_id)
    students = {s.pk: s for s in Student.objects.filter(school_id=school_id)}
    memberships = memberships_by_student(ClassMembership.objects.filter(student__school_id=school_id))
    relations = list(GuardianRelation.objects.filter(student__school_id=school_id).select_related("guardian"))
    court: dict[int, list[CourtRestriction]] = defaultdict(list)
    for c in CourtRestriction.objects.filter(relation__student__school_id=school_id):
        court[c.relation_id].append(c)
    requests: dict[int, list[InformationRequest]] = defaultdict(list)
    for r in InformationRequest.objects.filter(school_id=school_id):
        requests[r.relation_id].append(r)
    overrides: dict[int, list[Override]] = defaultdict(list)
    for o in Override.objects.filter(school_id=school_id):
        overrides[o.student_id].append(o)
    consents: dict[tuple[int, int], list[tuple[int, str, bool, dt.datetime]]] = defaultdict(list)
    for student_id, guardian_id, kind, granted, recorded_at in (
        Consent.objects.filter(school_id=school_id)
        .order_by("recorded_at", "pk")
        .values_list("student_id", "guardian_id", "kind", "granted", "recorded_at")
    ):
        consents[(student_id, guardian_id)].append((guardian_id, kind, granted, recorded_at))
    shares: dict[int, list[tuple[str, int, dt.datetime]]] = defaultdict(list)
    for student_id, kind, item_id, shared_at in Share.objects.filter(school_id=school_id).values_list(
        "student_id", "kind", "item_id", "shared_at"
    ):
        shares[student_id].append((kind, item_id, shared_at))
    settled = _settled_before(policies=(current, draft), calendar=calendar, at=at)
    items: dict[int, list[tuple[int, dt.datetime | None]]] = defaultdict(list)
    # Retracted results are hidden under every policy: they cannot change anyone's view.
    # (Students and guardians only: the teaching group of a result matters to staff, who are not counted here.)
    for pk, student_id, entered_at, release_at in (
        Result.objects.filter(student__school_id=school_id)
        .filter(Q(retracted_at__isnull=True) & Q(column__retracted_at__isnull=True))
        .values_list("pk", "student_id", "entered_at", "column__release_at")
    ):
        released = max(release_at, entered_at) if release_at is not None and entered_at is not None else None
        if released is not None and all(c.admits(released) for c in settled):
            released = _LONG_AGO  # decided like the kind in general: one memo entry for all such results
        items[student_id].append((pk, released))

    instants = _instants(current=current, draft=draft, calendar=calendar, at=at)
    days = [calendar.local_date(instant) for instant in instants]
    gained: dict[str, set[tuple[str, int]]] = defaultdict(set)
    lost: dict[str, set[tuple[str, int]]] = defaultdict(set)
    # Building the engine's gates is the costly part (about 0.1 ms per kind, viewer and instant), and most people
    # look alike to it: same class history, custody, age band, no personal overrides, consents, requests or court
    # orders. Such people share one representative's contexts, and an item's decision depends only on its kind and
    # release moment (and, with shares, its id). Anything personal makes the signature unique (`dedupe=False`
    # compares everyone on their own; a test keeps the two equal).
    contexts: dict[tuple[object, ...], tuple[int, list[tuple[Context, Context]]]] = {}
    scoped = any(w.levels or w.years or w.classes for w in current.windows + draft.windows)
    kinds: tuple[str, ...] = tuple(DataKind.values)
    memo: dict[tuple[object, ...], tuple[bool, bool]] = {}

    def facts(student: Student, relation: GuardianRelation | None, policy: PolicySpec) -> StudentFacts:
        f = StudentFacts(student=student, policy=policy, calendar=calendar, memberships=memberships.get(student.pk, []))
        if relation is not None:
            f.relation = relation
            f.court = court[relation.pk]
            f.requests = requests[relation.pk]
            f.overrides = [
                o for o in overrides[student.pk] if o.guardian_id is None or o.guardian_id == relation.guardian_id
            ]
            f.consents = consents[(student.pk, relation.guardian_id)]
            f.shares = shares[student.pk]
        return f

    def signature(student: Student, relation: GuardianRelation | None) -> tuple[object, ...]:
        # Class, level and year matter only to scoped windows (`facts._in_scope`); without any, leave them out.
        history = (
            tuple((m.start, m.end, m.class_name, m.level_code, m.year) for m in memberships.get(student.pk, []))
            if scoped
            else ()
        )
        if not dedupe:
            return ("person", student.pk, relation.pk if relation else None)
        if relation is None:
            return ("student", history)
        personal = (
            court[relation.pk]
            or requests[relation.pk]
            or consents[(student.pk, relation.guardian_id)]
            or shares[student.pk]
            or any(o.guardian_id in (None, relation.guardian_id) for o in overrides[student.pk])
        )
        ages = tuple(_age_band(student.age_on(day)) for day in days)
        current = tuple(relation.is_current_on(day) for day in days)
        return ("guardian", history, relation.custody, current, ages, relation.pk if personal else None)

    def compare(viewer: Viewer, student: Student, relation: GuardianRelation | None, who: tuple[str, int]) -> None:
        sig = signature(student, relation)
        if sig not in contexts:
            before_facts, after_facts = facts(student, relation, current), facts(student, relation, draft)
            # Same construction as `context_for`, without its per-viewer caches and database loads.
            contexts[sig] = (
                student.pk,
                [
                    (_make_context(viewer, before_facts, instant), _make_context(viewer, after_facts, instant))
                    for instant in instants
                ],
            )
        rep, pairs = contexts[sig]
        with_ids = bool(shares[student.pk])
        for n, (before, after) in enumerate(pairs):
            own: list[tuple[str, dt.datetime | None, int]] = [(k, _LONG_AGO, 0) for k in kinds]
            if n == 0:
                own += [(str(DataKind.GRADES), released, pk) for pk, released in items[student.pk]]
            for kind, released, pk in own:
                key = (sig, n, kind, released, pk if with_ids else 0)
                outcome = memo.get(key)
                if outcome is None:
                    item = Item(kind=kind, id=pk, student_id=rep, released_at=released)
                    outcome = (before.decide(item).visible, after.decide(item).visible)
                    memo[key] = outcome
                was, will = outcome
                if will and not was:
                    gained[kind].add(who)
                elif was and not will:
                    lost[kind].add(who)

    for student in students.values():
        viewer = Viewer(user_id=student.user_id, school_id=school_id, student_id=student.pk)
        compare(viewer, student, None, ("student", student.pk))
    for relation in relations:
        student = students[relation.student_id]
        viewer = Viewer(
            user_id=relation.guardian.user_id,
            school_id=school_id,
            guardian_id=relation.guardian_id,
            relations={student.pk: relation},
        )
        compare(viewer, student, relation, ("guardian", relation.guardian_id))

    def changes(found: dict[str, set[tuple[str, int]]]) -> tuple[KindChange, ...]:
        return tuple(
            KindChange(
                kind=kind,
                students=sum(1 for role, _ in found[kind] if role == "student"),
                guardians=sum(1 for role, _ in found[kind] if role == "guardian"),
            )
            for kind in DataKind.values
            if found.get(kind)
        )

    return PolicyImpact(
        students=len(students),
        guardians=len({r.guardian_id for r in relations}),
        at=at,
        instants=len(instants),
        gains=changes(gained),
        losses=changes(lost),
    )
