"""Version counters: bumped in the same transaction as every write that can change what someone sees of a student.

Three scopes (`DataVersion.Scope`): a school (policy, calendar, school structure: everyone of the school), a student
(their results, columns, overrides, consent, shares, relations, court orders, requests, class memberships, record)
and an account (which students the account reaches: relations, the person rows behind the account).

How writes reach the counters (docs/caching.md):

- every model in `TRACKED` bumps through `post_save`/`post_delete` (and `m2m_changed` for the members of teaching groups and mentors of classes),
  connected in `VisibilityConfig.ready`. That covers the actions, the Django admin and any other `save()`/`delete()`;
  the signal runs inside the writer's transaction, after the row is written;
- writes that bypass signals (`bulk_create`, `bulk_update`, `QuerySet.update`, raw inserts) call `versions_bump`
  themselves, in their transaction: `grades.actions.results_save`, `grades.period_reports.period_report_publish`,
  the demo seed;
- `inzage/visibility/tests/test_versions.py` lists every table the engine's facts loader and the grades page read
  (from the SQL they run) and fails for one whose writes do not bump a counter.

A reader reads the counters before the data (one query, `versions_read`), so data newer than the counters it is
stored with can occur (harmless: the next read misses), never older.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, connections, router
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from inzage.visibility.models import DataVersion

Scope = DataVersion.Scope
VersionKey = tuple[str, int]  # (scope, object id)


def versions_bump(
    *, school_id: int | None, student_ids: Iterable[int] | None = None, user_ids: Iterable[int | None] = ()
) -> None:
    """Move the counters: the school's when `student_ids` is None, else those students'; plus the given accounts'.

    Call inside the writing transaction (after the write, or anywhere in the same `atomic` block). Two queries.
    """
    keys: set[VersionKey] = set()
    if student_ids is None:
        if school_id is not None:
            keys.add((Scope.SCHOOL, school_id))
    else:
        keys.update((Scope.STUDENT, s) for s in student_ids if s is not None)
    keys.update((Scope.USER, u) for u in user_ids if u is not None)
    if not keys:
        return
    ordered = sorted(keys)  # a stable order keeps two writers from locking the same rows in opposite orders
    DataVersion.objects.bulk_create(
        [DataVersion(school_id=school_id, scope=s, object_id=o) for s, o in ordered], ignore_conflicts=True
    )
    DataVersion.objects.filter(_keys_q(ordered)).update(counter=F("counter") + 1)


def versions_read(keys: Iterable[VersionKey]) -> dict[VersionKey, int]:
    """The counters for the given keys (a missing row counts as 0). One query."""
    wanted = set(keys)
    found = dict.fromkeys(wanted, 0)
    if not wanted:
        return found
    # Plain SQL: this runs on every cached page view, and building the ORM query cost more than running it.
    by_scope: dict[str, list[int]] = {}
    for scope, object_id in wanted:
        by_scope.setdefault(str(scope), []).append(int(object_id))
    where: list[str] = []
    params: list[Any] = []
    for scope, ids in sorted(by_scope.items()):
        where.append(f"({_SCOPE} = %s AND {_OBJECT_ID} IN ({', '.join(['%s'] * len(ids))}))")
        params += [scope, *sorted(ids)]
    sql = f"SELECT {_SCOPE}, {_OBJECT_ID}, {_COUNTER} FROM {_TABLE} WHERE {' OR '.join(where)}"
    with connections[router.db_for_read(DataVersion)].cursor() as cursor:
        cursor.execute(sql, params)
        for scope, object_id, counter in cursor.fetchall():
            found[(scope, object_id)] = counter
    return found


# ------------------------------------------------------------------------------------------------ per request
# A request reads its counters once, in one query: the account's (which validates the account kept in the session,
# `inzage.accounts.session_account`), the school's and whatever its view declares with `reads_versions` (the grades
# page: the student's). The first reader (the account, when the view's login check asks for it) reads them all.

_REQUEST_ATTR = "_inzage_versions"
_VIEW_ATTR = "versions_keys"


def reads_versions(keys: Callable[[dict[str, Any]], list[VersionKey]]) -> Callable[[Any], Any]:
    """Declare the counters a view will read, from its URL's keyword arguments, so that the request reads them
    together with the account's counter (one query instead of two). Harmless if wrong: a key not read up front is
    read when it is asked for."""

    def decorate(view: Any) -> Any:
        setattr(view, _VIEW_ATTR, keys)
        return view

    return decorate


def request_version_keys(request: Any) -> list[VersionKey]:
    """The keys the request's view declared (none before the URL is resolved, or for a view that declares none)."""
    match = getattr(request, "resolver_match", None)
    declare = getattr(match.func, _VIEW_ATTR, None) if match is not None else None
    if match is None or declare is None:
        return []
    try:
        return list(declare(match.kwargs))
    except (KeyError, TypeError, ValueError):
        return []


