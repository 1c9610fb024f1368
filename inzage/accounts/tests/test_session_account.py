"""The signed-in account served from the session's copy (`inzage.accounts.session_account`): no account row per
request, and every change of the account still takes effect on the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inzage.accounts import session_account
from inzage.accounts.models import User
from inzage.testing.factories import PASSWORD
from inzage.testing.queries import page_queries
from inzage.visibility import versions

pytestmark = pytest.mark.django_db


def _signed_in(personas, name: str = "parent") -> tuple[Client, User]:
    user = personas.user(name)
    client = Client()
    client.force_login(user)
    return client, user


def _grades(client: Client, personas):
    return client.get(reverse("portal:grades", args=[personas.student.pk]))


def test_a_warm_request_reads_the_counters_and_not_the_account_row(personas) -> None:
    client, _user = _signed_in(personas)
    assert _grades(client, personas).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert _grades(client, personas).status_code == 200
    sql = page_queries(queries.captured_queries)
    assert len(sql) == 1, sql
    assert "visibility_dataversion" in sql[0]
    assert "accounts_user" not in sql[0]


def test_the_first_request_after_signing_in_writes_no_session(personas) -> None:
    client, _user = _signed_in(personas)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("how", ["save", "queryset_update", "bulk_update"])
def test_a_deactivated_account_is_signed_out_on_the_next_request(personas, how) -> None:
    client, user = _signed_in(personas)
    assert _grades(client, personas).status_code == 200
    assert _grades(client, personas).status_code == 200  # from the copy
    if how == "save":
        user.is_active = False
        user.save()
    elif how == "queryset_update":
        User.objects.filter(pk=user.pk).update(is_active=False)
    else:
        user.is_active = False
        User.objects.bulk_update([user], ["is_active"])
    response = _grades(client, personas)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "Uitloggen" not in client.get("/").content.decode()


def test_a_new_password_signs_out_other_sessions_on_the_next_request(personas) -> None:
    client, user = _signed_in(personas)
    assert _grades(client, personas).status_code == 200
    user.set_password("een heel ander wachtwoord 42")
    user.save()
    response = _grades(client, personas)
    assert response.status_code == 302
    assert SESSION_KEY not in client.session  # Django's hash check flushed the session


def test_a_changed_staff_flag_and_name_show_on_the_next_request(personas) -> None:
    client, user = _signed_in(personas, "admin")
    admin_link = f'href="{reverse("admin:index")}"'  # not a substring of /rooster/beheer/import/
    body = client.get("/").content.decode()
    assert admin_link not in body
    User.objects.filter(pk=user.pk).update(is_staff=True, first_name="Bartholomeus")
    body = client.get("/").content.decode()
    assert admin_link in body
    assert "Bartholomeus" in body
    user.refresh_from_db()
    user.is_staff = False
    user.save()
    assert admin_link not in client.get("/").content.decode()


def test_the_check_depends_on_the_accounts_counter(personas, monkeypatch) -> None:
    """Mutation: an account write that moves no counter leaves a deactivated account signed in. The tests above
    fail this way when the bump is missing."""
    client, user = _signed_in(personas)
    assert _grades(client, personas).status_code == 200
    monkeypatch.setitem(versions.TRACKED, "accounts.User", lambda instance: (instance.school_id, [], []))
    user.is_active = False
    user.save()
    assert _grades(client, personas).status_code == 200  # stale: what the counter protects against


def test_a_copy_of_another_shape_or_session_hash_is_not_used(personas) -> None:
    client, _user = _signed_in(personas)
    assert client.get("/").status_code == 200
    session = client.session
    copy = dict(session[session_account.COPY_KEY])
    copy["values"] = list(copy["values"])
    copy["values"][session_account.COPY_FIELDS.index("first_name")] = "Vervalst"
    session[session_account.COPY_KEY] = {**copy, "shape": "id,username"}
    session.save()
    assert "Vervalst" not in client.get("/").content.decode()  # read from the row again, the copy remade
    assert client.session[session_account.COPY_KEY]["shape"] == session_account._SHAPE
    session = client.session
    session[session_account.COPY_KEY] = {**copy, "hash": "another"}
    session.save()
    assert "Vervalst" not in client.get("/").content.decode()


def test_a_copied_account_loads_deferred_fields_and_saves_only_what_it_holds(personas) -> None:
    client, user = _signed_in(personas)
    assert client.get("/").status_code == 200
    request = client.get("/").wsgi_request
    copied = request.user
    assert copied.pk == user.pk and copied.get_deferred_fields() == {"password", "last_login", "date_joined"}
    copied.first_name = "Nieuw"
    copied.save()  # writes the loaded fields only: the password stays
    stored = User.objects.get(pk=user.pk)
    assert stored.first_name == "Nieuw" and stored.check_password(PASSWORD)
    assert copied.password == stored.password  # loaded from the row when read


def test_signing_in_through_the_form_keeps_the_copy(personas) -> None:
    user = personas.user("parent")
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[session_account.COPY_KEY]["id"] == str(user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not any("accounts_user" in q["sql"] for q in queries.captured_queries)
