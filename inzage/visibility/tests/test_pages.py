"""Explain, policy and timeline pages with every persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inzage.testing import factories as f
from inzage.testing.personas import Personas
from inzage.visibility.models import PolicyVersion
from inzage.visibility.policy.document import DEFAULT_POLICY, dump_policy, state_missing_sections
from inzage.visibility.tests.conftest import local, make_result, set_policy

FULL = dump_policy(DEFAULT_POLICY)  # the default policy, every section stated

EXPLAIN_ACCESS = {"mentor": 200, "admin": 200}
POLICY_ACCESS = {"admin": 200}
TIMELINE_ACCESS = {"mentor": 200, "teacher": 200, "other_teacher": 200, "admin": 200}


@pytest.mark.parametrize("persona", Personas.PERSONA_NAMES)
def test_explain_page_access(client, personas, persona) -> None:
    client.force_login(personas.user(persona))
    response = client.get(reverse("visibility:explain"), {"student": personas.student.student_number})
    assert response.status_code == EXPLAIN_ACCESS.get(persona, 404)


def test_explain_page_answers_for_a_parent_at_a_date(client, personas) -> None:
    set_policy(personas.school, 'format = 1\n[publication]\ntimes = ["17:00"]\n')
    make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[0],
        release_at=local(2025, 11, 14, 18),
        entered_at=local(2025, 11, 14, 18),
        value="3.3",
    )
    client.force_login(personas.user("mentor"))
    body = client.get(
        reverse("visibility:explain"),
        {
            "student": personas.student.student_number,
            "viewer": personas.user("parent").username,
            "at": "2025-11-15T10:00",
        },
    ).content.decode()
    assert "Zichtbaar vanaf 17-11-2025 17:00 (vast publicatiemoment)." in body
    assert "3,3" not in body and "3.3" not in body  # explains, never shows a value
    assert "17-11-2025 17:00: cijfers" in body  # the upcoming transition, named for people


def test_explain_page_refuses_another_schools_viewer(client, personas) -> None:
    stranger = f.UserFactory()
    client.force_login(personas.user("admin"))
    response = client.get(
        reverse("visibility:explain"), {"student": personas.student.student_number, "viewer": stranger.username}
    )
    assert response.status_code == 200
    assert response.context.get("rows") is None


@pytest.mark.parametrize("persona", Personas.PERSONA_NAMES)
def test_policy_page_access(client, personas, persona) -> None:
    client.force_login(personas.user(persona))
    assert client.get(reverse("visibility:policy_toml")).status_code == POLICY_ACCESS.get(persona, 404)
    response = client.post(reverse("visibility:policy_toml"), {"text": FULL, "action": "preview"})
    assert response.status_code == POLICY_ACCESS.get(persona, 404)
    assert not PolicyVersion.objects.exists()


def test_policy_preview_shows_what_changes_for_whom(client, personas) -> None:
    make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[0],
        release_at=local(2025, 9, 10),
        entered_at=local(2025, 9, 10),
    )
    client.force_login(personas.user("admin"))
    body = client.post(
        reverse("visibility:policy_toml"),
        {
            "text": state_missing_sections('format = 1\n[base]\nguardians = ["attendance"]\n'),
            "action": "preview",
            "at": "2025-11-01T12:00",
        },
    ).content.decode()
    assert "− grades wi" in body  # the parent loses the grade
    assert not PolicyVersion.objects.exists()  # a preview stores nothing


def test_policy_errors_are_reported_and_nothing_is_stored(client, personas) -> None:
    client.force_login(personas.user("admin"))
    body = client.post(
        reverse("visibility:policy_toml"),
        {
            "text": 'format = 1\n[[windows]]\naudience = "guardians"\neffect = "close"\nkinds = ["grades"]\n'
            'start = 2025-02-01\nend = "2025-02-30"\n',
            "action": "activate",
        },
    ).content.decode()
    assert "windows[0].end: &quot;2025-02-30&quot; is not a date" in body
    assert not PolicyVersion.objects.exists()


def preview_token(client, text: str) -> str:
    """Preview a text on the page; the signed token its activation needs."""
    response = client.post(reverse("visibility:policy_toml"), {"text": text, "action": "preview"})
    assert response.status_code == 200 and response.context.get("previewed"), response.context.get("errors")
    return response.context["previewed"]


def test_activating_versions_keeps_history(client, personas) -> None:
    client.force_login(personas.user("admin"))
    closing = FULL.replace("school_days = 0", "school_days = 2")  # student-first: guardians see less, no confirm
    token = preview_token(client, closing)
    client.post(
        reverse("visibility:policy_toml"), {"text": closing, "action": "activate", "note": "eerste", "previewed": token}
    )
    client.post(
        reverse("visibility:policy_toml"),
        {"text": state_missing_sections("[base]\nguardians = []\n"), "action": "save"},
    )
    versions = list(PolicyVersion.objects.order_by("number"))
    assert [(v.number, v.activated_at is not None, v.created_by) for v in versions] == [
        (1, True, personas.user("admin")),
        (2, False, personas.user("admin")),
    ]
    body = client.get(reverse("visibility:policy_toml"), {"version": 2}).content.decode()
    assert "Wat verandert er op" in body


@pytest.mark.parametrize("persona", Personas.PERSONA_NAMES)
def test_timeline_page_access(client, personas, persona) -> None:
    client.force_login(personas.user(persona))
    assert client.get(reverse("visibility:timeline")).status_code == TIMELINE_ACCESS.get(persona, 404)


def test_the_timeline_comes_from_the_engine(client, personas) -> None:
    f.CalendarRangeFactory(
        school_year=personas.year,
        code="toetsweek-2",
        kind="test_week",
        start=dt.date(2026, 1, 19),
        end=dt.date(2026, 1, 23),
        name="Toetsweek 2",
    )
    set_policy(
        personas.school,
        'format = 1\n[[windows]]\nlabel = "toetsweek 2"\naudience = "students"\n'
        'effect = "close"\nkinds = ["grades"]\nrange = "toetsweek-2"\n',
    )
    client.force_login(personas.user("admin"))
    response = client.get(reverse("visibility:timeline"), {"jaar": personas.year.pk})
    weeks = {w.monday: w for w in response.context["weeks"]}
    columns = response.context["columns"]
    grades_for_students = columns.index(("students", "grades"))
    attendance_for_students = columns.index(("students", "attendance"))
    assert weeks[dt.date(2026, 1, 19)].cells[grades_for_students].state == "closed"
    assert weeks[dt.date(2026, 1, 19)].cells[attendance_for_students].state == "open"
    assert weeks[dt.date(2026, 1, 26)].cells[grades_for_students].state == "open"
    assert "dicht" in response.content.decode()


OVERRIDE_ACCESS = {"mentor": 200}


@pytest.mark.parametrize("persona", Personas.PERSONA_NAMES)
def test_override_page_access(client, personas, persona) -> None:
    client.force_login(personas.user(persona))
    url = reverse("visibility:overrides", args=[personas.student.pk])
    assert client.get(url).status_code == OVERRIDE_ACCESS.get(persona, 404)
    response = client.post(
        url,
        {
            "effect": "open",
            "kinds": ["grades"],
            "starts_on": "2025-12-01",
            "reason": "Zorgen",
            "guardian": personas.parent.pk,
        },
    )
    assert response.status_code == (302 if persona == "mentor" else 404)


def test_the_mentor_sets_and_ends_an_override(client, personas) -> None:
    from inzage.visibility.models import Override

    client.force_login(personas.user("mentor"))
    url = reverse("visibility:overrides", args=[personas.student.pk])
    client.post(
        url,
        {
            "effect": "close",
            "kinds": ["grades", "averages"],
            "starts_on": "2025-12-01",
            "until": "2025-12-19",
            "reason": "Afspraak met leerling",
            "guardian": "",
        },
    )
    override = Override.objects.get()
    assert (override.guardian, sorted(override.kinds), override.created_by) == (
        None,
        ["averages", "grades"],
        personas.user("mentor"),
    )
    body = client.post(
        url, {"effect": "open", "kinds": ["grades"], "starts_on": "2025-12-01", "reason": " "}
    ).content.decode()
    assert "Geef een reden: de leerling ziet hem bij de afspraak." in body
    client.post(url, {"revoke": override.pk})
    override.refresh_from_db()
    assert override.revoked_at is not None and override.revoked_by == personas.user("mentor")


def test_an_empty_or_incomplete_policy_is_refused_on_the_page(client, personas) -> None:
    client.force_login(personas.user("admin"))
    for text, message in [
        ("", "Het beleid is leeg"),
        ("# alleen commentaar\n", "Het beleid is leeg"),
        ("format = 1\n", "base: sectie ontbreekt"),
        ('[publication]\ntimes = ["17:00"]\n', "format: ontbreekt"),
    ]:
        for action in ("activate", "save", "preview"):
            body = client.post(reverse("visibility:policy_toml"), {"text": text, "action": action}).content.decode()
            assert message in body, (text, action)
    assert not PolicyVersion.objects.exists()


def test_the_page_names_unknown_classes_levels_and_ranges(client, personas) -> None:
    client.force_login(personas.user("admin"))
    window = 'audience = "guardians"\neffect = "close"\nkinds = ["grades"]\n'
    text = state_missing_sections(
        f'format = 1\n[[windows]]\n{window}range = "toetsweek-9"\nclasses = ["ZZZ9"]\n'
        f'[[windows]]\n{window}start = 2026-01-19\nend = 2026-01-23\nlevels = ["vwoo"]\nyears = [6]\n'
    )
    body = client.post(reverse("visibility:policy_toml"), {"text": text, "action": "preview"}).content.decode()
    assert "windows[0].range: &quot;toetsweek-9&quot; is geen kalenderperiode van deze school" in body
    assert "windows[0].classes: onbekende klas &quot;ZZZ9&quot;" in body
    assert "windows[1].levels: onbekend niveau &quot;vwoo&quot;" in body
    assert "windows[1].years: leerjaar 6 bestaat niet" in body
    assert "ZZZ9" in body and "Wat verandert er op" not in body  # the typed text is kept, no preview
    assert not PolicyVersion.objects.exists()


def test_only_the_previewed_text_can_be_activated(client, personas) -> None:
    client.force_login(personas.user("admin"))
    closing = FULL.replace("school_days = 0", "school_days = 2")
    url = reverse("visibility:policy_toml")
    # no preview at all
    body = client.post(url, {"text": closing, "action": "activate"}).content.decode()
    assert "niet (of niet zo) bekeken" in body
    # a preview of another text (edited after previewing), or a forged token
    token = preview_token(client, FULL.replace("school_days = 0", "school_days = 3"))
    for forged in (token, token[:-2] + "xx", "x"):
        body = client.post(url, {"text": closing, "action": "activate", "previewed": forged}).content.decode()
        assert "niet (of niet zo) bekeken" in body
    assert not PolicyVersion.objects.exists()
    # the refusal shows the preview of what was sent, so activating it now is a deliberate second step
    response = client.post(url, {"text": closing, "action": "activate", "previewed": preview_token(client, closing)})
    assert response.status_code == 302
    assert PolicyVersion.objects.get().text == closing


def test_an_opening_activation_states_who_gains_and_needs_confirmation(client, personas) -> None:
    set_policy(personas.school, "format = 1\n[base]\nguardians = []\n")
    client.force_login(personas.user("admin"))
    url = reverse("visibility:policy_toml")
    response = client.post(url, {"text": FULL, "action": "preview"})
    body = response.content.decode()
    # counted over the whole school: both parents with custody gain grades; the one without custody does not
    assert "Geteld over alle 2 leerlingen en 3 ouders/verzorgers van de school" in body
    assert "2 ouders/verzorgers en 0 leerlingen gaan cijfers (eerder of vaker) zien" in body
    assert 'name="confirm"' in body and "Ik begrijp dat" in body
    token = response.context["previewed"]
    body = client.post(url, {"text": FULL, "action": "activate", "previewed": token}).content.decode()
    assert "Vink aan dat u begrijpt" in body
    assert PolicyVersion.objects.count() == 1
    response = client.post(url, {"text": FULL, "action": "activate", "previewed": token, "confirm": "1"})
    assert response.status_code == 302
    assert PolicyVersion.objects.filter(activated_at__isnull=False).count() == 2


def test_an_unchanged_policy_is_refused(client, personas) -> None:
    client.force_login(personas.user("admin"))
    url = reverse("visibility:policy_toml")
    response = client.post(url, {"text": FULL, "action": "preview"})
    assert "activeren verandert niets" in response.content.decode()
    body = client.post(
        url, {"text": FULL, "action": "activate", "previewed": response.context["previewed"], "confirm": "1"}
    ).content.decode()
    assert "gelijk aan het beleid dat nu geldt" in body
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize("at", ["9999-12-31T23:59", "0001-01-01T00:00", "gisteren"])
def test_explain_page_reports_a_bad_instant_next_to_the_field(client, personas, at) -> None:
    client.force_login(personas.user("mentor"))
    response = client.get(
        reverse("visibility:explain"),
        {"student": personas.student.student_number, "viewer": personas.user("parent").username, "at": at},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="f-at-error"' in body and f'value="{at}"' in body
    assert response.context.get("rows") is None  # not silently replaced by "now"


@pytest.mark.parametrize("at", ["9999-12-31T23:59", "0001-01-01T00:00", "nooit"])
def test_policy_preview_reports_a_bad_instant_next_to_the_field(client, personas, at) -> None:
    client.force_login(personas.user("admin"))
    response = client.post(reverse("visibility:policy_toml"), {"text": FULL, "action": "preview", "at": at})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="f-at-error"' in body and f'value="{at}"' in body
    assert response.context.get("preview") is None


def test_portal_students_follows_the_engine_on_relation_dates(personas, django_assert_num_queries) -> None:
    """The picker and sibling switch list exactly the children the engine treats the parent as guardian of."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from inzage.testing import factories as f
    from inzage.visibility.policy import context_for, viewer_for
    from inzage.visibility.queries import portal_students

    ended = f.StudentFactory(school=personas.school, first_name="Ended")
    future = f.StudentFactory(school=personas.school, first_name="Future")
    elsewhere = f.StudentFactory(first_name="Elsewhere")  # another school
    f.GuardianRelationFactory(student=ended, guardian=personas.parent, end_date=dt.date(2025, 12, 31))
    f.GuardianRelationFactory(student=future, guardian=personas.parent, start_date=dt.date(2026, 2, 1))
    f.GuardianRelationFactory(student=elsewhere, guardian=personas.parent, school=personas.school)
    for at in (
        dt.datetime(2025, 12, 31, 23, 30, tzinfo=ZoneInfo("Europe/Amsterdam")),  # still the 31st at school
        dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC),  # already 1 January at school
        dt.datetime(2026, 2, 1, 0, 0, tzinfo=ZoneInfo("Europe/Amsterdam")),
    ):
        viewer = viewer_for(personas.user("parent"))
        with django_assert_num_queries(1):
            listed = {s.pk for s in portal_students(viewer=viewer, at=at)}
        engine = {
            sid
            for sid in (personas.student.pk, ended.pk, future.pk, elsewhere.pk)
            if context_for(viewer=viewer, student_id=sid, at=at).audience == "guardian"
        }
        assert listed == engine
        assert personas.student.pk in listed and elsewhere.pk not in listed


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"starts_on": "2025-12-19", "until": "2025-12-01"}, "until", "De einddatum ligt vóór de begindatum."),
        ({"starts_on": "19-12-2025"}, "starts_on", "Vul een geldige begindatum in."),
        ({"starts_on": "9999-12-31"}, "starts_on", "Vul een geldige begindatum in."),
        ({"until": "morgen"}, "until", "Vul een geldige einddatum in, of laat het veld leeg."),
        ({"kinds": []}, "kinds", "Kies ten minste één soort gegevens."),
        ({"guardian": "999999"}, "guardian", "Kies een ouder of verzorger van deze leerling."),
        ({"effect": "half"}, "effect", "Kies open of dicht."),
    ],
)
def test_a_bad_override_is_refused_next_to_its_field_keeping_what_was_typed(
    client, personas, posted, field, message
) -> None:
    from inzage.visibility.models import Override

    client.force_login(personas.user("mentor"))
    url = reverse("visibility:overrides", args=[personas.student.pk])
    data = {"effect": "close", "kinds": ["grades", "averages"], "starts_on": "2025-12-01", "until": "",
            "reason": "Afspraak met de leerling", "guardian": personas.parent.pk, **posted}  # fmt: skip
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 422
    assert message in body
    assert 'aria-invalid="true"' in body or "aria-describedby=" in body
    assert "Afspraak met de leerling" in body  # the reason is kept
    if posted.get("kinds") is None:
        assert 'value="grades" checked' in body and 'value="averages" checked' in body  # ticked boxes kept
    assert not Override.objects.exists()
