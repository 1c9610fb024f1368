import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from inzage.grades.actions import column_create
from inzage.grades.models import AssessmentKind, Column

AT = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))


@pytest.fixture
def kind(personas) -> AssessmentKind:
    return AssessmentKind.objects.create(school=personas.school, code="toets", name="toets")


@pytest.fixture
def column(personas, kind) -> Column:
    return column_create(
        group=personas.group,
        kind=kind,
        period=personas.periods[0],
        name="Hoofdstuk 1",
        code="H1",
        date=dt.date(2025, 9, 30),
        weight=Decimal("2"),
        by=personas.user("teacher"),
        at=AT,
    )
