"""The staff page for requests by a parent without custody: who may open it, record, grant, refuse."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inzage.people.models import StaffRole
from inzage.testing import factories as f
from inzage.testing.personas import Personas
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import InformationRequest
from inzage.visibility.policy import Item, decide, viewer_for

ACCESS = {"admin": 200}
ON_REQUEST = "Alleen op verzoek beschikbaar voor een ouder zonder gezag."


def url(personas) -> str:
    return reverse("visibility:information_requests", args=[personas.student.pk])


def report_decision(personas):
    """What the engine decides now about a (released) period report for the parent without custody."""
    item = Item(
        kind=DataKind.PERIOD_REPORT,
        id=1,
        student_id=personas.student.pk,
        released_at=timezone.now() - dt.timedelta(days=30),
    )
    return decide(
        viewer=viewer_for(personas.user("parent_without_custody")),
        item=item,
        at=timezone.now() + dt.timedelta(seconds=1),
    )


def pending_request(personas, kinds=(DataKind.PERIOD_REPORT,)) -> InformationRequest:
    return InformationRequest.objects.create(
        school=personas.school,
        relation=personas.no_custody_relation,
        kinds=list(kinds),
        requested_on=timezone.localdate() - dt.timedelta(days=3),
    )


def coordinator(personas, *, year: int | None) -> object:
    staff = f.StaffFactory(school=personas.school, first_name="Cor", last_name="Coördinator")
    f.StaffRoleFactory(staff=staff, role=StaffRole.Role.COORDINATOR, year=year)
    return staff.user


@pytest.mark.parametrize("persona", Personas.PERSONA_NAMES)
def test_access_by_persona(client, personas, persona) -> None:
    client.force_login(personas.user(persona))
    assert client.get(url(personas)).status_code == ACCESS.get(persona, 404)
    response = client.post(
        url(personas),
        {
            "action": "create",
            "relation": personas.no_custody_relation.pk,
            "kinds": [DataKind.PERIOD_REPORT],
            "requested_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == (302 if persona == "admin" else 404)
    assert InformationRequest.objects.count() == (1 if persona == "admin" else 0)


def test_a_coordinator_over_the_student_may_open_it_another_year_coordinator_not(client, personas) -> None:
    year = personas.klas.year_group.year
    client.force_login(coordinator(personas, year=year))
    assert client.get(url(personas)).status_code == 200
    client.force_login(coordinator(personas, year=year + 1))
    assert client.get(url(personas)).status_code == 404


def test_another_schools_student_is_not_found(client, personas) -> None:
    stranger = f.StudentFactory()
    client.force_login(personas.user("admin"))
    response = client.get(reverse("visibility:information_requests", args=[stranger.pk]))
    assert response.status_code == 404


def test_record_and_grant_opens_the_period_report_for_the_parent_without_custody(client, personas) -> None:
    portal = reverse("portal:grades", args=[personas.student.pk])
    assert report_decision(personas).reason == "no_custody"
    client.force_login(personas.user("parent_without_custody"))
    assert ON_REQUEST in client.get(portal).content.decode()

    client.force_login(personas.user("admin"))
    page = client.get(url(personas)).content.decode()
    assert "Kees de Vries" in page  # the parent without custody is listed
    assert "Sanne Jansen" not in page  # the parent with gezag is not
    requested_on = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(
        url(personas),
        {
            "action": "create",
            "relation": personas.no_custody_relation.pk,
            "kinds": [DataKind.PERIOD_REPORT, DataKind.GRADES],
            "requested_on": requested_on.isoformat(),
        },
    )
    assert response.status_code == 302
    request = InformationRequest.objects.get()
    assert (request.status, request.kinds, request.requested_on) == (
        "pending",
        [DataKind.GRADES, DataKind.PERIOD_REPORT],
        requested_on,
    )
    assert report_decision(personas).reason == "no_custody"  # pending changes nothing

    told_on = timezone.localdate()
    response = client.post(
        url(personas),
        {"action": "decide", "request": request.pk, "decision": "grant", "reason": "", "told_on": told_on.isoformat()},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "granted"
    assert request.custodial_parent_told_on == told_on
    assert request.decided_by == personas.user("admin")

    decision = report_decision(personas)
    assert decision.visible and decision.rule == f"information_request#{request.pk}"
    client.force_login(personas.user("parent_without_custody"))
    assert ON_REQUEST not in client.get(portal).content.decode()

    client.force_login(personas.user("admin"))
    page = client.get(url(personas)).content.decode()
    assert "toegekend" in page
    assert f"Ouder met gezag ingelicht op {told_on:%d-%m-%Y}" in page


def test_a_grant_counts_only_once_the_custodial_parent_was_told(client, personas) -> None:
    request = pending_request(personas)
    client.force_login(personas.user("admin"))
    response = client.post(url(personas), {"action": "decide", "request": request.pk, "decision": "grant"})
    assert response.status_code == 302
    assert InformationRequest.objects.get(pk=request.pk).status == "granted"
    assert not report_decision(personas).visible
    assert "nog niet ingelicht" in client.get(url(personas)).content.decode()


def test_a_refusal_without_reason_shows_the_error_and_changes_nothing(client, personas) -> None:
    request = pending_request(personas)
    told = timezone.localdate().isoformat()
    client.force_login(personas.user("admin"))
    response = client.post(
        url(personas),
        {"action": "decide", "request": request.pk, "decision": "refuse", "reason": "  ", "told_on": told},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "Een weigering heeft een reden nodig" in body
    assert f'value="{told}"' in body  # what was typed is kept
    assert 'value="refuse" checked' in body
    stored = InformationRequest.objects.get()
    assert (stored.status, stored.decided_at, stored.custodial_parent_told_on) == ("pending", None, None)
    assert not report_decision(personas).visible


def test_a_refusal_with_reason_is_recorded_and_shown(client, personas) -> None:
    request = pending_request(personas)
    client.force_login(personas.user("admin"))
    response = client.post(
        url(personas),
        {"action": "decide", "request": request.pk, "decision": "refuse", "reason": "Belang van het kind"},
    )
    assert response.status_code == 302
    stored = InformationRequest.objects.get()
    assert (stored.status, stored.reason) == ("refused", "Belang van het kind")
    assert not report_decision(personas).visible
    page = client.get(url(personas)).content.decode()
    assert "geweigerd" in page and "Belang van het kind" in page
    assert 'name="decision"' not in page  # decided requests have no decision form


def test_recording_without_kinds_shows_the_error_keeps_the_input_and_creates_nothing(client, personas) -> None:
    client.force_login(personas.user("admin"))
    response = client.post(
        url(personas),
        {"action": "create", "relation": personas.no_custody_relation.pk, "requested_on": "2025-09-30"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kies ten minste één soort gegevens." in body
    assert f'value="{personas.no_custody_relation.pk}" selected' in body
    assert 'value="2025-09-30"' in body
    assert InformationRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("relation", "requested_on", "message"),
    [
        ("", "2025-09-30", "Kies de ouder zonder gezag"),
        ("parent", "2025-09-30", "Kies de ouder zonder gezag"),  # a parent with gezag does not request
        ("no_custody", "30-02-2025", "Vul een geldige datum in"),
        ("no_custody", "2999-01-01", "niet in de toekomst"),
    ],
)
def test_recording_rejects_bad_input(client, personas, relation, requested_on, message) -> None:
    relation_id = {
        "": "",
        "parent": personas.parent_relation.pk,
        "no_custody": personas.no_custody_relation.pk,
    }[relation]
    client.force_login(personas.user("admin"))
    response = client.post(
        url(personas),
        {"action": "create", "relation": relation_id, "kinds": [DataKind.GRADES], "requested_on": requested_on},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert InformationRequest.objects.count() == 0


def test_deciding_a_decided_or_foreign_request_is_not_found(client, personas) -> None:
    request = pending_request(personas)
    other_relation = f.GuardianRelationFactory(
        student=personas.other_student,
        guardian=f.GuardianFactory(school=personas.school),
        custody="without_gezag",
    )
    foreign = InformationRequest.objects.create(
        school=personas.school, relation=other_relation, kinds=[DataKind.GRADES], requested_on=dt.date(2025, 9, 1)
    )
    client.force_login(personas.user("admin"))
    grant = {"action": "decide", "decision": "grant", "told_on": timezone.localdate().isoformat()}
    assert client.post(url(personas), {**grant, "request": foreign.pk}).status_code == 404
    assert client.post(url(personas), {**grant, "request": request.pk}).status_code == 302
    refuse = {"action": "decide", "decision": "refuse", "reason": "toch niet", "request": request.pk}
    assert client.post(url(personas), refuse).status_code == 404
    assert InformationRequest.objects.get(pk=request.pk).status == "granted"
    assert InformationRequest.objects.get(pk=foreign.pk).status == "pending"


def test_the_page_query_count_does_not_grow_with_requests(client, personas, django_assert_num_queries) -> None:
    client.force_login(personas.user("admin"))
    pending_request(personas)
    client.get(url(personas))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(personas)).status_code == 200
    for _ in range(5):
        pending_request(personas, kinds=(DataKind.GRADES, DataKind.PERIOD_REPORT))
    InformationRequest.objects.filter(pk=InformationRequest.objects.first().pk).update(
        status="refused", reason="r", decided_at=timezone.now(), decided_by=personas.user("admin")
    )
    with django_assert_num_queries(len(one)):
        body = client.get(url(personas)).content.decode()
    assert body.count('<li class="card">') == 6


def test_links_from_the_overrides_and_explain_pages(client, personas) -> None:
    target = url(personas)
    client.force_login(personas.user("mentor"))  # may set overrides, may not handle requests
    assert target not in client.get(reverse("visibility:overrides", args=[personas.student.pk])).content.decode()
    client.force_login(coordinator(personas, year=None))
    assert target in client.get(reverse("visibility:overrides", args=[personas.student.pk])).content.decode()
    client.force_login(personas.user("admin"))
    explain = client.get(reverse("visibility:explain"), {"student": personas.student.student_number})
    assert target in explain.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_is_accessible_also_with_an_error(page, personas) -> None:
    from playwright.sync_api import expect

    from conftest import login
    from inzage.testing.browser import assert_accessible
    from inzage.testing.factories import PASSWORD

    pending_request(personas)
    login(page, personas.user("admin").username, PASSWORD)
    page.goto(url(personas))
    assert_accessible(page)
    page.get_by_role("radio", name="weigeren").check()
    page.get_by_label("Ouder met gezag ingelicht op").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Beslissing vastleggen").first.click()
    expect(page.get_by_role("alert")).to_contain_text("Een weigering heeft een reden nodig")
    expect(page.get_by_role("radio", name="weigeren")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Reden (verplicht bij weigeren)").fill("Belang van het kind")
    page.get_by_role("button", name="Beslissing vastleggen").first.click()
    expect(page.get_by_text("Reden: Belang van het kind.")).to_be_visible()
    assert InformationRequest.objects.get().status == "refused"


def granted_untold(client, personas) -> InformationRequest:
    request = pending_request(personas)
    InformationRequest.objects.filter(pk=request.pk).update(requested_on=timezone.localdate() - dt.timedelta(days=5))
    client.force_login(personas.user("admin"))
    assert (
        client.post(url(personas), {"action": "decide", "request": request.pk, "decision": "grant"}).status_code == 302
    )
    return InformationRequest.objects.get(pk=request.pk)


def test_the_told_date_of_a_grant_can_be_recorded_later(client, personas) -> None:
    from inzage.visibility.models import DataVersion

    request = granted_untold(client, personas)
    assert not report_decision(personas).visible
    page = client.get(url(personas)).content.decode()
    assert 'name="action" value="told"' in page and "nog niet ingelicht" in page
    before = list(DataVersion.objects.values_list("pk", "counter").order_by("pk"))
    told = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(url(personas), {"action": "told", "request": request.pk, "told_on": told.isoformat()})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.custodial_parent_told_on == told
    assert request.told_recorded_by == personas.user("admin") and request.told_recorded_at is not None
    assert list(DataVersion.objects.values_list("pk", "counter").order_by("pk")) != before  # caches move on
    assert report_decision(personas).visible  # the grant counts from now
    page = client.get(url(personas)).content.decode()
    assert 'value="told"' not in page and f"Ouder met gezag ingelicht op {told:%d-%m-%Y}" in page
    assert "Datum later vastgelegd op" in page
    # once recorded, it is not recorded again (no silent change)
    again = client.post(url(personas), {"action": "told", "request": request.pk, "told_on": told.isoformat()})
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Vul een geldige datum in"),
        ("31-31-2025", "Vul een geldige datum in"),
        ("earlier", "Vul een geldige datum in"),
        ("2001-01-01", "kan niet vóór het verzoek"),
        ("2999-01-01", "kan niet in de toekomst liggen"),
    ],
)
def test_an_impossible_told_date_is_refused_next_to_the_field(client, personas, typed, message) -> None:
    request = granted_untold(client, personas)
    response = client.post(url(personas), {"action": "told", "request": request.pk, "told_on": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="e-told-{request.pk}" class="error">' in body and message in body
    assert f'value="{typed}"' in body
    request.refresh_from_db()
    assert request.custodial_parent_told_on is None and request.told_recorded_at is None


def test_a_told_date_before_the_request_is_refused_when_deciding(client, personas) -> None:
    request = pending_request(personas)
    client.force_login(personas.user("admin"))
    before = (request.requested_on - dt.timedelta(days=1)).isoformat()
    response = client.post(
        url(personas), {"action": "decide", "request": request.pk, "decision": "grant", "told_on": before}
    )
    body = response.content.decode()
    assert "kan niet vóór het verzoek" in body and f'value="{before}"' in body
    request.refresh_from_db()
    assert (request.status, request.custodial_parent_told_on) == ("pending", None)
