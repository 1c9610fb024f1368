"""Decision tables for the publication practices of domain.md §3 and the rule layers of §1 (personas school)."""

from __future__ import annotations

import datetime as dt

import pytest

from inzage.people.models import CourtRestriction, GuardianRelation
from inzage.testing import factories as f
from inzage.visibility import actions
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import InformationRequest
from inzage.visibility.policy import Item, decide, item_from_result, viewer_for, visible_results
from inzage.visibility.tests.conftest import local, set_policy


def item(student, kind: str = DataKind.GRADES, released_at=None, item_id: int = 1, group_id=None) -> Item:
    return Item(
        kind=kind,
        id=item_id,
        student_id=student.pk,
        released_at=released_at or local(2025, 9, 1),
        group_id=group_id,
    )


def sees(user, it: Item, at: dt.datetime) -> bool:
    return decide(viewer=viewer_for(user), item=it, at=at).visible


def why(user, it: Item, at: dt.datetime):
    return decide(viewer=viewer_for(user), item=it, at=at)


# ----------------------------------------------------------------------------------- permanently closed for parents


def test_permanently_closed_for_parents(personas) -> None:
    set_policy(
        personas.school,
        'format = 1\n[base]\nguardians = ["attendance", "timetable", "homework", "period_report"]\n',
    )
    at = local(2025, 11, 20, 12)
    grade = item(personas.student)
    assert sees(personas.user("student"), grade, at)
    assert not sees(personas.user("parent"), grade, at)
    assert why(personas.user("parent"), grade, at).reason == "base_hidden"
    assert sees(personas.user("parent"), item(personas.student, DataKind.ATTENDANCE), at)
    assert not sees(personas.user("parent"), item(personas.student, DataKind.AVERAGES), at)


# --------------------------------------------------------------------------------------- 17:00 publication moments

PUBLICATION = 'format = 1\n[publication]\ntimes = ["17:00"]\nschool_days_only = true\nkinds = ["grades"]\n'


@pytest.mark.parametrize(
    ("released", "at", "visible"),
    [
        (local(2025, 11, 14, 14), local(2025, 11, 14, 16, 59, 59), False),  # Friday afternoon: not before 17:00
        (local(2025, 11, 14, 14), local(2025, 11, 14, 17), True),  # Friday 17:00 exactly
        (local(2025, 11, 14, 18), local(2025, 11, 15, 17), False),  # entered after 17:00: never on Saturday
        (local(2025, 11, 14, 18), local(2025, 11, 16, 23), False),  # nor on Sunday
        (local(2025, 11, 14, 18), local(2025, 11, 17, 17), True),  # Monday 17:00
        (local(2025, 10, 17, 18), local(2025, 10, 20, 17), False),  # autumn break: no school days
        (local(2025, 10, 17, 18), local(2025, 10, 27, 17), True),  # first school day after the break
    ],
)
def test_publication_at_17_on_school_days(personas, released, at, visible) -> None:
    f.CalendarRangeFactory(
        school_year=personas.year, code="herfst", kind="holiday", start=dt.date(2025, 10, 18), end=dt.date(2025, 10, 26)
    )
    set_policy(personas.school, PUBLICATION)
    grade = item(personas.student, released_at=released)
    assert sees(personas.user("student"), grade, at) is visible
    assert sees(personas.user("parent"), grade, at) is visible


def test_publication_tells_when(personas, result_factory) -> None:
    set_policy(personas.school, PUBLICATION)
    result = result_factory(release_at=local(2025, 11, 14, 18), entered_at=local(2025, 11, 14, 18))
    decision = why(personas.user("student"), item_from_result(result), local(2025, 11, 15, 10))
    assert decision.reason == "publication"
    assert decision.visible_from == local(2025, 11, 17, 17)
    assert decision.explanation_nl == "Zichtbaar vanaf 17-11-2025 17:00 (vast publicatiemoment)."
    # The teacher enters grades at any time; the attendance kind is not held by publication moments.
    assert sees(
        personas.user("parent"),
        item(personas.student, DataKind.ATTENDANCE, local(2025, 11, 14, 18)),
        local(2025, 11, 14, 18, 1),
    )


