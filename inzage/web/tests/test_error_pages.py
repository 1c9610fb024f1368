"""Error pages are the school's own: Dutch, styled, with a way back; "not yours" reads like "not found"."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
def test_404_is_dutch_with_a_way_home(client: Client) -> None:
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="nl">' in body
    assert "Deze pagina bestaat niet of is niet voor jou" in body
    assert 'href="/"' in body
    assert "Not Found" not in body


@pytest.mark.django_db
def test_404_for_another_familys_student_looks_the_same(personas, client: Client) -> None:
    client.force_login(personas.other_parent.user)
    response = client.get(f"/mijn/cijfers/{personas.student.pk}/")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet of is niet voor jou" in response.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_500_is_dutch_and_static() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Er ging iets mis" in body
    assert "Server Error" not in body
