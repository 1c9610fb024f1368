"""Reads about the demo school: who the demo accounts are."""

from __future__ import annotations

from dataclasses import dataclass

from inzage.accounts.models import User
from inzage.demo.accounts import DEMO_ACCOUNTS
from inzage.people.models import GuardianRelation
from inzage.schools.models import ClassMembership


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    who: str


def _describe(user: User) -> str:
    student = getattr(user, "student", None)
    if student is not None:
        membership = (
            ClassMembership.objects.filter(student=student)
            .select_related("school_class")
            .order_by("-school_year__start")
            .first()
        )
        klas = f", klas {membership.school_class}" if membership else ""
        return f"{student.full_name}{klas}, geboren {student.date_of_birth:%d-%m-%Y}"
    guardian = getattr(user, "guardian", None)
    if guardian is not None:
        relations = GuardianRelation.objects.filter(guardian=guardian).select_related("student")
        of = "; ".join(f"{r.get_custody_display()} van {r.student.full_name}" for r in relations)
        return f"{guardian.full_name} ({of})"
    staff = getattr(user, "staff", None)
    if staff is not None:
        classes = ", ".join(c.name for c in staff.mentor_classes.all())
        groups = ", ".join(g.name for g in staff.teaching_groups.all()[:4])
        parts = [staff.full_name]
        if classes:
            parts.append(f"mentor van {classes}")
        if groups:
            parts.append(f"lesgroepen {groups}")
        return ", ".join(parts)
    return user.get_full_name()


def demo_accounts_list() -> list[DemoAccount]:
    """The demo accounts that exist, in the documented order, with who each one is (a handful of small queries)."""
    users = {u.username: u for u in User.objects.filter(username__in=[name for name, _r in DEMO_ACCOUNTS])}
    return [
        DemoAccount(username=name, role=str(role), who=_describe(users[name]))
        for name, role in DEMO_ACCOUNTS
        if name in users
    ]
