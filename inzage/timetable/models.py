"""The timetable: lesson hours, rooms, the weekly pattern per teaching group, concrete lessons and their changes;
homework and test announcements; personal calendar-feed tokens.

Concrete lessons are materialised rows (`Lesson`), one per (pattern entry, date) and one per extra lesson or
test-week sitting, made for the whole school year by `actions.lessons_sync`. Their primary key is the stable identity
other packages attach to (attendance registers per lesson). When the pattern or the calendar changes, `lessons_sync`
withdraws lessons that no longer take place (`withdrawn_at`, never deleted: a registration on it is not lost) and
restores them if they come back.

A lesson's current state (cancelled, room, teacher) is kept on the row for fast reads; every change to it is an
append-only `LessonChange` row with who, when and why, written in the same transaction (`actions.py`).

Contract with the visibility policy (kinds `timetable` and `homework`): a lesson belongs to every student of its
teaching group, and is released to them at `recorded_at`; a homework item likewise at `entered_at`, and is hidden
once `retracted_at` is set. See `policy_fields.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inzage.schools.models import School, check_same_school


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("maandag")
    TUESDAY = 2, _("dinsdag")
    WEDNESDAY = 3, _("woensdag")
    THURSDAY = 4, _("donderdag")
    FRIDAY = 5, _("vrijdag")


class TimetableSettings(models.Model):
    """The school's timetable settings (one row per school; absent means the defaults)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="timetable_settings")
    test_weeks_suspend_lessons = models.BooleanField(
        _("test weeks suspend the normal timetable"),
        default=True,
        help_text=_("In a test week only the test-week sittings take place."),
    )

    class Meta:
        verbose_name = _("timetable settings")
        verbose_name_plural = _("timetable settings")

    def __str__(self) -> str:
        return f"{self.school}"


class Slot(models.Model):
    """A lesson hour (lesuur) on one weekday of a school year: number and times (times may differ per day)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    number = models.PositiveSmallIntegerField(_("lesson hour"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("lesson hour")
        verbose_name_plural = _("lesson hours")
        ordering = ["school_year", "weekday", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "weekday", "number"], name="slot_unique_number"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.number}e uur ({self.start:%H:%M}–{self.end:%H:%M})"

    def clean(self) -> None:
        check_same_school(self, "school_year")
        if self.start and self.end and self.end <= self.start:
            raise ValidationError(_("A lesson hour must end after it starts."))


class Room(models.Model):
    """A room (lokaal) of the school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    code = models.CharField(_("code"), max_length=16, help_text=_("As on the timetable, e.g. B104."))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["school", "code"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="room_unique_code")]

    def __str__(self) -> str:
        return self.code


class Week(models.TextChoices):
    EVERY = "", _("elke week")
    A = "A", _("A-week")
    B = "B", _("B-week")


