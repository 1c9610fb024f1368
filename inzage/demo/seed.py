"""Building the demo school: calendar, levels, classes, teaching groups, staff, students, families and accounts.

Deterministic for (seed, year): every random choice comes from one `random.Random(seed)` in a fixed order, and
nothing reads today's date (the caller passes `today` only on to the extensions). Fast: rows are built in memory
and written with `bulk_create` in batches; the demo password is hashed once and the hash reused for every account.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from inzage.accounts.actions import school_admin_group_ensure
from inzage.accounts.models import User
from inzage.demo import names
from inzage.demo.accounts import DEMO_PASSWORD
from inzage.demo.extensions import extensions_run
from inzage.demo.year_plan import YearPlan, year_plan
from inzage.people.models import CourtRestriction, Guardian, GuardianRelation, Staff, StaffRole, Student
from inzage.schools.models import (
    CalendarRange,
    ClassMembership,
    Level,
    Period,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingGroup,
    YearGroup,
)

DEMO_SCHOOL_NAME = "Inzage Demo College"
DEMO_BRIN = "99ZZ00"
MIN_STUDENTS = 100
CLASS_SIZE = 28
CLUSTER_SIZE = 28
GROUPS_PER_TEACHER = 8
BATCH = 2000

Custody = GuardianRelation.Custody

# (code, name, number of years, class-name prefix, last year taught in whole classes)
LEVELS = [
    ("vmbo-t", "vmbo-t (mavo)", 4, "T", 2),
    ("havo", "havo", 5, "H", 3),
    ("vwo", "vwo", 6, "V", 3),
]
# Relative size of a year group: upper years are a little smaller (students move down a level or leave).
YEAR_WEIGHTS = {1: 1.1, 2: 1.05, 3: 1.0, 4: 0.95, 5: 0.9, 6: 0.85}

SUBJECTS = [
    ("ne", "Nederlands"),
    ("en", "Engels"),
    ("fa", "Frans"),
    ("du", "Duits"),
    ("gs", "geschiedenis"),
    ("ak", "aardrijkskunde"),
    ("wi", "wiskunde"),
    ("bi", "biologie"),
    ("nask", "natuur- en scheikunde"),
    ("na", "natuurkunde"),
    ("sk", "scheikunde"),
    ("ec", "economie"),
    ("lo", "lichamelijke opvoeding"),
    ("kv", "kunstvakken"),
]
LOWER_SUBJECTS = {
    "vmbo-t": ["ne", "en", "du", "gs", "ak", "wi", "bi", "nask", "lo", "kv"],
    "havo": ["ne", "en", "fa", "du", "gs", "ak", "wi", "bi", "nask", "lo", "kv"],
    "vwo": ["ne", "en", "fa", "du", "gs", "ak", "wi", "bi", "nask", "lo", "kv"],
}
UPPER_CORE = {"vmbo-t": ["ne", "en", "lo"], "havo": ["ne", "en", "lo"], "vwo": ["ne", "en", "lo"]}
# Profiles (havo/vwo) and sectors (vmbo-t): the subjects that come with the choice.
UPPER_PROFILES = {
    "vmbo-t": [["wi", "nask", "bi", "ec"], ["ec", "gs", "ak", "du"], ["wi", "bi", "ec", "ak"]],
    "havo": [["gs", "ak", "fa"], ["ec", "gs", "wi"], ["bi", "sk", "wi"], ["na", "sk", "wi"]],
    "vwo": [["gs", "ak", "fa"], ["ec", "gs", "wi"], ["bi", "sk", "wi"], ["na", "sk", "wi"]],
}
ELECTIVES = ["du", "fa", "ec", "bi", "ak", "gs"]

STREETS = ["Dorpsstraat", "Kerkstraat", "Schoolstraat", "Molenweg", "Stationsweg", "Julianalaan", "Beatrixstraat",
           "Lindelaan", "Eikenlaan", "Prinsengracht", "Veldweg", "Parkweg", "Zuidsingel", "Noorderhaven"]  # fmt: skip
TOWNS = ["Utrecht", "Amersfoort", "Zeist", "Houten", "Nieuwegein", "De Bilt"]

# Family shapes and how often they occur.
TWO_PARENTS = "two_parents"
DIVORCED = "divorced"
SINGLE_PARENT = "single_parent"
WITHOUT_GEZAG = "with_parent_without_gezag"
STEPPARENT = "stepparent_carer"
FOSTER = "foster_with_guardian_institution"
FAMILY_SHAPES = [
    (TWO_PARENTS, 60),
    (DIVORCED, 18),
    (SINGLE_PARENT, 10),
    (WITHOUT_GEZAG, 6),
    (STEPPARENT, 4),
    (FOSTER, 2),
]
# The demo class (mentor's class) gets one family of each notable shape, in this order; its first student is
# `leerling`, whose divorced parents are `ouder` and `ouder2`. The fifth family carries the court restriction.
DEMO_CLASS_SHAPES = [DIVORCED, WITHOUT_GEZAG, FOSTER, STEPPARENT, DIVORCED]
# About one student in twelve has a brother or sister at the school (sharing guardians, each relation its own row).
SIBLING = "sibling"
SIBLING_SHARE = 0.08
COURT_RESTRICTED_KINDS = ["personal_data", "timetable", "attendance"]


@dataclass
class _Person:
    """A person before their rows exist; `user` is filled in when accounts are built."""

    first_name: str
    infix: str
    last_name: str
    username: str
    email: str = ""
    is_staff: bool = False
    user: User | None = None


@dataclass
class _ClassPlan:
    school_class: SchoolClass
    level_code: str
    year: int
    students: list[Student] = field(default_factory=list)


@dataclass
class SeedResult:
    school: School
    plan: YearPlan
    students: int
    guardians: int
    staff: int
    timings: list[tuple[str, float | None]]


def _spread(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), so the counts add up exactly."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [math.floor(x) for x in raw]
    for index in sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _insert_pairs(model: type[models.Model], columns: tuple[str, str], rows: Iterable[tuple[int, int]]) -> None:
    """INSERT many id pairs into a many-to-many table with executemany (the caller holds the transaction)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES (%s, %s)"
    with connection.cursor() as cursor:
        batch: list[tuple[int, int]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH * 5:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _letters(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: class letters for any number of parallel classes."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _chunks(items: list, n: int) -> list[list]:
    """Split into n nearly equal consecutive parts."""
    size, extra = divmod(len(items), n)
    parts, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        parts.append(items[start:end])
        start = end
    return parts


class _Builder:
    def __init__(self, *, students: int, seed: int, year: int, out: Callable[[str], None]) -> None:
        self.n_students = students
        self.seed = seed
        self.rng = random.Random(seed)
        self.plan = year_plan(year)
        self.out = out
        self.password_hash = make_password(DEMO_PASSWORD)
        self.persons: list[_Person] = []
        self.student_numbers = iter(range(100_001 + self.rng.randrange(0, 800_000, 1000), 10_000_000))
        self.guardian_seq = 0
        self.staff_codes: set[str] = set()

    # --- organisation -------------------------------------------------------------------------------------------

    def build_organisation(self) -> None:
        plan = self.plan
        self.school = School.objects.create(name=DEMO_SCHOOL_NAME, brin=DEMO_BRIN, region=School.Region.MIDDLE)
        school = self.school
        self.year = SchoolYear.objects.create(school=school, name=plan.name, start=plan.start, end=plan.end)
        Period.objects.bulk_create(
            Period(school=school, school_year=self.year, number=p.number, name=p.name, start=p.start, end=p.end)
            for p in plan.periods
        )
        CalendarRange.objects.bulk_create(
            CalendarRange(
                school=school, school_year=self.year, kind=r.kind, code=r.code, name=r.name, start=r.start, end=r.end
            )
            for r in plan.ranges
        )
        self.levels = {
            code: Level(school=school, code=code, name=name, years=years) for code, name, years, _p, _l in LEVELS
        }
        Level.objects.bulk_create(self.levels.values())
        self.subjects = {code: Subject(school=school, code=code, name=name) for code, name in SUBJECTS}
        Subject.objects.bulk_create(self.subjects.values())
        self.year_groups: dict[tuple[str, int], YearGroup] = {}
        for code, _name, years, _prefix, _last in LEVELS:
            for y in range(1, years + 1):
                self.year_groups[(code, y)] = YearGroup(
                    school=school, school_year=self.year, level=self.levels[code], year=y
                )
        YearGroup.objects.bulk_create(self.year_groups.values())

        keys = list(self.year_groups)
        counts = _spread(self.n_students, [YEAR_WEIGHTS[y] for _c, y in keys])
        self.year_group_sizes = dict(zip(keys, counts, strict=True))
        self.classes: list[_ClassPlan] = []
        prefixes = {code: prefix for code, _n, _y, prefix, _l in LEVELS}
        for (code, y), size in self.year_group_sizes.items():
            n_classes = max(1, round(size / CLASS_SIZE)) if size else 0
            for i in range(n_classes):
                name = f"{prefixes[code]}{y}{_letters(i)}"
                klas = SchoolClass(
                    school=school, school_year=self.year, year_group=self.year_groups[(code, y)], name=name
                )
                self.classes.append(_ClassPlan(klas, code, y))
        SchoolClass.objects.bulk_create([c.school_class for c in self.classes])
        # The demo class: the first class of havo 3 (mentor, leerling and docent live here).
        self.demo_class = next(c for c in self.classes if c.school_class.name == "H3A")

    # --- people -------------------------------------------------------------------------------------------------

    def _email(self, first: str, infix: str, last: str, domain: str) -> str:
        local = ".".join(part for part in (first, infix.replace(" ", "").replace("'", ""), last) if part)
        return f"{local.lower()}@{domain}".encode("ascii", "ignore").decode()

    def _person(self, first: str, infix: str, last: str, username: str, domain: str, is_staff: bool = False):
        person = _Person(first, infix, last, username, self._email(first, infix, last, domain), is_staff)
        self.persons.append(person)
        return person

    def _birth_date(self, year_in_school: int) -> dt.date:
        """A birth date fitting the year: in year 1 a student turns 12 between October and September."""
        start_year = self.plan.year - 12 - (year_in_school - 1)
        earliest = dt.date(start_year - 1, 10, 1)
        if self.rng.random() < 0.1:  # stayed down a year once
            earliest = dt.date(start_year - 2, 10, 1)
        return earliest + dt.timedelta(days=self.rng.randrange(365))

    def build_students(self) -> None:
        """Students in memory, class by class; written in `write`."""
        rng = self.rng
        self.students: list[Student] = []
        self.student_persons: list[_Person] = []
        for key, size in self.year_group_sizes.items():
            plans = [c for c in self.classes if (c.level_code, c.year) == key]
            for plan, seats in zip(plans, _chunks(list(range(size)), len(plans)), strict=True):
                for _seat in seats:
                    infix, last = names.family_name(rng)
                    first = names.child_first_name(rng)
                    number = str(next(self.student_numbers))
                    person = self._person(first, infix, last, f"l{number}", "leerling.demo-college.nl")
                    student = Student(
                        school=self.school,
                        student_number=number,
                        first_name=first,
                        infix=infix,
                        last_name=last,
                        date_of_birth=self._birth_date(plan.year),
                        start_date=dt.date(self.plan.year - plan.year + 1, 8, 20),
                    )
                    plan.students.append(student)
                    self.students.append(student)
                    self.student_persons.append(person)

        y = self.plan.year
        self.leerling = self.demo_class.students[0]
        if self.leerling.age_on(self.plan.end) >= 16:  # stayed down: give the demo persona a regular age
            self.leerling.date_of_birth = dt.date(y - 15, 11, 3)
        self.leerling16 = next(c for c in self.classes if c.level_code == "havo" and c.year == 4).students[0]
        self.leerling16.date_of_birth = dt.date(y - 16, 6, 15)  # 16 on the first day, 17 on the last
        self.leerling18 = next(c for c in self.classes if c.level_code == "vwo" and c.year == 6).students[0]
        self.leerling18.date_of_birth = dt.date(y - 18, 5, 10)  # 18 all year
        self.leerling18.start_date = dt.date(y - 5, 8, 20)
        self.student_person_of = dict(zip(map(id, self.students), self.student_persons, strict=True))
        self.student_person_of[id(self.leerling)].username = "leerling"
        self.student_person_of[id(self.leerling16)].username = "leerling16"
        self.student_person_of[id(self.leerling18)].username = "leerling18"

    def _guardian(self, first: str, infix: str, last: str, address: str, username: str | None = None) -> Guardian:
        self.guardian_seq += 1
        person = self._person(first, infix, last, username or f"o{self.guardian_seq:06d}", "example.nl")
        guardian = Guardian(
            school=self.school,
            first_name=first,
            infix=infix,
            last_name=last,
            email=person.email,
            phone=f"06-{self.rng.randrange(10_000_000, 99_999_999)}",
            address=address,
        )
        self.guardians.append(guardian)
        self.guardian_persons.append(person)
        return guardian

    def _address(self) -> str:
        rng = self.rng
        postcode = f"{rng.randrange(1000, 9999)} {chr(65 + rng.randrange(26))}{chr(65 + rng.randrange(26))}"
        return f"{rng.choice(STREETS)} {rng.randrange(1, 200)}\n{postcode} {rng.choice(TOWNS)}"

    def _relation(self, guardian: Guardian, student: Student, custody: str, **kwargs) -> GuardianRelation:
        relation = GuardianRelation(school=self.school, guardian=guardian, student=student, custody=custody, **kwargs)
        self.relations.append(relation)
        return relation

    def _family(self, student: Student, shape: str, usernames: tuple[str | None, str | None] = (None, None)):
        """Guardians and relations for one student; returns the relations made (first parent first)."""
        rng = self.rng
        infix, last = student.infix, student.last_name
        home = self._address()
        woman = rng.random() < 0.5
        made = []
        if shape == FOSTER:
            # A guardian institution (voogd) holds gezag through a contact person; a foster carer raises the child.
            institution = rng.choice(names.INSTITUTIONS)
            contact = names.adult_name(rng)
            voogd = self._guardian(
                contact.first_name, contact.infix, contact.last_name, f"{institution}\nPostbus 100\n3500 AA Utrecht"
            )
            carer_name = names.adult_name(rng)
            carer = self._guardian(carer_name.first_name, carer_name.infix, carer_name.last_name, home)
            since = dt.date(self.plan.year - rng.randrange(1, 6), 3, 1)
            made.append(
                self._relation(voogd, student, Custody.GUARDIAN_INSTITUTION, lives_with_student=False, start_date=since)
            )
            made.append(self._relation(carer, student, Custody.CARER, start_date=since))
            return made
        first = self._guardian(names.adult_first_name(rng, woman=woman), infix, last, home, usernames[0])
        made.append(self._relation(first, student, Custody.WITH_GEZAG))
        if shape == TWO_PARENTS:
            second = self._guardian(names.adult_first_name(rng, woman=not woman), infix, last, home, usernames[1])
            made.append(self._relation(second, student, Custody.WITH_GEZAG))
        elif shape == DIVORCED:
            other_infix, other_last = names.family_name(rng)
            second = self._guardian(
                names.adult_first_name(rng, woman=not woman), other_infix, other_last, self._address(), usernames[1]
            )
            made.append(self._relation(second, student, Custody.WITH_GEZAG, lives_with_student=False))
        elif shape == WITHOUT_GEZAG:
            other_infix, other_last = names.family_name(rng)
            second = self._guardian(
                names.adult_first_name(rng, woman=not woman), other_infix, other_last, self._address(), usernames[1]
            )
            made.append(
                self._relation(
                    second, student, Custody.WITHOUT_GEZAG, lives_with_student=False, preferred_channel="email"
                )
            )
        elif shape == STEPPARENT:
            step = names.adult_name(rng, woman=not woman)
            second = self._guardian(step.first_name, step.infix, step.last_name, home, usernames[1])
            since = dt.date(self.plan.year - rng.randrange(1, 8), rng.randrange(1, 13), 1)
            made.append(self._relation(second, student, Custody.CARER, start_date=since))
        elif shape != SINGLE_PARENT:
            raise ValueError(f"unknown family shape {shape!r}")
        return made

    def _join_family(self, student: Student, sibling: Student, relations: list[GuardianRelation]) -> None:
        """Make `student` a brother or sister of `sibling`: same family name, same guardians, custody per pair."""
        student.infix, student.last_name = sibling.infix, sibling.last_name
        person = self.student_person_of[id(student)]
        person.infix, person.last_name = sibling.infix, sibling.last_name
        person.email = self._email(person.first_name, person.infix, person.last_name, "leerling.demo-college.nl")
        for relation in relations:
            self._relation(relation.guardian, student, relation.custody, lives_with_student=relation.lives_with_student)

    def build_families(self) -> None:
        rng = self.rng
        self.guardians: list[Guardian] = []
        self.guardian_persons: list[_Person] = []
        self.relations: list[GuardianRelation] = []
        shapes = [s for s, _w in FAMILY_SHAPES]
        weights = [w for _s, w in FAMILY_SHAPES]
        forced = {id(s): shape for s, shape in zip(self.demo_class.students, DEMO_CLASS_SHAPES, strict=False)}
        forced[id(self.leerling18)] = TWO_PARENTS
        self.shapes_made: dict[str, int] = {}
        restricted: GuardianRelation | None = None  # the demo class's fifth family: a court order for parent two
        # Recent families with one or two parents living together, whom a later student may join as a sibling.
        joinable: list[tuple[Student, list[GuardianRelation]]] = []
        for student in self.students:
            if id(student) not in forced and joinable and rng.random() < SIBLING_SHARE:
                self._join_family(student, *joinable[rng.randrange(max(0, len(joinable) - 50), len(joinable))])
                self.shapes_made[SIBLING] = self.shapes_made.get(SIBLING, 0) + 1
                continue
            shape = forced.get(id(student)) or rng.choices(shapes, weights=weights)[0]
            self.shapes_made[shape] = self.shapes_made.get(shape, 0) + 1
            usernames: tuple[str | None, str | None] = (None, None)
            if student is self.leerling:
                usernames = ("ouder", "ouder2")
            elif student is self.demo_class.students[1]:
                usernames = (None, "ouder-zonder-gezag")
            made = self._family(student, shape, usernames)
            if shape in (TWO_PARENTS, SINGLE_PARENT) and id(student) not in forced:
                joinable.append((student, made))
            if len(self.demo_class.students) > 4 and student is self.demo_class.students[4]:
                restricted = made[1]
        self.court_restrictions: list[CourtRestriction] = []
        if restricted is not None:
            ordered = self.plan.start - dt.timedelta(days=200)
            self.court_restrictions.append(
                CourtRestriction(
                    school=self.school,
                    relation=restricted,
                    ordered_on=ordered,
                    effective_from=ordered + dt.timedelta(days=14),
                    kinds=COURT_RESTRICTED_KINDS,
                    reference=f"C/16/{ordered.year}/{self.rng.randrange(100000, 999999)}",
                    note="Geen verblijfplaats, rooster of aanwezigheid aan deze ouder verstrekken.",
                )
            )

    # --- staff, groups ------------------------------------------------------------------------------------------

    def _staff_code(self, first: str, last: str) -> str:
        base = (last[:2] + first[:1]).upper().encode("ascii", "ignore").decode() or "XXX"
        code, n = base, 1
        while code in self.staff_codes:
            n += 1
            code = f"{base}{n}"
        self.staff_codes.add(code)
        return code

    def _staff(self, roles: list[tuple[str, Level | None, int | None]], username: str | None = None) -> Staff:
        name = names.adult_name(self.rng)
        code = self._staff_code(name.first_name, name.last_name)
        person = self._person(
            name.first_name, name.infix, name.last_name, username or code.lower(), "demo-college.nl", is_staff=False
        )
        staff = Staff(
            school=self.school,
            first_name=name.first_name,
            infix=name.infix,
            last_name=name.last_name,
            code=code,
            email=person.email,
        )
        self.staff.append(staff)
        self.staff_persons.append(person)
        self.staff_roles.extend((staff, role, level, year) for role, level, year in roles)
        return staff

    def build_groups_and_staff(self) -> None:
        rng = self.rng
        self.staff: list[Staff] = []
        self.staff_persons: list[_Person] = []
        self.staff_roles: list[tuple[Staff, str, Level | None, int | None]] = []
        groups: list[tuple[TeachingGroup, list[Student], _ClassPlan | None]] = []
        lower_last = {code: last for code, _n, _y, _p, last in LEVELS}
        for (code, y), year_group in self.year_groups.items():
            plans = [c for c in self.classes if (c.level_code, c.year) == (code, y)]
            if y <= lower_last[code]:
                for plan in plans:
                    for subject_code in LOWER_SUBJECTS[code]:
                        group = TeachingGroup(
                            school=self.school,
                            school_year=self.year,
                            subject=self.subjects[subject_code],
                            year_group=year_group,
                            name=f"{plan.school_class.name.lower()}-{subject_code}",
                        )
                        groups.append((group, plan.students, plan))
                continue
            # Upper years: each student follows a profile; groups are clusters across the year group's classes.
            takers: dict[str, list[Student]] = {}
            for plan in plans:
                for student in plan.students:
                    profile = rng.choice(UPPER_PROFILES[code])
                    chosen = list(UPPER_CORE[code]) + profile
                    if code != "vmbo-t":
                        chosen.append(rng.choice([e for e in ELECTIVES if e not in chosen]))
                    for subject_code in chosen:
                        takers.setdefault(subject_code, []).append(student)
            prefix = next(p for c, _n, _y, p, _l in LEVELS if c == code).lower()
            for subject_code in [s for s, _n in SUBJECTS if s in takers]:
                members = takers[subject_code]
                parts = _chunks(members, max(1, math.ceil(len(members) / CLUSTER_SIZE)))
                for i, part in enumerate(parts, start=1):
                    group = TeachingGroup(
                        school=self.school,
                        school_year=self.year,
                        subject=self.subjects[subject_code],
                        year_group=year_group,
                        name=f"{prefix}{y}-{subject_code}{i}",
                    )
                    groups.append((group, part, None))

        # Teachers per subject, each teaching up to GROUPS_PER_TEACHER groups of that subject.
        by_subject: dict[str, list[tuple[TeachingGroup, list[Student], _ClassPlan | None]]] = {}
        for entry in groups:
            by_subject.setdefault(entry[0].subject.code, []).append(entry)
        teacher_of: dict[int, Staff] = {}
        class_teachers: dict[int, list[Staff]] = {}
        teachers: list[Staff] = []
        for entries in by_subject.values():
            subject_teachers = [
                self._staff([(StaffRole.Role.TEACHER, None, None)])
                for _ in range(math.ceil(len(entries) / GROUPS_PER_TEACHER))
            ]
            teachers.extend(subject_teachers)
            for i, (group, _students, group_class) in enumerate(entries):
                teacher = subject_teachers[i % len(subject_teachers)]
                teacher_of[id(group)] = teacher
                if group_class is not None:
                    class_teachers.setdefault(id(group_class), []).append(teacher)
        # `docent`: the maths teacher of the demo class.
        demo_maths = next(g for g, _s, p in groups if p is self.demo_class and g.subject.code == "wi")
        self.docent = teacher_of[id(demo_maths)]

        # Mentors: a teacher of the class where possible, one class each while teachers last.
        mentor_of: dict[int, Staff] = {}
        mentoring: set[int] = set()
        pool = list(teachers)
        rng.shuffle(pool)
        for plan in self.classes:
            candidates = [
                t for t in class_teachers.get(id(plan), []) if id(t) not in mentoring and t is not self.docent
            ]
            candidates += [t for t in pool if id(t) not in mentoring and t is not self.docent]
            mentor = candidates[0] if candidates else pool[len(mentor_of) % len(pool)]
            mentoring.add(id(mentor))
            mentor_of[id(plan)] = mentor
            self.staff_roles.append((mentor, StaffRole.Role.MENTOR, None, None))
        self.mentor = mentor_of[id(self.demo_class)]

        # Staff with other roles; the demo personas among them get their usernames.
        self.admin = self._staff([(StaffRole.Role.ADMINISTRATOR, None, None)], username="admin")
        self.zorg = self._staff([(StaffRole.Role.CARE_COORDINATOR, None, None)], username="zorg")
        self.verzuim = self._staff([(StaffRole.Role.ATTENDANCE_OFFICER, None, None)], username="verzuim")
        for y in range(1, 7):
            self._staff(
                [(StaffRole.Role.COORDINATOR, None, y), (StaffRole.Role.TEACHER, None, None)],
                username="coordinator" if y == 3 else None,
            )
        self.person_of_staff = dict(zip(map(id, self.staff), self.staff_persons, strict=True))
        self.person_of_staff[id(self.mentor)].username = "mentor"
        self.person_of_staff[id(self.docent)].username = "docent"
        self.person_of_staff[id(self.admin)].is_staff = True

        self.groups = groups
        self.teacher_of = teacher_of
        self.mentor_of = mentor_of

    # --- writing ------------------------------------------------------------------------------------------------

    def write(self) -> None:
        """Everything built in memory goes to the database in dependency order, accounts first (no updates after)."""
        users = [
            User(
                username=p.username,
                first_name=p.first_name,
                last_name=f"{p.infix} {p.last_name}".strip(),
                email=p.email,
                school=self.school,
                password=self.password_hash,
                is_staff=p.is_staff,
            )
            for p in self.persons
        ]
        User.objects.bulk_create(users, batch_size=BATCH)
        user_of = {id(p): u for p, u in zip(self.persons, users, strict=True)}
        rows: list[Student | Guardian | Staff] = [*self.students, *self.guardians, *self.staff]
        persons = [*self.student_persons, *self.guardian_persons, *self.staff_persons]
        for row, person in zip(rows, persons, strict=True):
            row.user = user_of[id(person)]
        user_of[id(self.person_of_staff[id(self.admin)])].groups.add(school_admin_group_ensure())

        Student.objects.bulk_create(self.students, batch_size=BATCH)
        ClassMembership.objects.bulk_create(
            (
                ClassMembership(school=self.school, school_year=self.year, school_class=plan.school_class, student=s)
                for plan in self.classes
                for s in plan.students
            ),
            batch_size=BATCH,
        )
        Guardian.objects.bulk_create(self.guardians, batch_size=BATCH)
        GuardianRelation.objects.bulk_create(self.relations, batch_size=BATCH)
        CourtRestriction.objects.bulk_create(self.court_restrictions)

        Staff.objects.bulk_create(self.staff, batch_size=BATCH)
        # A mentor holds the mentor role once, however many classes.
        unique_roles = {(id(s), role, level.pk if level else None, year): (s, role, level, year)
                        for s, role, level, year in self.staff_roles}  # fmt: skip
        StaffRole.objects.bulk_create(
            (
                StaffRole(school=self.school, staff=s, role=role, level=level, year=year)
                for s, role, level, year in unique_roles.values()
            ),
            batch_size=BATCH,
        )
        TeachingGroup.objects.bulk_create([g for g, _s, _p in self.groups], batch_size=BATCH)
        # The biggest table (about ten rows per student): plain rows, no model instances, to save a third of the time.
        _insert_pairs(
            TeachingGroup.students.through,
            ("teachinggroup_id", "student_id"),
            ((g.pk, s.pk) for g, members, _p in self.groups for s in members),
        )
        teacher_through = TeachingGroup.teachers.through
        teacher_through.objects.bulk_create(
            (teacher_through(teachinggroup_id=g.pk, staff_id=self.teacher_of[id(g)].pk) for g, _m, _p in self.groups),
            batch_size=BATCH * 5,
        )
        mentor_through = SchoolClass.mentors.through
        mentor_through.objects.bulk_create(
            mentor_through(schoolclass_id=plan.school_class.pk, staff_id=self.mentor_of[id(plan)].pk)
            for plan in self.classes
        )


def demo_school_create(
    *,
    students: int,
    seed: int,
    year: int,
    today: dt.date,
    out: Callable[[str], None] = lambda line: None,
    extensions: list[str] | None = None,
) -> SeedResult:
    """Build the demo school and run the demo extensions. Caller has checked the database holds no demo school."""
    if students < MIN_STUDENTS:
        raise ValueError(f"the demo school needs at least {MIN_STUDENTS} students")
    builder = _Builder(students=students, seed=seed, year=year, out=out)
    timings: list[tuple[str, float | None]] = []
    # One transaction: a half-built demo school is worse than none, and SQLite writes far faster in one.
    with transaction.atomic():
        for label, step in (
            ("organisatie en kalender", builder.build_organisation),
            ("leerlingen", builder.build_students),
            ("gezinnen", builder.build_families),
            ("lesgroepen en personeel", builder.build_groups_and_staff),
            ("wegschrijven (accounts, personen, groepen)", builder.write),
        ):
            started = time.perf_counter()
            step()
            seconds = time.perf_counter() - started
            out(f"  {label}: {seconds:.1f} s")
            timings.append((label, seconds))
        timings += extensions_run(school=builder.school, seed=seed, today=today, out=out, names=extensions)
        # The seed writes with bulk_create (no signals): one school-wide bump drops any cached page of the school.
        from inzage.visibility.versions import versions_bump

        versions_bump(school_id=builder.school.pk)
    return SeedResult(
        school=builder.school,
        plan=builder.plan,
        students=len(builder.students),
        guardians=len(builder.guardians),
        staff=len(builder.staff),
        timings=timings,
    )
