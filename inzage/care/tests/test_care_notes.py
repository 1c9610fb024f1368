"""Care notes: who writes and reads them (engine kind, then the note's audience), versions, bad input, personas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inzage.care import actions
from inzage.care.models import CareNote, CareNoteVersion
from inzage.care.tests.conftest import ALL_PERSONAS
from inzage.grades.models import HistoryIsAppendOnly

pytestmark = pytest.mark.django_db


def note(personas, roles, text: str, audience: str = CareNote.Audience.CARE_STAFF, student=None) -> CareNote:
    return actions.care_note_create(
        student=student or personas.student,
        written_on=dt.date(2025, 10, 1),
        text=text,
        audience=audience,
        by=roles.care_coordinator.user,
        at=timezone.now(),
    )


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_care_pages_only_for_the_care_coordinator(client, personas, roles, user_of, name) -> None:
    n = note(personas, roles, "gesprek gehad")
    client.force_login(user_of(name))
    expected = 200 if name == "care_coordinator" else 404
    for link in (
        reverse("care:home"),
        reverse("care:student", args=[personas.student.pk]),
        reverse("care:note", args=[n.pk]),
    ):
        assert client.get(link).status_code == expected, link
    response = client.post(
        reverse("care:student", args=[personas.student.pk]),
        {"written_on": "2025-10-02", "text": "x", "audience": "care_staff"},
    )
    assert response.status_code in ((302,) if name == "care_coordinator" else (404,))


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_who_reads_which_note_in_the_overview(client, personas, roles, user_of, name) -> None:
    note(personas, roles, "alleen-zorg-tekst")
    note(personas, roles, "mentor-mag-dit-lezen", CareNote.Audience.MENTOR)
    client.force_login(user_of(name))
    response = client.get(reverse("staff:student", args=[personas.student.pk]))
    page = response.content.decode() if response.status_code == 200 else ""
    assert ("alleen-zorg-tekst" in page) == (name == "care_coordinator"), name
    assert ("mentor-mag-dit-lezen" in page) == (name in ("care_coordinator", "mentor")), name


def test_write_and_correct_keeps_every_version(client, personas, roles, user_of) -> None:
    client.force_login(user_of("care_coordinator"))
    response = client.post(
        reverse("care:student", args=[personas.student.pk]),
        {"written_on": "2025-10-02", "text": "eerste tekst", "audience": "care_staff"},
    )
    assert response.status_code == 302
    n = CareNote.objects.get()
    assert (n.text, n.version, n.author_id) == ("eerste tekst", 1, roles.care_coordinator.user_id)
    response = client.post(
        reverse("care:note", args=[n.pk]),
        {"written_on": "2025-10-02", "text": "verbeterde tekst", "audience": "mentor", "reason": "typfout"},
    )
    assert response.status_code == 302
    versions = list(CareNoteVersion.objects.filter(note=n).order_by("version").values_list("version", "text", "reason"))
    assert versions == [(1, "eerste tekst", ""), (2, "verbeterde tekst", "typfout")]
    n.refresh_from_db()
    assert (n.text, n.audience, n.version) == ("verbeterde tekst", "mentor", 2)
    page = client.get(reverse("care:note", args=[n.pk])).content.decode()
    assert "eerste tekst" in page and "typfout" in page


def test_notes_and_versions_are_never_deleted(personas, roles) -> None:
    n = note(personas, roles, "blijft")
    with pytest.raises(HistoryIsAppendOnly):
        n.delete()
    with pytest.raises(HistoryIsAppendOnly):
        CareNote.objects.all().delete()
    with pytest.raises(HistoryIsAppendOnly):
        CareNoteVersion.objects.all().delete()
    with pytest.raises(HistoryIsAppendOnly):
        CareNoteVersion.objects.get().save()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"written_on": "", "text": "iets", "audience": "care_staff"}, "written_on", "Vul een datum in."),
        ({"written_on": "31-02-2025", "text": "iets", "audience": "care_staff"}, "written_on", "geldige datum"),
        ({"written_on": "2999-01-01", "text": "iets", "audience": "care_staff"}, "written_on", "niet in de toekomst"),
        ({"written_on": "2025-10-02", "text": "   ", "audience": "care_staff"}, "text", "Schrijf een notitie."),
        ({"written_on": "2025-10-02", "text": "iets", "audience": "ouders"}, "audience", "Kies een van de opties."),
        ({"written_on": "2025-10-02", "text": "a" * 5001, "audience": "mentor"}, "text", "hoogstens 5000 tekens"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_keeps_what_was_typed(client, personas, user_of, data, field, message):
    client.force_login(user_of("care_coordinator"))
    response = client.post(reverse("care:student", args=[personas.student.pk]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}_error"' in page or f"id_{field}" in page
    if data["text"].strip():
        assert data["text"][:50] in page
    assert not CareNote.objects.exists()


def test_correction_needs_a_reason(client, personas, roles, user_of) -> None:
    n = note(personas, roles, "oud")
    client.force_login(user_of("care_coordinator"))
    response = client.post(
        reverse("care:note", args=[n.pk]), {"written_on": "2025-10-02", "text": "nieuw", "audience": "mentor"}
    )
    assert response.status_code == 422
    assert "Geef een reden voor de correctie." in response.content.decode()
    assert "nieuw" in response.content.decode()
    n.refresh_from_db()
    assert (n.text, n.version) == ("oud", 1)


def test_unknown_and_foreign_notes_are_not_found(client, personas, roles, user_of) -> None:
    from inzage.testing.personas import add_role_personas, build_personas

    other = build_personas()
    other_roles = add_role_personas(other)
    foreign = actions.care_note_create(
        student=other.student,
        written_on=dt.date(2025, 10, 1),
        text="andere school",
        audience="care_staff",
        by=other_roles.care_coordinator.user,
        at=timezone.now(),
    )
    client.force_login(user_of("care_coordinator"))
    assert client.get(reverse("care:note", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("care:note", args=[10**9])).status_code == 404
    assert client.get(reverse("care:student", args=[other.student.pk])).status_code == 404


def test_home_lists_my_recent_notes_and_finds_students(client, personas, roles, user_of) -> None:
    note(personas, roles, "notitie over Lotte")
    client.force_login(user_of("care_coordinator"))
    page = client.get(reverse("care:home"), {"q": "Milan"}).content.decode()
    assert "notitie over Lotte" in page
    assert reverse("care:student", args=[personas.other_student.pk]) in page


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    written_on=st.text(max_size=20),
    text=st.text(max_size=60),
    audience=st.text(max_size=12),
    reason=st.text(max_size=20),
)
def test_generated_input_never_fails_the_server(client, personas, roles, user_of, written_on, text, audience, reason):
    client.force_login(user_of("care_coordinator"))
    n = CareNote.objects.filter(text="basis").first() or note(personas, roles, "basis")
    before = CareNoteVersion.objects.count()
    data = {"written_on": written_on, "text": text, "audience": audience, "reason": reason}
    for link in (reverse("care:student", args=[personas.student.pk]), reverse("care:note", args=[n.pk])):
        response = client.post(link, data)
        assert response.status_code in (302, 422)
        if response.status_code == 422:
            assert CareNoteVersion.objects.count() == before
        before = CareNoteVersion.objects.count()


def test_the_database_refuses_to_change_a_version(personas, roles) -> None:
    from django.db import DatabaseError, connection, transaction

    note(personas, roles, "vast")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE care_carenoteversion SET text = 'anders'")
    assert CareNoteVersion.objects.get().text == "vast"
