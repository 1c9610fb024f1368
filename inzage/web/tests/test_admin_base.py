"""The admin's input checks (inzage.web.admin_base): a malformed id in a bulk action or a relation field is a message or
a form error, never a 500, and every admin registration has them."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group

from inzage.schools.models import ClassMembership, TeachingGroup
from inzage.testing import factories as f
from inzage.web.admin_base import InputCheckedAdminMixin, InputCheckedModelAdminMixin, InzageModelAdmin, key_storable

CHANGELIST = "/beheer/schools/classmembership/"
REFUSED = "De selectie bevat een ongeldige rij; kies de rijen opnieuw. Er is niets gewijzigd."
MALFORMED_IDS = ["", " ", "abc", "1.5", "1e3", "\x00", str(2**63), str(-(2**63) - 1), str(2**64), "9" * 30]


class TestBulkActions:
    @pytest.mark.parametrize("bad", MALFORMED_IDS)
    @pytest.mark.parametrize("stage", ["choose", "confirm"])
    def test_a_malformed_selection_is_refused_with_a_message(self, school_admin, client, personas, bad, stage):
        """Also next to a real row: the whole action is refused, not the rest done."""
        real = str(ClassMembership.objects.filter(school=personas.school).first().pk)
        data = {"action": "delete_selected", "_selected_action": [real, bad]}
        # "choose" is the list's own form (with `index`); "confirm" is delete_selected's confirmation page.
        data.update({"index": "0"} if stage == "choose" else {"post": "yes"})
        before = ClassMembership.objects.count()
        response = client.post(CHANGELIST, data)
        assert response.status_code == 302
        assert response.url == CHANGELIST
        assert REFUSED in client.get(CHANGELIST).text
        assert ClassMembership.objects.count() == before

    def test_another_apps_admin_refuses_it_too(self, db, client) -> None:
        """auth's groups: registered by Django, given the checks by inzage/web/admin.py (a superuser reaches it)."""
        client.force_login(f.UserFactory(school=None, is_staff=True, is_superuser=True))
        client.raise_request_exception = True
        group = Group.objects.create(name="Proef")
        data = {"action": "delete_selected", "_selected_action": [str(group.pk), "x"], "index": "0"}
        response = client.post("/beheer/auth/group/", data, follow=True)
        assert response.status_code == 200
        assert REFUSED in response.text
        assert Group.objects.filter(pk=group.pk).exists()

    def test_a_valid_selection_still_reaches_the_action(self, school_admin, client, personas) -> None:
        membership = ClassMembership.objects.filter(school=personas.school).first()
        data = {"action": "delete_selected", "_selected_action": [str(membership.pk)]}
        confirm = client.post(CHANGELIST, {**data, "index": "0"})
        assert confirm.status_code == 200
        assert 'name="post"' in confirm.text
        assert client.post(CHANGELIST, {**data, "post": "yes"}).status_code == 302
        assert not ClassMembership.objects.filter(pk=membership.pk).exists()


class TestRelationFields:
    def add_group(self, client, personas, **overrides):
        data = {
            "school_year": str(personas.year.pk),
            "subject": str(personas.subject.pk),
            "name": "h3c-wi",
            "teachers": [str(personas.teacher.pk)],
            "students": str(personas.student.pk),
            **overrides,
        }
        return client.post("/beheer/schools/teachinggroup/add/", data)

    @pytest.mark.parametrize("huge", [str(2**63), str(2**64), str(-(2**63) - 1), "9" * 30])
    def test_an_id_beyond_64_bits_in_a_many_to_many_field_is_a_form_error(self, school_admin, client, personas, huge):
        before = TeachingGroup.objects.count()
        for field, value in (
            ("teachers", [str(personas.teacher.pk), huge]),
            ("students", f"{personas.student.pk},{huge}"),
        ):
            response = self.add_group(client, personas, **{field: value})
            assert response.status_code == 200
            errors = response.context["adminform"].form.errors
            assert list(errors) == [field]
            assert "is geen geldige waarde" in errors[field][0]  # Django's own Dutch "not a valid value"
        assert TeachingGroup.objects.count() == before

    @pytest.mark.parametrize("huge", [str(2**63), str(2**64)])
    def test_an_id_beyond_64_bits_in_a_foreign_key_is_a_form_error(self, school_admin, client, personas, huge):
        response = self.add_group(client, personas, subject=huge)
        assert response.status_code == 200
        assert list(response.context["adminform"].form.errors) == ["subject"]
        assert not TeachingGroup.objects.filter(name="h3c-wi").exists()

    def test_the_form_still_saves_good_input(self, school_admin, client, personas) -> None:
        assert self.add_group(client, personas).status_code == 302
        group = TeachingGroup.objects.get(name="h3c-wi")
        assert list(group.teachers.all()) == [personas.teacher]
        assert list(group.students.all()) == [personas.student]


@pytest.mark.django_db
def test_key_storable_follows_the_columns_range() -> None:
    pk = ClassMembership._meta.pk  # BigAutoField
    assert key_storable(pk, str(2**63 - 1)) and key_storable(pk, str(-(2**63)))
    assert not key_storable(pk, str(2**63)) and not key_storable(pk, str(-(2**63) - 1))
    assert not key_storable(pk, "") and not key_storable(pk, "één")
    student = TeachingGroup._meta.get_field("students").target_field  # the Student's primary key
    assert key_storable(student, "12") and not key_storable(student, str(2**64))


def test_every_admin_registration_has_the_checks() -> None:
    """Ours are built on InzageModelAdmin; other apps' registrations get the mixin from inzage/web/admin.py."""
    registrations = [(m, admin.site.get_model_admin(m)) for m in apps.get_models() if admin.site.is_registered(m)]
    assert len(registrations) > 40
    for model, model_admin in registrations:
        assert isinstance(model_admin, InputCheckedModelAdminMixin), model._meta.label
        if model._meta.app_config.name.startswith("inzage."):
            assert isinstance(model_admin, InzageModelAdmin), model._meta.label
        for inline in model_admin.inlines:
            assert issubclass(inline, InputCheckedAdminMixin), f"{model._meta.label}: {inline.__name__}"
