"""One account per person: students, guardians and staff each sign in with their own."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