def test_held_back_by_the_teacher(personas, result_factory) -> None:
    result = result_factory(release_at=None, entered_at=local(2025, 11, 3))
    for name in ("student", "parent"):
        decision = why(personas.user(name), item_from_result(result), local(2026, 6, 1))
        assert (decision.visible, decision.reason) == (False, "held_back")
        assert (
            list(
                visible_results(viewer=viewer_for(personas.user(name)), student=personas.student, at=local(2026, 6, 1))
            )
            == []
        )
    # The teacher of the group still sees it.
    assert why(personas.user("teacher"), item_from_result(result), local(2026, 6, 1)).visible


# ------------------------------------------------------------------------------------ student-first with sharing

STUDENT_FIRST = 'format = 1\n[student_first]\nschool_days = 2\nkinds = ["grades"]\n'


def test_student_first_two_school_days(personas, result_factory) -> None:
    set_policy(personas.school, STUDENT_FIRST)
    result = result_factory(release_at=local(2025, 11, 14, 10), entered_at=local(2025, 11, 14, 9))  # a Friday
    it = item_from_result(result)
    assert sees(personas.user("student"), it, local(2025, 11, 14, 10))
    decision = why(personas.user("parent"), it, local(2025, 11, 17, 23, 59))
    assert (decision.visible, decision.reason) == (False, "student_first")
    assert decision.visible_from == local(2025, 11, 18)  # Tuesday: two school days after Friday
    assert "zichtbaar vanaf 18-11-2025 00:00" in decision.explanation_nl
    assert sees(personas.user("parent"), it, local(2025, 11, 18))
    parent = viewer_for(personas.user("parent"))
    assert list(visible_results(viewer=parent, student=personas.student, at=local(2025, 11, 18))) == [result]


def test_student_first_with_publication_moment(personas) -> None:
    set_policy(personas.school, STUDENT_FIRST + PUBLICATION.replace("format = 1\n", ""))
    it = item(personas.student, released_at=local(2025, 11, 14, 10))
    assert why(personas.user("parent"), it, local(2025, 11, 18, 16)).visible_from == local(2025, 11, 18, 17)
    assert not sees(personas.user("parent"), it, local(2025, 11, 18, 16, 59))
    assert sees(personas.user("parent"), it, local(2025, 11, 18, 17))


def test_a_share_lets_parents_see_it_at_once(personas, result_factory) -> None:
    set_policy(personas.school, STUDENT_FIRST)
    result = result_factory(release_at=local(2025, 11, 17, 10), entered_at=local(2025, 11, 17, 9))
    actions.share_create(
        student=personas.student,
        kind=DataKind.GRADES,
        item_id=result.pk,
        shared_by=personas.user("student"),
        at=local(2025, 11, 17, 12),
    )
    it = item_from_result(result)
    assert not sees(personas.user("parent"), it, local(2025, 11, 17, 11, 59))  # not before the share
    decision = why(personas.user("parent"), it, local(2025, 11, 17, 12))
    assert (decision.visible, decision.reason) == (True, "shared")
    # A parent without custody gains nothing from a share.
    assert not sees(personas.user("parent_without_custody"), it, local(2025, 11, 17, 12))


@pytest.mark.parametrize(("opens", "visible"), [("true", True), ("false", False)])
def test_whether_a_share_opens_a_closed_window_is_a_school_setting(personas, result_factory, opens, visible) -> None:
    set_policy(
        personas.school,
        STUDENT_FIRST.replace("kinds", f"share_opens_closed_window = {opens}\nkinds")
        + '[[windows]]\naudience = "guardians"\neffect = "close"\nkinds = ["grades"]\n'
        + "start = 2025-11-01\nend = 2025-11-30\n",
    )
    result = result_factory(release_at=local(2025, 11, 3, 10), entered_at=local(2025, 11, 3, 9))
    actions.share_create(
        student=personas.student,
        kind=DataKind.GRADES,
        item_id=result.pk,
        shared_by=personas.user("student"),
        at=local(2025, 11, 3, 12),
    )
    assert sees(personas.user("parent"), item_from_result(result), local(2025, 11, 20)) is visible


