import pytest
from playwright.sync_api import expect

from conftest import login
from inzage.testing.browser import assert_accessible
from inzage.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_student_signs_in_and_sees_the_start_page(page, personas) -> None:
    page.goto("/")
    assert_accessible(page)
    login(page, personas.user("student").username, PASSWORD)
    expect(page.get_by_text("Je bent ingelogd als")).to_be_visible()
    assert_accessible(page)


def test_a_wrong_password_is_refused(page, personas) -> None:
    login(page, personas.user("student").username, "wrong-password")
    expect(page.get_by_text("Je bent ingelogd als")).not_to_be_visible()
    assert "/accounts/login/" in page.url


def test_the_login_page_is_accessible_also_with_an_error(page, personas) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    login(page, personas.user("student").username, "wrong-password")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
