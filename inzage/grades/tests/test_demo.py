import datetime as dt
import random
from collections import Counter

import pytest
from django.db.models import Count

from inzage.grades.demo import seed_demo_data
from inzage.grades.models import Column, ColumnVersion, Result, ResultVersion, TestingProgramme
from inzage.testing import factories as f
from inzage.testing.personas import PERIOD_DATES

TODAY = dt.date(2026, 3, 20)


def small_school(students_per_class: int = 12):
    school = f.SchoolFactory()
    year = f.SchoolYearFactory(school=school)
    for i, (start, end) in enumerate(PERIOD_DATES):
        f.PeriodFactory(school_year=year, number=i + 1, start=start, end=end)
    level = f.LevelFactory(school=school, code="havo", years=5)
    subjects = [f.SubjectFactory(school=school, code=code, name=code) for code in ("ne", "en", "wi", "lo")]
    for year_number in (1, 4):
        yg = f.YearGroupFactory(school_year=year, level=level, year=year_number)
        students = [f.StudentFactory(school=school) for _ in range(students_per_class)]
        for subject in subjects:
            group = f.TeachingGroupFactory(
                school_year=year, subject=subject, year_group=yg, name=f"h{year_number}-{subject.code}"
            )
            group.students.add(*students)
    return school


def snapshot(school) -> list[tuple]:
    return list(
        Result.objects.filter(school=school)
        .order_by("column__teaching_group__name", "column__code", "student__student_number")
        .values_list("column__code", "value", "judgement", "status", "text")
    )


@pytest.mark.django_db
def test_demo_grades_are_complete_and_only_up_to_today() -> None:
    school = small_school()
    seed_demo_data(school=school, rng=random.Random(7), today=TODAY)
    per_student = Result.objects.filter(school=school).values("student").annotate(n=Count("pk"))
    assert per_student and all(30 <= row["n"] <= 60 for row in per_student), list(per_student)
    columns = Column.objects.filter(school=school)
    assert not columns.filter(date__gt=TODAY).exists()
    assert columns.filter(resit_of__isnull=False).exists()
    assert columns.filter(result_type="text").exists() and columns.filter(result_type="judgement").exists()
    assert Counter(columns.values_list("release_mode", flat=True)).keys() >= {"now", "at", "held"}
    assert columns.filter(release_mode="at", release_at__date__gt=TODAY).exists()
    statuses = set(Result.objects.filter(school=school).values_list("status", flat=True))
    assert statuses >= {"normal", "not_made", "exempt", "not_counting"}
    assert Result.objects.filter(school=school).exclude(text="").exists()
    pta = TestingProgramme.objects.get(school=school, subject__code="wi")
    assert pta.kind == "pta" and pta.items.exists()
    assert columns.filter(programme_item__isnull=False, exam_weight__gt=0).exists()
    # Every row has its first version, as if entered through the actions.
    assert ResultVersion.objects.filter(school=school).count() == Result.objects.filter(school=school).count()
    assert ColumnVersion.objects.filter(school=school).count() == columns.count()


@pytest.mark.django_db
def test_demo_grades_are_deterministic_given_the_rng() -> None:
    first, second = small_school(4), small_school(4)
    seed_demo_data(school=first, rng=random.Random(3), today=TODAY)
    seed_demo_data(school=second, rng=random.Random(3), today=TODAY)
    assert snapshot(first) == snapshot(second)
    assert snapshot(first)