# ------------------------------------------------------------------------------------------- consent at 16 and 18


def _aged(personas, born: dt.date):
    personas.student.date_of_birth = born
    personas.student.save()


@pytest.mark.parametrize(
    ("model", "born", "at", "visible"),
    [
        ("from_16", dt.date(2009, 11, 20), local(2025, 11, 19, 23, 59), True),  # 15: the student has no say yet
        ("from_16", dt.date(2009, 11, 20), local(2025, 11, 20), False),  # 16 on the birthday: refused
        ("at_18", dt.date(2009, 11, 20), local(2025, 11, 20), True),  # at_18: at 16 the parents keep access
        ("at_18", dt.date(2007, 11, 20), local(2025, 11, 19, 23, 59), True),  # 17
        ("at_18", dt.date(2007, 11, 20), local(2025, 11, 20), False),  # 18 on the birthday: off
        ("always", dt.date(2011, 3, 14), local(2025, 11, 20), False),  # Montessori: all students decide
    ],
)
def test_consent_at_16_and_18(personas, model, born, at, visible) -> None:
    set_policy(personas.school, f'format = 1\n[consent]\nmodel = "{model}"\n')
    _aged(personas, born)
    actions.consent_record(
        student=personas.student,
        guardian=personas.parent,
        kinds=[DataKind.GRADES],
        granted=False,
        recorded_by=personas.user("student"),
        at=local(2025, 9, 1),
    )
    assert sees(personas.user("parent"), item(personas.student), at) is visible


def test_at_18_access_is_off_until_the_student_turns_it_on_per_parent(personas) -> None:
    _aged(personas, dt.date(2007, 11, 20))
    grade = item(personas.student)
    decision = why(personas.user("parent"), grade, local(2025, 11, 20))
    assert (decision.visible, decision.reason) == (False, "no_consent_adult")
    actions.consent_record(
        student=personas.student,
        guardian=personas.parent,
        kinds=[DataKind.GRADES],
        granted=True,
        recorded_by=personas.user("student"),
        at=local(2025, 11, 21, 9),
    )
    assert not sees(personas.user("parent"), grade, local(2025, 11, 21, 8))
    assert sees(personas.user("parent"), grade, local(2025, 11, 21, 9))
    # Per kind and per parent: averages stay off.
    assert not sees(personas.user("parent"), item(personas.student, DataKind.AVERAGES), local(2025, 11, 21, 9))


def test_the_legal_floor_ends_at_18(personas) -> None:
    _aged(personas, dt.date(2007, 11, 20))
    report = item(personas.student, DataKind.PERIOD_REPORT)
    assert why(personas.user("parent"), report, local(2025, 11, 19)).reason == "legal_floor"
    assert not sees(personas.user("parent"), report, local(2025, 11, 20))


# ---------------------------------------------------------------------------------------------- a mentor's override


def test_a_mentors_override_opens_for_a_while(personas) -> None:
    set_policy(personas.school, 'format = 1\n[consent]\nmodel = "always"\ndefault_before_18 = "not_shared"\n')
    grade = item(personas.student)
    assert why(personas.user("parent"), grade, local(2025, 12, 1)).reason == "no_consent"
    override = actions.override_create(
        student=personas.student,
        guardian=personas.parent,
        effect="open",
        kinds=[DataKind.GRADES],
        starts_on=dt.date(2025, 12, 1),
        until=dt.date(2025, 12, 19),
        reason="Zorgen over de voortgang",
        created_by=personas.user("mentor"),
        at=local(2025, 11, 28, 15),
    )
    decision = why(personas.user("parent"), grade, local(2025, 12, 1))
    assert (decision.visible, decision.rule) == (True, f"override#{override.pk}")
    assert decision.explanation_nl == "Opengezet door de school tot en met 19-12-2025."
    assert sees(personas.user("parent"), grade, local(2025, 12, 19, 23, 59))
    assert not sees(personas.user("parent"), grade, local(2025, 12, 20))
    # Only for this guardian, and not for other kinds.
    assert not sees(personas.user("parent"), item(personas.student, DataKind.AVERAGES), local(2025, 12, 2))
    actions.override_revoke(override=override, revoked_by=personas.user("mentor"), at=local(2025, 12, 5))
    assert not sees(personas.user("parent"), grade, local(2025, 12, 5))
    assert sees(personas.user("parent"), grade, local(2025, 12, 4))  # history is kept: explain the past


