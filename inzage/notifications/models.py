"""Notices: a message that something became visible to a person, sent once, at once or in a digest.

A `Notice` is the outbox row: one per (account, kind, item) — the idempotency key — planned for the instant the item
becomes visible to that account (`visible_at`, the engine's own answer) and sent at `due_at` (that instant, or the
person's digest moment, outside quiet hours). It never holds the value, only what kind of item and where to look.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inzage.people.models import Student
from inzage.schools.models import School

# Kinds a person can follow (the engine's kinds; later packages add theirs to `inzage.notifications.sources`).
FOLLOWED_KINDS = ("grades", "period_report", "homework", "cancellation")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("direct")
    DAILY = "daily", _("dagelijks overzicht")
    WEEKLY = "weekly", _("wekelijks overzicht")
    OFF = "off", _("uit")


class Audience(models.TextChoices):
    STUDENT = "student", _("leerlingen")
    GUARDIAN = "guardian", _("ouders en verzorgers")


class Preference(models.Model):
    """One person's choice for one kind; without a row the school's default for their audience applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    hour = models.PositiveSmallIntegerField(default=17)  # digest hour, school's local time
    weekday = models.PositiveSmallIntegerField(default=4)  # weekly digest day, 0 = Monday
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.frequency}"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(condition=Q(hour__lte=23) & Q(weekday__lte=6), name="notification_preference_time"),
        ]


class SchoolDefault(models.Model):
    """The school's default per audience and kind (e.g. parents: a weekly digest for grades)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=12, choices=Audience.choices)
    kind = models.CharField(max_length=32)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    hour = models.PositiveSmallIntegerField(default=17)
    weekday = models.PositiveSmallIntegerField(default=4)

    def __str__(self) -> str:
        return f"{self.audience} {self.kind}: {self.frequency}"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "audience", "kind"], name="notification_default_once"),
        ]


class Notice(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("gepland")
        SENT = "sent", _("verstuurd")
        DROPPED = "dropped", _("vervallen")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    item_id = models.BigIntegerField()
    subject_name = models.CharField(max_length=200, blank=True)  # "wiskunde"; never the value
    item_date = models.DateField(null=True, blank=True)  # a lesson's or homework's day (the link goes there)
    visible_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    claimed_until = models.DateTimeField(null=True, blank=True)  # a worker's lease; expired leases are taken over
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    dropped_reason = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"notice {self.pk}: {self.kind} {self.item_id} for {self.user_id} ({self.status})"

    class Meta:
        constraints = [
            # The idempotency key: a person hears of an item once, however often it is planned or retried.
            models.UniqueConstraint(fields=["user", "kind", "item_id", "student"], name="notice_once_per_item"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="notice_due")]


class PlanState(models.Model):
    """How far the planner has looked for a student: the student's version counter and the instant it planned to."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="+", primary_key=True)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    counter = models.BigIntegerField(default=-1)
    school_counter = models.BigIntegerField(default=-1)
    planned_from = models.DateTimeField()
    planned_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"plan of student {self.student_id} until {self.planned_until}"
