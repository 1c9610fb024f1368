"""The 17:00 load test's probe recognises a grade on the real parent's page (loadtest/at_1700.py).

The probe once compared a literal `<td>subject</td><td>column</td>`; when the table gained `data-label` attributes for
phones it found nothing, and `make loadtest-1700` reported every answer after 17:00 as hiding the grade. These tests
render the real page, so a change of its markup fails here instead.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from inzage.visibility.tests.conftest import local, make_result

_spec = importlib.util.spec_from_file_location("at_1700", Path(__file__).parent.parent / "loadtest" / "at_1700.py")
assert _spec and _spec.loader
at_1700 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(at_1700)


def _page(client, personas) -> str:
    client.force_login(personas.user("parent"))
    response = client.get(reverse("portal:grades", args=[personas.student.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_probe_finds_a_visible_grade_on_the_parents_page(client, personas) -> None:
    shown = make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[0],
        release_at=local(2025, 9, 10),
        entered_at=local(2025, 9, 10),
        value="8.8",
    )
    body = _page(client, personas)
    subject = shown.column.subject.name
    assert at_1700.grade_row_shown(body, subject=subject, label=shown.column.name)
    assert not at_1700.grade_row_shown(body, subject=subject, label=shown.column.name + "x")


@pytest.mark.django_db
def test_the_probe_does_not_count_a_grade_still_to_come(client, personas) -> None:
    later = timezone.now() + dt.timedelta(days=2)
    pending = make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[0],
        release_at=later,
        entered_at=timezone.now() - dt.timedelta(days=1),
        value="6.1",
    )
    body = _page(client, personas)
    assert not at_1700.grade_row_shown(body, subject=pending.column.subject.name, label=pending.column.name)


def test_the_probe_matches_escaped_names_and_ignores_attributes() -> None:
    body = (
        '<tr>\n  <td data-label="Vak">M&amp;O</td><td data-label="Toets">Toets &lt;1&gt;</td><td class="grade">7,5</td>'
    )
    assert at_1700.grade_row_shown(body, subject="M&O", label="Toets <1>")
    assert not at_1700.grade_row_shown("<li>M&amp;O: Toets &lt;1&gt; — om 17:00</li>", subject="M&O", label="Toets <1>")
