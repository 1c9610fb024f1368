"""The kinds of student data, each with its own visibility. Shared vocabulary of every package."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKind(models.TextChoices):
    GRADES = "grades", _("cijfers")
    AVERAGES = "averages", _("gemiddelden en rapportcijfers")
    PERIOD_REPORT = "period_report", _("rapport")
    ATTENDANCE = "attendance", _("aanwezigheid")
    BEHAVIOUR = "behaviour", _("gedrag en maatregelen")
    CARE_NOTES = "care_notes", _("zorgnotities")
    HOMEWORK = "homework", _("huiswerk")
    TIMETABLE = "timetable", _("rooster")
    PLAN = "plan", _("succesplan en reflecties")
    PERSONAL_DATA = "personal_data", _("persoonsgegevens")
    ACCESS_LOG = "access_log", _("inzagelog")


ALL_KINDS: frozenset[str] = frozenset(DataKind.values)
