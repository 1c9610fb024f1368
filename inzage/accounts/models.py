"""One account per person: students, guardians and staff each sign in with their own."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class UserQuerySet(models.QuerySet["User"]):
    """`update()` (and `bulk_update`, which uses it) moves the accounts' version counters in the same transaction,
    as `save()` does through the signals: the signed-in account is served from the session until its counter moves
    (`inzage.accounts.session_account`), so a deactivation must move it however it is written."""

    def update(self, **kwargs: Any) -> int:
        from inzage.visibility.versions import versions_bump

        with transaction.atomic(using=self.db):
            accounts = list(self.values_list("pk", "school_id"))
            updated = super().update(**kwargs)
            by_school: dict[int | None, list[int]] = {}
            for pk, school_id in accounts:
                by_school.setdefault(school_id, []).append(pk)
            for school_id, pks in by_school.items():
                versions_bump(school_id=school_id, student_ids=[], user_ids=pks)
        return updated

    update.alters_data = True  # type: ignore[attr-defined]


class SchoolUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's `UserManager` (create_user, create_superuser...) on `UserQuerySet`."""


class User(AbstractUser):
    """A person's account. Belongs to one school (null only for platform operators).

    Which person the account is (a student, a guardian, a staff member) is recorded on that person's row
    (`Student.user`, `Guardian.user`, `Staff.user`); there are no shared family accounts.
    """

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("school"),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=[("nl", "Nederlands"), ("en", "English")], default="nl"
    )

    objects: ClassVar[SchoolUserManager] = SchoolUserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
