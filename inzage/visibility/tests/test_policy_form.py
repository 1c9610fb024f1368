"""The policy as a form: access per persona, round trip with the TOML, Dutch errors next to the field, rows added and
removed without JavaScript, and the same preview and activation rules as the TOML view."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import reverse

from inzage.testing import factories as f
from inzage.testing.personas import Personas
from inzage.visibility.models import PolicyVersion
from inzage.visibility.policy.document import DEFAULT_POLICY, PolicySpec, Window, dump_policy, parse_policy
from inzage.visibility.policy.facts import active_policy
from inzage.visibility.policy_form import PolicyForm, form_read, form_values
from inzage.visibility.tests.conftest import set_policy

URL = "visibility:policy"


def post_data(form: PolicyForm, **changes: Any) -> dict[str, Any]:
    """The fields a browser posts for this form (checkboxes only when ticked), with `changes` on top."""
    data: dict[str, Any] = {}
    for key, value in form.values.items():
        if value is True:
            data[key] = "1"
        elif value is not False:
            data[key] = value
    data["rows"] = str(len(form.rows))
    for i, row in enumerate(form.rows):
        for name, value in vars(row).items():
            data[f"w{i}_{name}"] = value
    data.update(changes)
    return data


def query_dict(data: dict[str, Any]) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            q.setlist(key, [str(v) for v in value])
        else:
            q[key] = str(value)
    return q


@pytest.fixture
def school_calendar(personas) -> None:
    f.CalendarRangeFactory(
        school_year=personas.klas.school_year,
        name="Toetsweek 2",
        code="toetsweek-2",
        start=dt.date(2026, 1, 19),
        end=dt.date(2026, 1, 23),
    )


SPEC = PolicySpec(
    windows=(
        Window(audience="guardians", kinds=frozenset({"grades", "averages"}), effect="close", range="toetsweek-2",
               label="Toetsweek 2"),
        Window(audience="students", kinds=frozenset({"homework"}), effect="open", start=dt.date(2026, 3, 2),
               end=dt.date(2026, 3, 6), classes=frozenset({"H3A"})),
    ),
)  # fmt: skip


@pytest.mark.parametrize("persona", Personas.PERSONA_NAMES)
def test_policy_form_access(client, personas, persona) -> None:
    client.force_login(personas.user(persona))
    expected = 200 if persona == "admin" else 404
    assert client.get(reverse(URL)).status_code == expected
    response = client.post(reverse(URL), post_data(form_values(DEFAULT_POLICY), action="activate", confirm="1"))
    assert response.status_code in ((200, 422) if persona == "admin" else (404,))
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize("spec", [DEFAULT_POLICY, SPEC, PolicySpec(students=frozenset(), guardians=frozenset())])
def test_the_form_reads_back_the_policy_it_shows(personas, school_calendar, spec) -> None:
    form, read = form_read(query_dict(post_data(form_values(spec))), school_id=personas.school.pk)
    assert form.errors == {}
    assert read == spec
    assert dump_policy(read) == dump_policy(spec)


def test_the_form_shows_the_active_policy_with_its_windows_as_rows(client, personas, school_calendar) -> None:
    set_policy(personas.school, dump_policy(SPEC))
    client.force_login(personas.user("admin"))
    body = client.get(reverse(URL)).content.decode()
    assert 'name="rows" value="2"' in body
    assert 'value="Toetsweek 2"' in body and '<option value="toetsweek-2" selected>' in body
    assert 'name="w1_start" value="2026-03-02"' in body and 'value="H3A"' in body
    assert "Geavanceerd: het beleid als tekst" in body


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("pub_times", "17:00, 25:00", "“25:00” is geen tijd"),
        ("sf_days", "drie", "Vul een heel aantal schooldagen in van 0 tot en met 30."),
        ("sf_days", "31", "Vul een heel aantal schooldagen in van 0 tot en met 30."),
        ("w1_end", "2026-03-01", "De einddatum ligt vóór de begindatum."),
        ("w1_start", "30-02-2026", "Vul een geldige begindatum in"),
        ("w1_classes", "H3A, ZZZ9", "Onbekende klas: ZZZ9."),
        ("w0_range", "toetsweek-9", "Deze periode staat niet in de schoolkalender."),
        ("w0_kinds", [], "Kies ten minste één soort gegevens."),
        ("consent_model", "op_21", "Kies wanneer de leerling beslist."),
    ],
)
def test_a_bad_field_is_refused_next_to_it_keeping_what_was_typed(
    client, personas, school_calendar, field, typed, message
) -> None:
    client.force_login(personas.user("admin"))
    data = post_data(form_values(SPEC), action="preview", **{field: typed})
    response = client.post(reverse(URL), data)
    assert response.status_code == 422
    body = response.content.decode()
    error_id = "e-" + field.replace("_", "-", 1) if field.startswith("w") else "e-" + field
    assert f'id="{error_id}" class="error">' in body and message in body
    assert 'aria-invalid="true"' in body or field.endswith("kinds") or field == "consent_model"
    if isinstance(typed, str) and field != "consent_model":
        assert f'value="{typed}"' in body  # what was typed is kept
    assert "Wat verandert er op" not in body and not PolicyVersion.objects.exists()


def test_rows_are_added_and_removed_without_javascript(client, personas, school_calendar) -> None:
    client.force_login(personas.user("admin"))
    form = form_values(SPEC)
    response = client.post(reverse(URL), post_data(form, add_row="1", sf_days="4"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="rows" value="3"' in body and 'id="f-w2-label"' in body
    assert 'name="sf_days" value="4"' in body  # the rest of what was typed stays
    assert 'class="error"' not in body  # the new, empty row is not an error yet
    response = client.post(reverse(URL), post_data(form, remove_row="0"))
    body = response.content.decode()
    assert 'name="rows" value="1"' in body and 'value="Toetsweek 2"' not in body and 'value="H3A"' in body
    assert not PolicyVersion.objects.exists()


def test_preview_then_activate_from_the_form(client, personas, school_calendar) -> None:
    set_policy(personas.school, dump_policy(DEFAULT_POLICY))
    client.force_login(personas.user("admin"))
    data = post_data(form_values(SPEC), action="preview")
    response = client.post(reverse(URL), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Wat verandert er op" in body and "Wie gaat er meer zien" in body
    token = response.context["previewed"]
    # without a preview token, or with the form changed after the preview: refused
    for changed in ({}, {"previewed": token, "sf_days": "3"}):
        response = client.post(reverse(URL), {**data, "action": "activate", **changed})
        assert "niet (of niet zo) bekeken" in response.content.decode()
    assert PolicyVersion.objects.count() == 1
    response = client.post(reverse(URL), {**data, "action": "activate", "previewed": token, "note": "toetsweek"})
    assert response.status_code == 302
    assert parse_policy(PolicyVersion.objects.latest("number").text) == SPEC
    assert active_policy(personas.school.pk) == SPEC


def test_an_opening_activation_from_the_form_needs_confirmation(client, personas) -> None:
    set_policy(personas.school, dump_policy(PolicySpec(guardians=frozenset())))
    client.force_login(personas.user("admin"))
    data = post_data(form_values(DEFAULT_POLICY), action="preview")
    response = client.post(reverse(URL), data)
    body = response.content.decode()
    assert "gaan cijfers (eerder of vaker) zien" in body and 'name="confirm"' in body
    data.update(action="activate", previewed=response.context["previewed"])
    response = client.post(reverse(URL), data)
    assert response.status_code == 422 and "Vink aan dat u begrijpt" in response.content.decode()
    assert PolicyVersion.objects.count() == 1
    assert client.post(reverse(URL), {**data, "confirm": "1"}).status_code == 302
    assert active_policy(personas.school.pk) == DEFAULT_POLICY


def test_an_unchanged_policy_is_refused_from_the_form(client, personas) -> None:
    set_policy(personas.school, dump_policy(DEFAULT_POLICY))
    client.force_login(personas.user("admin"))
    data = post_data(form_values(DEFAULT_POLICY), action="preview")
    response = client.post(reverse(URL), data)
    assert "activeren verandert niets" in response.content.decode()
    data.update(action="activate", previewed=response.context["previewed"], confirm="1")
    response = client.post(reverse(URL), data)
    assert response.status_code == 422 and "gelijk aan het beleid dat nu geldt" in response.content.decode()
    assert PolicyVersion.objects.count() == 1