def request_versions(request: Any, keys: Iterable[VersionKey]) -> dict[VersionKey, int]:
    """The counters for `keys` as this request first read them: one query for all keys not read before in this
    request, together with the keys its view declared. Read before the data the request builds a page from."""
    wanted = set(keys)
    memo: dict[VersionKey, int] = request.__dict__.setdefault(_REQUEST_ATTR, {})
    missing = wanted.difference(memo)
    if missing:
        memo.update(versions_read(missing.union(request_version_keys(request)).difference(memo)))
    return {key: memo[key] for key in wanted}


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


_TABLE = _quoted(DataVersion._meta.db_table)
_SCOPE, _OBJECT_ID, _COUNTER = (_quoted(name) for name in ("scope", "object_id", "counter"))  # no db_column set


def _keys_q(keys: Iterable[VersionKey]) -> Q:
    by_scope: dict[str, list[int]] = {}
    for scope, object_id in keys:
        by_scope.setdefault(scope, []).append(object_id)
    q = Q()
    for scope, ids in sorted(by_scope.items()):
        q |= Q(scope=scope, object_id__in=sorted(ids))
    return q


# ------------------------------------------------------------------------------------------------- signal wiring
# Each entry says which counters a row's write moves: (school id, student ids or None for the school, account ids).

Bumps = tuple[int | None, list[int] | None, list[int | None]]


def _school_wide(instance: Any) -> Bumps:
    return instance.school_id, None, []


def _school_itself(instance: Any) -> Bumps:
    return instance.pk, None, []


def _one_student(instance: Any) -> Bumps:
    return instance.school_id, [instance.student_id], []


def _result_version(instance: Any) -> Bumps:
    # Append-only history rows (the engine shows students and guardians the version they may see); bulk writes
    # (results_save) bump the student themselves, a single save comes here.
    return instance.school_id, [instance.result.student_id], []


def _by_relation(instance: Any) -> Bumps:
    from inzage.people.models import GuardianRelation

    student_id = GuardianRelation.objects.filter(pk=instance.relation_id).values_list("student_id", flat=True).first()
    return instance.school_id, [student_id] if student_id is not None else [], []


def _relation(instance: Any) -> Bumps:
    from inzage.people.models import Guardian

    # The account behind the guardian reaches one student more or less: its sibling list changes too.
    user_id = Guardian.objects.filter(pk=instance.guardian_id).values_list("user_id", flat=True).first()
    return instance.school_id, [instance.student_id], [user_id]


def _student_record(instance: Any) -> Bumps:
    from inzage.people.models import Guardian

    # The student's guardians list them on every child's page (the sibling switch): their accounts move too.
    guardians = list(Guardian.objects.filter(relations__student_id=instance.pk).values_list("user_id", flat=True))
    return (
        instance.school_id,
        [instance.pk],
        [instance.user_id, getattr(instance, "_versions_old_user_id", None), *guardians],
    )


def _guardian_record(instance: Any) -> Bumps:
    from inzage.people.models import GuardianRelation

    students = list(GuardianRelation.objects.filter(guardian_id=instance.pk).values_list("student_id", flat=True))
    return instance.school_id, students, [instance.user_id, getattr(instance, "_versions_old_user_id", None)]


def _staff_record(instance: Any) -> Bumps:
    return instance.school_id, [], [instance.user_id, getattr(instance, "_versions_old_user_id", None)]


