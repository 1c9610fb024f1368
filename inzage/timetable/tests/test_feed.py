"""The calendar feed, parsed back with the icalendar library: lessons of a week, a cancellation, the time zone,
the parent's per-child labels, the policy (court order, no custody), and revoked tokens."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from inzage.people.models import CourtRestriction
from inzage.testing import factories as f
from inzage.testing.timetable import AMSTERDAM
from inzage.timetable import actions
from inzage.timetable.models import Lesson
from inzage.timetable.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db
FRIDAY = MONDAY + dt.timedelta(days=4)


def _feed(client, user, at) -> icalendar.Calendar:
    token = actions.feed_token_renew(user=user, at=at)
    response = client.get(reverse("timetable:feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _week_events(cal: icalendar.Calendar) -> list:
    return [
        e
        for e in cal.walk("VEVENT")
        if isinstance(e.decoded("dtstart"), dt.datetime) and MONDAY <= e.decoded("dtstart").date() <= FRIDAY
    ]


def test_the_students_feed(client, tt, now) -> None:
    lesson = Lesson.objects.filter(group=tt.group, date=MONDAY).get()
    actions.lesson_cancel(lesson=lesson, reason="Docent ziek", by=tt.user("admin"), at=now)
    actions.homework_add(
        group=tt.group, kind="test", text="Toets H3", due_date=FRIDAY, lesson=None, by=tt.teacher, at=now
    )
    cal = _feed(client, tt.user("student"), now)
    week = _week_events(cal)
    assert len(week) == 3  # Monday, Wednesday (A-week) and Friday
    cancelled = [e for e in week if e.get("status") == "CANCELLED"]
    assert len(cancelled) == 1 and "Docent ziek" in str(cancelled[0]["description"])
    assert cancelled[0].decoded("dtstart") == dt.datetime(2025, 9, 8, 8, 30, tzinfo=AMSTERDAM)
    assert cancelled[0]["dtstart"].params["TZID"] == "Europe/Amsterdam"
    zones = cal.walk("VTIMEZONE")
    assert [z["tzid"] for z in zones] == ["Europe/Amsterdam"]
    assert {c.name for c in zones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}  # summer time changes in the year
    tests = [e for e in cal.walk("VEVENT") if "Toets H3" in str(e["summary"])]
    assert len(tests) == 1 and tests[0].decoded("dtstart") == FRIDAY
    # a whole school year: three lessons a week (two in B-weeks), about 100
    assert 90 < len([e for e in cal.walk("VEVENT") if e["uid"].startswith("lesson-")]) < 120


def test_a_parents_feed_labels_each_child(client, tt, now) -> None:
    # Sanne (parent) gets a second child in the other class.
    second = f.StudentFactory(school=tt.school, first_name="Noor", last_name="Jansen")
    tt.other_group.students.add(second)
    f.GuardianRelationFactory(student=second, guardian=tt.parent)
    cal = _feed(client, tt.user("parent"), now)
    summaries = {str(e["summary"]).split(":")[0] for e in _week_events(cal)}
    assert summaries == {"Lotte", "Noor"}
    uids = [e["uid"] for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids))


def test_the_feed_goes_through_the_policy(client, tt, now) -> None:
    CourtRestriction.objects.create(
        school=tt.school,
        relation=tt.parent_relation,
        ordered_on=dt.date(2025, 9, 1),
        effective_from=dt.date(2025, 9, 1),
        kinds=["timetable"],
    )
    assert not _week_events(_feed(client, tt.user("parent"), now))
    assert not _feed(client, tt.user("parent_without_custody"), now).walk("VEVENT")
    assert _week_events(_feed(client, tt.user("student"), now))


def test_a_teachers_feed_has_their_own_lessons(client, tt, now) -> None:
    week = _week_events(_feed(client, tt.user("teacher"), now))
    assert len(week) == 3 and all(str(e["summary"]).startswith("h3a-wi") for e in week)


def test_revoked_and_unknown_tokens_are_not_found(client, tt, now) -> None:
    user = tt.user("student")
    token = actions.feed_token_renew(user=user, at=now)
    url = reverse("timetable:feed", args=[token])
    assert client.get(url).status_code == 200
    renewed = actions.feed_token_renew(user=user, at=now)
    assert client.get(url).status_code == 404  # renewing revokes the old link
    assert client.get(reverse("timetable:feed", args=[renewed])).status_code == 200
    actions.feed_token_revoke(user=user, at=now)
    assert client.get(reverse("timetable:feed", args=[renewed])).status_code == 404
    assert client.get(reverse("timetable:feed", args=["x" * 43])).status_code == 404


def test_the_settings_page_makes_renews_and_revokes(client, tt, user_of, now) -> None:
    client.force_login(user_of("parent"))
    url = reverse("timetable:feed_settings")
    assert "Er is nu geen actieve link." in client.get(url).content.decode()
    made = client.post(url, {"action": "renew"}).content.decode()
    assert "/rooster/agenda/" in made and ".ics" in made and "webcal://" in made
    link = made.split('readonly value="')[1].split('"')[0]
    assert client.get(link).status_code == 200
    assert "Er is een actieve link" in client.get(url).content.decode()
    assert link.split("/")[-1] not in client.get(url).content.decode()  # the secret is shown once
    assert client.post(url, {"action": "revoke"}).status_code == 302
    assert client.get(link).status_code == 404
    assert client.post(url, {"action": "nonsense"}).status_code == 404


def test_a_change_after_a_fetch_shows_in_the_next_fetch_and_the_etag_follows_the_content(client, tt, now) -> None:
    """The serialised feed is cached under a digest of its content: a cancellation, a court order and a new
    homework item each change what the next fetch returns, and an unchanged feed answers 304 to its own tag."""
    url = reverse("timetable:feed", args=[actions.feed_token_renew(user=tt.user("parent"), at=now)])
    first = client.get(url)
    tag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert client.get(url).content == first.content

    lesson = Lesson.objects.filter(group=tt.group, date=MONDAY).get()
    actions.lesson_cancel(lesson=lesson, reason="Studiedag", by=tt.user("admin"), at=now)
    second = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert second.status_code == 200 and second["ETag"] != tag
    cancelled = [e for e in icalendar.Calendar.from_ical(second.content).walk("VEVENT") if e["status"] == "CANCELLED"]
    assert [str(e["description"]).count("Studiedag") for e in cancelled] == [1]

    actions.homework_add(
        group=tt.group, kind="homework", text="Lees hoofdstuk 4", due_date=FRIDAY, lesson=None, by=tt.teacher, at=now
    )
    third = client.get(url)
    assert b"Lees hoofdstuk 4" in third.content and third["ETag"] != second["ETag"]

    CourtRestriction.objects.create(
        school=tt.school,
        relation=tt.parent_relation,
        ordered_on=dt.date(2025, 9, 1),
        effective_from=dt.date(2025, 9, 1),
        kinds=["timetable", "homework"],
    )
    fourth = client.get(url, HTTP_IF_NONE_MATCH=third["ETag"])
    assert fourth.status_code == 200 and b"Lees hoofdstuk 4" not in fourth.content
    assert not icalendar.Calendar.from_ical(fourth.content).walk("VEVENT")


def test_the_cached_feed_is_the_feed_built_without_the_cache(tt, now) -> None:
    from django.core.cache import caches

    from inzage.timetable import feed
    from inzage.visibility.policy import viewer_for

    viewer = viewer_for(tt.user("student"))
    caches["default"].clear()
    cold = feed.feed_for(viewer=viewer, at=now)
    warm = feed.feed_for(viewer=viewer, at=now)
    assert warm.body == cold.body and warm.etag == cold.etag and warm.student_ids == cold.student_ids == [tt.student.pk]
    assert cold.body.count(b"BEGIN:VEVENT") > 90
