"""The read-replica router: only marked read-only requests read the replica; writes and what must see them, the primary.

The "replica" alias mirrors the test database (settings: TEST MIRROR), so the tests see which connection a query
used; the router and its middleware are switched on per test, as DATABASE_REPLICA_URL does in production.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inzage.accounts.models import User
from inzage.dbrouting import PIN_COOKIE, ReadReplicaMiddleware, ReplicaRouter
from inzage.testing.queries import page_queries
from inzage.visibility.tests.conftest import local, make_result

ROUTER = "inzage.dbrouting.ReplicaRouter"
MIDDLEWARE = "inzage.dbrouting.ReadReplicaMiddleware"


@pytest.fixture
def routed(settings):
    """The router and its middleware on, as with DATABASE_REPLICA_URL set."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    settings.REPLICA_PIN_SECONDS = 10


@pytest.fixture(autouse=True)
def _replica_reachable(request, monkeypatch):
    """The routing decisions below without a database: the replica counts as reachable (the tests through real
    pages, which use `routed`, connect for real)."""
    if "routed" not in request.fixturenames:
        monkeypatch.setattr("inzage.dbrouting.replica_usable", lambda *, now: True)


def read_db_during(request: HttpRequest, *, work=None) -> tuple[str, HttpResponse]:
    """Run `request` through the middleware; return where a read of User goes at the end of the view, and the response."""
    seen: list[str] = []

    def view(req: HttpRequest) -> HttpResponse:
        if work is not None:
            work()
        seen.append(ReplicaRouter().db_for_read(User))
        return HttpResponse("ok")

    response = ReadReplicaMiddleware(view)(request)
    return seen[0], response


rf = RequestFactory()


@pytest.mark.parametrize("path", ["/", "/mijn/", "/mijn/cijfers/12/"])
@pytest.mark.parametrize("method", ["get", "head"])
def test_portal_and_start_page_reads_go_to_the_replica(path, method) -> None:
    db, response = read_db_during(getattr(rf, method)(path))
    assert db == "replica"
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/mijn/toestemming/3/"),
        ("post", "/"),
        ("get", "/docent/"),
        ("get", "/accounts/login/"),
        ("get", "/beheer/"),
        ("get", "/mijnheer/"),
        ("put", "/mijn/cijfers/12/"),
    ],
)
def test_other_requests_read_the_primary(method, path) -> None:
    db, _response = read_db_during(getattr(rf, method)(path))
    assert db == "default"


def test_outside_a_request_everything_reads_the_primary() -> None:
    assert ReplicaRouter().db_for_read(User) == "default"
    assert ReplicaRouter().db_for_write(User) == "default"


def test_writes_always_go_to_the_primary() -> None:
    seen: list[str] = []
    ReadReplicaMiddleware(lambda req: seen.append(ReplicaRouter().db_for_write(User)) or HttpResponse())(rf.get("/"))
    assert seen == ["default"]


@pytest.mark.django_db
def test_no_replica_inside_a_transaction() -> None:
    def view(req: HttpRequest) -> HttpResponse:
        outside = ReplicaRouter().db_for_read(User)
        with transaction.atomic():
            inside = ReplicaRouter().db_for_read(User)
        return HttpResponse(f"{outside} {inside}")

    # The test itself runs in a transaction on "default"; leave it to see the view's own atomic block decide.
    connections["default"].in_atomic_block, saved = False, connections["default"].in_atomic_block
    try:
        body = ReadReplicaMiddleware(view)(rf.get("/mijn/")).content.decode()
    finally:
        connections["default"].in_atomic_block = saved
    assert body == "replica default"


def test_after_a_write_the_request_reads_the_primary_and_pins_the_browser() -> None:
    db, response = read_db_during(rf.get("/mijn/"), work=lambda: ReplicaRouter().db_for_write(User))
    assert db == "default"
    assert PIN_COOKIE in response.cookies
    assert response.cookies[PIN_COOKIE]["httponly"]


def test_a_post_pins_the_browser_even_without_a_write(settings) -> None:
    settings.REPLICA_PIN_SECONDS = 7
    _db, response = read_db_during(rf.post("/mijn/toestemming/3/"))
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 7
    assert int(cookie.value) >= int(time.time()) + 7