def test_a_closing_override_beats_the_base_setting_but_not_the_legal_floor(personas) -> None:
    actions.override_create(
        student=personas.student,
        guardian=None,
        effect="close",
        kinds=[DataKind.GRADES, DataKind.PERIOD_REPORT],
        starts_on=dt.date(2025, 9, 1),
        until=None,
        reason="Afspraak met leerling",
        created_by=personas.user("mentor"),
        at=local(2025, 9, 1),
    )
    assert not sees(personas.user("parent"), item(personas.student), local(2025, 10, 1))
    assert sees(personas.user("parent"), item(personas.student, DataKind.PERIOD_REPORT), local(2025, 10, 1))


# -------------------------------------------------------------------------------------------------- the legal floor


def test_the_legal_floor_beats_windows_and_consent(personas) -> None:
    set_policy(
        personas.school,
        'format = 1\n[consent]\nmodel = "always"\ndefault_before_18 = "not_shared"\n'
        "[base]\nguardians = []\n"
        '[[windows]]\naudience = "guardians"\neffect = "close"\nkinds = ["period_report"]\n'
        "start = 2025-09-01\nend = 2026-07-17\n",
    )
    report = item(personas.student, DataKind.PERIOD_REPORT)
    assert why(personas.user("parent"), report, local(2025, 11, 10)).reason == "legal_floor"
    assert not sees(personas.user("parent"), item(personas.student), local(2025, 11, 10))
    # ...but not an unpublished report.
    held = Item(kind=DataKind.PERIOD_REPORT, id=2, student_id=personas.student.pk, released_at=None)
    assert why(personas.user("parent"), held, local(2025, 11, 10)).reason == "held_back"


# --------------------------------------------------------------------------------------- the parent without custody


@pytest.mark.parametrize(
    ("status", "told", "visible"),
    [
        (None, None, False),
        ("pending", None, False),
        ("refused", dt.date(2025, 10, 2), False),
        ("granted", None, False),  # granted, but the custodial parent was not told yet
        ("granted", dt.date(2025, 10, 2), True),
        ("granted", dt.date(2025, 11, 11), False),  # the custodial parent is told only the day after
    ],
)
def test_parent_without_custody_after_a_request(personas, status, told, visible) -> None:
    report = item(personas.student, DataKind.PERIOD_REPORT)
    if status:
        request = actions.information_request_create(
            relation=personas.no_custody_relation,
            kinds=[DataKind.PERIOD_REPORT, DataKind.GRADES],
            requested_on=dt.date(2025, 9, 30),
        )
        if status != "pending":
            actions.information_request_decide(
                request=request,
                granted=status == "granted",
                reason="" if status == "granted" else "Belang kind",
                custodial_parent_told_on=told,
                decided_by=personas.user("admin"),
                at=local(2025, 10, 1),
            )
    user = personas.user("parent_without_custody")
    assert sees(user, report, local(2025, 11, 10)) is visible
    assert sees(user, item(personas.student), local(2025, 11, 10)) is visible  # grades asked for, too
    assert not sees(user, item(personas.student, DataKind.ATTENDANCE), local(2025, 11, 10))  # not asked for


def test_a_refusal_needs_a_reason(personas) -> None:
    request = actions.information_request_create(
        relation=personas.no_custody_relation, kinds=[DataKind.PERIOD_REPORT], requested_on=dt.date(2025, 9, 30)
    )
    with pytest.raises(ValueError):
        actions.information_request_decide(
            request=request,
            granted=False,
            reason=" ",
            custodial_parent_told_on=None,
            decided_by=personas.user("admin"),
            at=local(2025, 10, 1),
        )
    assert InformationRequest.objects.get(pk=request.pk).status == "pending"