def _staff_role(instance: Any) -> Bumps:
    from inzage.people.models import Staff

    user_id = Staff.objects.filter(pk=instance.staff_id).values_list("user_id", flat=True).first()
    return instance.school_id, [], [user_id]


def _account(instance: Any) -> Bumps:
    # The account itself (active, password, staff, name, school): the session's copy of it is checked against this.
    return instance.school_id, [], [instance.pk]


def _column(instance: Any) -> Bumps:
    from inzage.grades.models import Result
    from inzage.schools.models import TeachingGroup

    # Everyone with a result in the column and everyone in its group (one UPDATE in versions_bump, not a loop).
    members = TeachingGroup.students.through.objects.filter(teachinggroup_id=instance.teaching_group_id)
    students = set(members.values_list("student_id", flat=True))
    students.update(Result.objects.filter(column_id=instance.pk).values_list("student_id", flat=True))
    return instance.school_id, sorted(students), []


TRACKED: dict[str, Callable[[Any], Bumps]] = {
    # accounts: the signed-in account is served from the session's copy until its counter moves
    "accounts.User": _account,
    # schools: the calendar, the structure windows are scoped by, subject names
    "schools.School": _school_itself,
    "schools.SchoolYear": _school_wide,
    "schools.Period": _school_wide,
    "schools.CalendarRange": _school_wide,
    "schools.Level": _school_wide,
    "schools.YearGroup": _school_wide,
    "schools.SchoolClass": _school_wide,
    "schools.Subject": _school_wide,
    "schools.TeachingGroup": _school_wide,
    "schools.ClassMembership": _one_student,
    # people
    "people.Student": _student_record,
    "people.Guardian": _guardian_record,
    "people.GuardianRelation": _relation,
    "people.CourtRestriction": _by_relation,
    "people.Staff": _staff_record,
    "people.StaffRole": _staff_role,
    # grades
    "grades.Column": _column,
    "grades.Result": _one_student,
    "grades.ResultVersion": _result_version,
    "grades.GradeSettings": _school_wide,
    "grades.AssessmentKind": _school_wide,
    "grades.PeriodReportStudent": _one_student,
    # visibility
    "visibility.PolicyVersion": _school_wide,
    "visibility.Override": _one_student,
    "visibility.Consent": _one_student,
    "visibility.Share": _one_student,
    "visibility.InformationRequest": _by_relation,
}

# Rows whose account can be switched to another account: both the old and the new account's view changes.
_HAS_USER = ("people.Student", "people.Guardian", "people.Staff")


def _on_write(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata: fixtures are loaded before anything is cached
        return
    school_id, student_ids, user_ids = TRACKED[sender._meta.label](instance)
    versions_bump(school_id=school_id, student_ids=student_ids, user_ids=user_ids)


def _remember_old_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is not None and not kwargs.get("raw"):
        instance._versions_old_user_id = (
            sender._default_manager.filter(pk=instance.pk).values_list("user_id", flat=True).first()
        )


def _on_members(sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        school_id = getattr(instance, "school_id", None)
        versions_bump(school_id=school_id, student_ids=None)


def connect_signals() -> None:
    """Connect the bumps to every tracked model (called once from `VisibilityConfig.ready`)."""
    from django.apps import apps

    for label in TRACKED:
        model = apps.get_model(label)
        post_save.connect(_on_write, sender=model, dispatch_uid=f"versions-save-{label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"versions-delete-{label}")
    for label in _HAS_USER:
        pre_save.connect(_remember_old_user, sender=apps.get_model(label), dispatch_uid=f"versions-user-{label}")
    for through in tracked_throughs():
        m2m_changed.connect(_on_members, sender=through, dispatch_uid=f"versions-m2m-{through._meta.label}")


def tracked_throughs() -> list[Any]:
    """The many-to-many tables whose changes move the school's counter (group members, teachers, class mentors)."""
    from inzage.schools.models import SchoolClass, TeachingGroup

    return [TeachingGroup.students.through, TeachingGroup.teachers.through, SchoolClass.mentors.through]


def tracked_tables() -> set[str]:
    """The database tables whose writes move a counter (for the coverage test)."""
    from django.apps import apps

    tables = {apps.get_model(label)._meta.db_table for label in TRACKED}
    return tables | {through._meta.db_table for through in tracked_throughs()}
