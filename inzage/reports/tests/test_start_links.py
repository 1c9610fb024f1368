"""The start page links to the reports pages for exactly the roles that may open them, and each link opens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inzage.reports.tests.test_access import PORTAL, PUBLISH_ANY
from inzage.testing.roles import ALL_PERSONAS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ALL_PERSONAS)
def test_the_start_page_links_to_reports_for_the_right_roles(client, user_of, published, name) -> None:
    client.force_login(user_of(name))
    home = client.get("/").content.decode()
    mine, classes = reverse("reports:mine"), reverse("reports:classes")
    assert (f'href="{mine}"' in home) is (name in PORTAL), name
    assert (f'href="{classes}"' in home) is (name in PUBLISH_ANY), name
    for url in (mine, classes):
        if f'href="{url}"' in home:
            assert client.get(url).status_code == 200, (name, url)
