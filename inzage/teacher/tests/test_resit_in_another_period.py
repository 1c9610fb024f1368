"""A resit filed under a later period: the column form says where it counts, and the group overview counts it there
(docs/grades.md, "Resit in another period": P1 6,7, P2 8,0, year 7,0)."""

from __future__ import annotations

from decimal import Decimal as D

from django.urls import reverse

from inzage.grades.actions import results_save
from inzage.grades.models import AssessmentKind, Column
from inzage.grades.parsing import ParsedCell
from inzage.teacher.queries import group_overview
from inzage.visibility.policy import viewer_for
from inzage.visibility.tests.conftest import local


def test_the_form_says_where_a_resit_counts_and_the_overview_counts_it_there(client, personas) -> None:
    client.force_login(personas.user("teacher"))
    url = reverse("teacher:column_new", args=[personas.group.pk])
    body = client.get(url).content.decode()
    assert "in de periode van de toets die ze vervangt en met de weging van die toets" in body
    assert 'aria-describedby="id_resit_of_helptext"' in body
    kind = AssessmentKind.objects.get(school=personas.school, code="toets")
    p1, p2 = personas.periods[0], personas.periods[1]

    def post(code, period, weight, date, **extra):
        data = {"name": code, "code": code, "date": date, "kind": kind.pk, "period": period.pk, "weight": weight,
                "exam_weight": "0", "result_type": "number", "resit_rule": "highest", "release_mode": "now", **extra}  # fmt: skip
        assert client.post(url, data).status_code == 302
        return Column.objects.get(teaching_group=personas.group, code=code)

    t1 = post("T1", p1, "2", "2025-10-01")
    quiz = post("Q1", p1, "1", "2025-10-02")
    resit = post("T1h", p2, "1", "2025-11-20", resit_of=t1.pk)  # filed under P2 on purpose
    t2 = post("T2", p2, "1", "2025-11-21")
    values = {t1: "4.0", quiz: "7.0", resit: "6.5", t2: "8.0"}
    cells = [(c, personas.student.pk, ParsedCell(value=D(v))) for c, v in values.items()]
    results_save(cells=cells, existing={}, by=None, at=local(2025, 11, 21, 9), reason="")

    overview = group_overview(viewer=viewer_for(personas.user("teacher")), group=personas.group, at=local(2026, 1, 5))
    row = next(r for r in overview.rows if r.student == personas.student)
    assert [c.text for c in row.period_averages[:2]] == ["6,7", "8,0"]
    assert row.year_average.text == "7,0"