# ----------------------------------------------------------------------------------------------- court restriction


def test_a_court_restriction_beats_the_legal_floor(personas) -> None:
    CourtRestriction.objects.create(
        school=personas.school,
        relation=personas.parent_relation,
        ordered_on=dt.date(2025, 10, 1),
        effective_from=dt.date(2025, 10, 1),
        effective_until=dt.date(2025, 12, 31),
        kinds=[DataKind.PERIOD_REPORT, DataKind.GRADES],
    )
    report = item(personas.student, DataKind.PERIOD_REPORT)
    assert why(personas.user("parent"), report, local(2025, 11, 10)).reason == "court_restriction"
    assert not sees(personas.user("parent"), item(personas.student), local(2025, 11, 10))
    assert sees(personas.user("parent"), item(personas.student, DataKind.ATTENDANCE), local(2025, 11, 10))
    assert sees(personas.user("parent"), report, local(2026, 1, 1))  # the order has ended


# ------------------------------------------------------------------------------------------------- relations, staff


def test_relations_and_staff_roles(personas, result_factory) -> None:
    at = local(2025, 11, 20, 12)
    own = item_from_result(result_factory(release_at=local(2025, 11, 1), entered_at=local(2025, 11, 1)))
    other_group = f.TeachingGroupFactory(school_year=personas.year, subject=personas.subject, name="h3-wi-extra")
    other_group.students.add(personas.student)
    foreign = item_from_result(
        result_factory(group=other_group, release_at=local(2025, 11, 1), entered_at=local(2025, 11, 1))
    )
    care = item(personas.student, DataKind.CARE_NOTES)
    table = {
        # persona: (own group's grade, another group's grade, care note)
        "student": (True, True, False),
        "parent": (True, True, False),
        "other_parent": (False, False, False),
        "parent_without_custody": (False, False, False),
        "mentor": (True, True, True),
        "teacher": (True, False, False),
        "other_teacher": (False, False, False),
        "admin": (True, True, False),
    }
    for name, expected in table.items():
        got = tuple(sees(personas.user(name), it, at) for it in (own, foreign, care))
        assert got == expected, name
    assert why(personas.user("other_parent"), own, at).reason == "not_related"
    assert why(personas.user("other_teacher"), own, at).reason == "not_related"
    assert why(personas.user("teacher"), foreign, at).reason == "staff_other_group"


def test_an_ended_relation_sees_nothing(personas) -> None:
    personas.parent_relation.end_date = dt.date(2025, 10, 31)
    personas.parent_relation.save()
    assert sees(personas.user("parent"), item(personas.student), local(2025, 10, 31, 12))
    assert why(personas.user("parent"), item(personas.student), local(2025, 11, 1)).reason == "not_related"


def test_fail_closed_on_unknown_kind_and_another_schools_student(personas) -> None:
    assert why(personas.user("student"), item(personas.student, "x-ray"), local(2025, 11, 1)).reason == "unknown_kind"
    stranger = f.StudentFactory()
    assert why(personas.user("admin"), item(stranger), local(2025, 11, 1)).reason == "not_related"
    assert not sees(None, item(personas.student), local(2025, 11, 1))


def test_a_carer_counts_as_a_guardian_but_not_for_the_legal_floor(personas) -> None:
    relation = f.GuardianRelationFactory(student=personas.student, custody=GuardianRelation.Custody.CARER)
    user = relation.guardian.user
    assert sees(user, item(personas.student), local(2025, 11, 1))
    set_policy(personas.school, "format = 1\n[base]\nguardians = []\n")
    assert not sees(user, item(personas.student, DataKind.PERIOD_REPORT), local(2025, 11, 1))
    assert sees(personas.user("parent"), item(personas.student, DataKind.PERIOD_REPORT), local(2025, 11, 1))
