"""The care demo extension: notes for the demo mentor's class, readable by `zorg`, the shared ones by `mentor`."""

import datetime as dt

import pytest
from django.urls import reverse

from inzage.accounts.models import User
from inzage.care.models import CareNote, CareNoteVersion
from inzage.demo.seed import demo_school_create

pytestmark = pytest.mark.django_db


def test_demo_notes_show_on_the_role_pages(client) -> None:
    demo_school_create(
        students=120,
        seed=7,
        year=2025,
        today=dt.date(2025, 11, 20),
        extensions=["inzage.care.demo"],
    )
    notes = list(CareNote.objects.order_by("pk"))
    assert len(notes) == 5
    assert CareNoteVersion.objects.count() == 6 and notes[0].version == 2
    client.force_login(User.objects.get(username="zorg"))
    assert notes[0].text[:30] in client.get(reverse("care:home")).content.decode()
    shared = next(n for n in notes if n.audience == "mentor")
    private = next(n for n in notes if n.audience == "care_staff")
    client.force_login(User.objects.get(username="mentor"))
    page = client.get(reverse("staff:student", args=[shared.student_id])).content.decode()
    assert shared.text[:30] in page
    page = client.get(reverse("staff:student", args=[private.student_id])).content.decode()
    assert private.text[:30] not in page