class PatternEntry(models.Model):
    """One weekly lesson of a teaching group: day, hour, teacher, room, every week or in A/B weeks, between dates.

    A/B weeks alternate per week that has a school day, the school year's first such week being an A-week
    (`timetable.weeks.week_letter`). An import never edits an entry's lesson: it ends the old ones (`valid_until`),
    or marks one that had not begun yet as `superseded_by`, and adds new ones, so past lessons keep their entry.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("schools.TeachingGroup", on_delete=models.CASCADE, related_name="pattern_entries")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    slot_number = models.PositiveSmallIntegerField(_("lesson hour"))
    teacher = models.ForeignKey("people.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("teacher"))
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    week = models.CharField(_("week"), max_length=1, choices=Week.choices, default=Week.EVERY, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until (inclusive)"))
    batch = models.ForeignKey(
        "TimetableImport", on_delete=models.PROTECT, related_name="entries", null=True, blank=True
    )
    # A later import replaced this entry before it began (one that had begun is ended instead): it makes no lessons.
    superseded_by = models.ForeignKey(
        "TimetableImport", on_delete=models.PROTECT, related_name="superseded", null=True, blank=True
    )

    class Meta:
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable entries")
        indexes = [models.Index(fields=["school_year", "group"])]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="pattern_until_after_from"),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.get_weekday_display()} {self.slot_number}e uur {self.week}".strip()

    def clean(self) -> None:
        check_same_school(self, "school_year", "group", "teacher", "room")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError(_("The last day cannot lie before the first day (both days are included)."))


class TimetableImport(models.Model):
    """One applied CSV import of the pattern: who, when, which file (the entries it added point here)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.CASCADE, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("imported at"))
    filename = models.CharField(_("file"), max_length=200, blank=True)
    lines = models.PositiveIntegerField(_("lines"))

    class Meta:
        verbose_name = _("timetable import")
        verbose_name_plural = _("timetable imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.imported_at:%d-%m-%Y %H:%M})"


class Lesson(models.Model):
    """One concrete lesson on one date: from a pattern entry, an extra lesson, or a test-week sitting.

    The stable identity is the primary key; for a lesson from the pattern also (pattern entry, date). `teacher` and
    `room` are the current ones (after a substitute or room change); `planned_teacher`/`planned_room` what the
    pattern said. `changed_at`/`changed_same_day` describe the latest change (for highlighting).
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", _("les")
        EXTRA = "extra", _("extra les")
        TEST = "test", _("toets (toetsweek)")

    class Status(models.TextChoices):
        NORMAL = "normal", _("gaat door")
        CANCELLED = "cancelled", _("vervalt")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey("schools.SchoolYear", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("schools.TeachingGroup", on_delete=models.CASCADE, related_name="lessons")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.REGULAR)
    pattern_entry = models.ForeignKey(
        PatternEntry, on_delete=models.PROTECT, related_name="lessons", null=True, blank=True
    )
    date = models.DateField(_("date"))
    slot_number = models.PositiveSmallIntegerField(_("lesson hour"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    planned_teacher = models.ForeignKey("people.Staff", on_delete=models.PROTECT, related_name="+")
    planned_room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    teacher = models.ForeignKey("people.Staff", on_delete=models.PROTECT, related_name="lessons")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NORMAL)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    label = models.CharField(_("label"), max_length=200, blank=True, help_text=_("For a test: what is tested."))
    recorded_at = models.DateTimeField(_("recorded at"))
    changed_at = models.DateTimeField(_("last changed at"), null=True, blank=True)
    changed_same_day = models.BooleanField(_("changed on the day itself"), default=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["starts_at", "group_id"]
        indexes = [
            models.Index(fields=["group", "date"]),
            models.Index(fields=["teacher", "date"]),
            models.Index(fields=["school", "date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pattern_entry", "date"],
                condition=Q(pattern_entry__isnull=False),
                name="lesson_unique_entry_date",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="lesson_end_after_start"),
            models.CheckConstraint(
                condition=Q(kind="regular", pattern_entry__isnull=False) | ~Q(kind="regular"),
                name="lesson_regular_has_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.date:%d-%m-%Y} {self.slot_number or ''}".strip()

    @property
    def cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def room_changed(self) -> bool:
        return self.room_id != self.planned_room_id

    @property
    def substituted(self) -> bool:
        return self.teacher_id != self.planned_teacher_id


class LessonChange(models.Model):
    """One change to a lesson, append-only: what changed, to what, who made it, when, and why."""

    class Kind(models.TextChoices):
        CANCEL = "cancel", _("uitval")
        RESTORE = "restore", _("gaat toch door")
        ROOM = "room", _("lokaalwijziging")
        SUBSTITUTE = "substitute", _("vervanging")
        EXTRA = "extra", _("extra les")
        TEST = "test", _("toetsweekzitting")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    teacher = models.ForeignKey("people.Staff", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    made_at = models.DateTimeField(_("made at"))
    same_day = models.BooleanField(_("made on the day of the lesson"), default=False)

    class Meta:
        verbose_name = _("lesson change")
        verbose_name_plural = _("lesson changes")
        ordering = ["lesson", "made_at", "pk"]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.get_kind_display()}"


class Homework(models.Model):
    """Homework or a test announcement for a teaching group, due at a lesson (or a date), entered by its teacher.

    `retracted_at` hides it from students and parents (kept, with who removed it).
    """

    class Kind(models.TextChoices):
        HOMEWORK = "homework", _("huiswerk")
        LEARN = "learn", _("leren voor toets")
        HAND_IN = "hand_in", _("inleveren")
        TEST = "test", _("toets")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("schools.TeachingGroup", on_delete=models.CASCADE, related_name="homework")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="homework", null=True, blank=True)
    due_date = models.DateField(_("due"))
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.HOMEWORK)
    text = models.TextField(_("text"), max_length=4000)
    entered_by = models.ForeignKey("people.Staff", on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"))
    updated_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    retracted_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("homework")
        verbose_name_plural = _("homework")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["group", "due_date"])]

    def __str__(self) -> str:
        return f"{self.group} {self.due_date:%d-%m-%Y} {self.get_kind_display()}"


class HomeworkDone(models.Model):
    """A student's own "done" tick on a homework item: only that student sees it."""

    student = models.ForeignKey("people.Student", on_delete=models.CASCADE, related_name="+")
    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="done_ticks")
    done_at = models.DateTimeField(_("done at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "homework"], name="homeworkdone_unique")]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.homework_id}"


class FeedToken(models.Model):
    """A person's secret calendar-feed token. Only its SHA-256 is stored; revoked tokens answer 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="feedtoken_one_active_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.created_at:%d-%m-%Y})"