def test_a_pinned_browser_reads_the_primary_until_the_pin_expires() -> None:
    pinned = rf.get("/mijn/", HTTP_COOKIE=f"{PIN_COOKIE}={int(time.time()) + 5}")
    assert read_db_during(pinned)[0] == "default"
    expired = rf.get("/mijn/", HTTP_COOKIE=f"{PIN_COOKIE}={int(time.time()) - 1}")
    assert read_db_during(expired)[0] == "replica"
    garbage = rf.get("/mijn/", HTTP_COOKIE=f"{PIN_COOKIE}=soon")
    assert read_db_during(garbage)[0] == "replica"


def test_the_replica_is_never_migrated() -> None:
    assert ReplicaRouter().allow_migrate("default", "grades") is True
    assert ReplicaRouter().allow_migrate("replica", "grades") is False


# ------------------------------------------------------------------------------------------ through the real pages
# Committed data (transaction=True): the replica alias is another connection to the same test database.


@pytest.fixture
def adult_with_grade(personas):
    """An 18+ student (so the student decides what each parent sees) with one released grade, 8,8."""
    personas.student.date_of_birth = timezone.localdate() - dt.timedelta(days=365 * 19)
    personas.student.save()
    make_result(
        student=personas.student,
        group=personas.group,
        period=personas.periods[0],
        release_at=local(2025, 9, 10),
        entered_at=local(2025, 9, 10),
        value="8.8",
    )
    return personas


def queries_on(client, url: str, **kwargs) -> tuple[HttpResponse, int, int]:
    """GET `url`; return the response and how many queries ran on the primary and on the replica."""
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as rep:
        response = client.get(url, **kwargs)
    return response, len(page_queries(primary.captured_queries)), len(rep)  # the access log's write aside


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_parents_grades_page_reads_only_the_replica(client, routed, adult_with_grade) -> None:
    p = adult_with_grade
    client.force_login(p.user("student"))
    client.post(reverse("portal:consent", args=[p.student.pk]), {"guardian": p.parent.pk, "kinds": ["grades"]})
    client.force_login(p.user("parent"))
    client.cookies.pop(PIN_COOKIE, None)  # another browser than the student's
    response, on_primary, on_replica = queries_on(client, reverse("portal:grades", args=[p.student.pk]))
    assert response.status_code == 200
    assert "8,8" in response.content.decode()
    assert on_primary == 0
    assert on_replica > 0


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_student_sees_a_consent_change_on_the_primary_right_after_saving(client, routed, adult_with_grade) -> None:
    p = adult_with_grade
    client.force_login(p.user("student"))
    client.cookies.pop(PIN_COOKIE, None)
    url = reverse("portal:consent", args=[p.student.pk])
    saved = client.post(url, {"guardian": p.parent.pk, "kinds": ["grades"]})
    assert saved.status_code == 302
    assert PIN_COOKIE in saved.cookies  # the redirect's GET comes back with it
    response, on_primary, on_replica = queries_on(client, saved["Location"])
    assert on_replica == 0 and on_primary > 0
    assert 'value="grades" checked' in response.content.decode()
    # Once the pin is gone the same page reads the replica again.
    client.cookies.pop(PIN_COOKIE)
    _response, on_primary, on_replica = queries_on(client, url)
    assert on_primary == 0 and on_replica > 0


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_an_unreachable_replica_is_skipped_and_the_page_reads_the_primary(
    client, routed, adult_with_grade, monkeypatch
) -> None:
    from django.db import OperationalError

    from inzage import dbrouting

    p = adult_with_grade
    replica = connections["replica"]
    replica.close()

    def refuse() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(replica, "ensure_connection", refuse)
    monkeypatch.setattr(dbrouting._ReplicaHealth, "skip_until", 0.0)
    client.force_login(p.user("student"))
    client.cookies.pop(PIN_COOKIE, None)
    with CaptureQueriesContext(connections["default"]) as primary:
        response = client.get(reverse("portal:grades", args=[p.student.pk]))
    assert response.status_code == 200
    assert "8,8" in response.content.decode()
    assert len(primary) > 0
    assert dbrouting._ReplicaHealth.skip_until > time.time()  # skipped for a while, not retried per query
