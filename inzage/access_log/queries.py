"""Reads of the access log: the student's and parents' own list, the administrators' search, the scraping
signals and the use in numbers. Each page's student data goes through the engine (kind `access_log`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.http import Http404

from inzage.access_log.models import AccessLogSettings, AccessRead, ScrapingSignal
from inzage.accounts.models import User
from inzage.people.models import GuardianRelation, Staff, Student
from inzage.visibility.kinds import DataKind
from inzage.visibility.policy import Viewer, context_for
from inzage.visibility.policy.facts import staff_facts_prime
from inzage.visibility.queries import kind_probe

ROLE_LABELS = {
    "mentor": "mentor",
    "teacher": "vakdocent",
    "coordinator": "coördinator",
    "care_coordinator": "zorgcoördinator",
    "attendance_officer": "verzuimcoördinator",
    "exam_secretary": "examensecretaris",
    "administrator": "beheerder",
}
AUDIENCE_LABELS = {"student": "leerling", "guardian": "ouder/verzorger", "staff": "medewerker"}
KIND_LABELS = {str(k.value): str(k.label) for k in DataKind}
CHANNEL_LABELS = {str(c.value): str(c.label) for c in AccessRead.Channel}
SUBJECT_LIMIT = 300  # rows read for the student's own page (grouped into fewer lines)
SMALL = 5  # counts of people below this are shown as "< 5" on the use-in-numbers page


def role_label(row: AccessRead) -> str:
    """'mentor', 'vakdocent wiskunde', 'ouder/verzorger': who read, by role, never by name."""
    if row.audience != "staff":
        return AUDIENCE_LABELS.get(row.audience, row.audience)
    parts = []
    for role in row.role_list:
        label = ROLE_LABELS.get(role, role)
        if role == "teacher" and row.subject_list:
            label = f"{label} {', '.join(row.subject_list)}"
        parts.append(label)
    return ", ".join(parts) or AUDIENCE_LABELS["staff"]


def kinds_label(row: AccessRead) -> str:
    return ", ".join(KIND_LABELS.get(k, k) for k in row.kind_list)


def may_see_log(*, viewer: Viewer, student_id: int, at: dt.datetime) -> bool:
    """The engine's decision on the student's access log for this viewer (and so a logged read of it)."""
    ctx = context_for(viewer=viewer, student_id=student_id, at=at)
    return ctx.decide(kind_probe(student_id=student_id, kind=DataKind.ACCESS_LOG)).visible


# ------------------------------------------------------------------------------------- the student's own page


@dataclass
class Line:
    day: dt.date
    first: dt.datetime
    last: dt.datetime
    who: str
    name: str
    kinds: str
    channel: str
    count: int
    own: bool


@dataclass
class SubjectLog:
    lines: list[Line]
    truncated: bool
    shows_names: bool


CUSTODY = (GuardianRelation.Custody.WITH_GEZAG, GuardianRelation.Custody.GUARDIAN_INSTITUTION)


def subject_log_allowed(*, viewer: Viewer, student: Student, at: dt.datetime) -> bool:
    """Whether this viewer may read the student's log (the rule `subject_log` states)."""
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    if ctx.audience == "guardian":
        if ctx.relation is None or ctx.relation.custody not in CUSTODY or student.age_on(ctx.today) >= 18:
            return False
    elif ctx.audience != "student":
        return False
    return may_see_log(viewer=viewer, student_id=student.pk, at=at)


def subject_log(*, viewer: Viewer, student: Student, at: dt.datetime) -> SubjectLog:
    """When and why the student's data was consulted, newest first; Http404 unless this viewer may see it.

    Who may: the student, and a guardian with custody while the student is a minor — and only as far as the engine
    shows kind `access_log` (court orders, consent at 18...). What is listed: every read by someone other than the
    student; a guardian sees the school's reads and their own, not another guardian's (that is the other parent's
    business, not the school's). Staff are named by role; by name only if the school chose so."""
    if not subject_log_allowed(viewer=viewer, student=student, at=at):
        raise Http404
    ctx = context_for(viewer=viewer, student_id=student.pk, at=at)
    rows = AccessRead.objects.filter(student_id=student.pk, school_id=student.school_id)
    if student.user_id is not None:
        rows = rows.exclude(user_id=student.user_id)
    if ctx.audience == "guardian":
        rows = rows.filter(~Q(audience="guardian") | Q(user_id=viewer.user_id))
    found = list(rows.order_by("-at", "-pk")[: SUBJECT_LIMIT + 1])
    truncated = len(found) > SUBJECT_LIMIT
    found = found[:SUBJECT_LIMIT]
    settings_row = AccessLogSettings.objects.filter(school_id=student.school_id).first()
    show_names = bool(settings_row and settings_row.show_names)
    names: dict[int, str] = {}
    if show_names:
        staff_ids = {r.user_id for r in found if r.audience == "staff"}
        names = {s.user_id: s.full_name for s in Staff.objects.filter(user_id__in=staff_ids) if s.user_id}
    zone = ZoneInfo(student.school.timezone)
    lines: list[Line] = []
    for row in found:  # newest first; consecutive reads alike on the same day become one line
        local = row.at.astimezone(zone)
        who, kinds, channel = role_label(row), kinds_label(row), CHANNEL_LABELS.get(row.channel, row.channel)
        last = lines[-1] if lines else None
        if (
            last is not None
            and last.day == local.date()
            and last.who == who
            and last.kinds == kinds
            and last.channel == channel
            and last.own == (row.user_id == viewer.user_id)
            and last.name == names.get(row.user_id, "")
        ):
            last.first = local
            last.count += 1
            continue
        lines.append(
            Line(
                day=local.date(),
                first=local,
                last=local,
                who=who,
                name=names.get(row.user_id, ""),
                kinds=kinds,
                channel=channel,
                count=1,
                own=row.user_id == viewer.user_id,
            )
        )
    return SubjectLog(lines=lines, truncated=truncated, shows_names=show_names)


# ------------------------------------------------------------------------------------ the administrators' search

ROLE_CHOICES = [
    ("", "alle"),
    ("student", "leerling"),
    ("guardian", "ouder/verzorger"),
    *((code, label) for code, label in ROLE_LABELS.items()),
]
KIND_CHOICES = [("", "alle"), *((str(k.value), str(k.label)) for k in DataKind)]


class SearchForm(forms.Form):
    leerling = forms.CharField(label="Leerling (naam of leerlingnummer)", max_length=100, required=False)
    account = forms.CharField(label="Account (gebruikersnaam)", max_length=150, required=False)
    rol = forms.ChoiceField(label="Rol", choices=ROLE_CHOICES, required=False)
    soort = forms.ChoiceField(label="Gegevens", choices=KIND_CHOICES, required=False)
    van = forms.DateField(label="Van", required=False, input_formats=["%Y-%m-%d", "%d-%m-%Y"])
    tot = forms.DateField(label="Tot en met", required=False, input_formats=["%Y-%m-%d", "%d-%m-%Y"])
    pagina = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("van"), data.get("tot")
        if start and end and end < start:
            self.add_error("tot", "De einddatum ligt voor de begindatum.")
        return data


@dataclass
class SearchRow:
    at: dt.datetime
    student: Student | None
    account: str
    name: str
    who: str
    kinds: str
    channel: str
    route: str
    cached: bool


@dataclass
class SearchResult:
    rows: list[SearchRow] = field(default_factory=list)
    page: Page | None = None
    total: int = 0
    hidden: int = 0  # rows of students whose log the engine does not show this administrator


PER_PAGE = 50


def search(*, viewer: Viewer, form: SearchForm, at: dt.datetime) -> SearchResult:
    """The school's log filtered as asked, newest first, 50 a page; a constant number of queries."""
    result = SearchResult()
    if form.is_bound and not form.is_valid():
        return result
    data = form.cleaned_data if form.is_bound else {}
    school_id = viewer.school_id or 0
    rows = AccessRead.objects.filter(school_id=school_id)
    if term := (data.get("leerling") or "").strip():
        matching = Student.objects.filter(school_id=school_id).filter(
            Q(student_number=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        )
        rows = rows.filter(student_id__in=list(matching.values_list("pk", flat=True)[:500]))
    if username := (data.get("account") or "").strip():
        users = User.objects.filter(school_id=school_id, username__icontains=username)
        rows = rows.filter(user_id__in=list(users.values_list("pk", flat=True)[:500]))
    if role := data.get("rol"):
        rows = (
            rows.filter(audience=role) if role in ("student", "guardian") else rows.filter(roles__contains=f",{role},")
        )
    if kind := data.get("soort"):
        rows = rows.filter(kinds__contains=f",{kind},")
    zone = ZoneInfo("Europe/Amsterdam")
    if start := data.get("van"):
        rows = rows.filter(at__gte=dt.datetime.combine(start, dt.time(), zone))
    if end := data.get("tot"):
        rows = rows.filter(at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone))
    paginator = Paginator(rows.order_by("-at", "-pk"), PER_PAGE)
    page = paginator.get_page(data.get("pagina") or 1)
    found: list[AccessRead] = list(page.object_list)
    result.page, result.total = page, paginator.count
    student_ids = {r.student_id for r in found}
    staff_facts_prime(viewer=viewer, student_ids=student_ids)
    visible = {sid for sid in student_ids if may_see_log(viewer=viewer, student_id=sid, at=at)}
    students = {s.pk: s for s in Student.objects.filter(pk__in=visible)}
    accounts = dict(User.objects.filter(pk__in={r.user_id for r in found}).values_list("pk", "username"))
    names = {s.user_id: s.full_name for s in Staff.objects.filter(user_id__in={r.user_id for r in found}) if s.user_id}
    for r in found:
        if r.student_id not in visible:
            result.hidden += 1
            continue
        result.rows.append(
            SearchRow(
                at=r.at,
                student=students.get(r.student_id),
                account=accounts.get(r.user_id, "(verwijderd)"),
                name=names.get(r.user_id, ""),
                who=role_label(r),
                kinds=kinds_label(r),
                channel=CHANNEL_LABELS.get(r.channel, r.channel),
                route=r.route,
                cached=r.cached,
            )
        )
    return result


# ------------------------------------------------------------------------------------------- scraping signals


@dataclass
class ReadSummary:
    student: Student | None
    reads: int
    first: dt.datetime
    last: dt.datetime


@dataclass
class SignalRow:
    signal: ScrapingSignal
    read: list[ReadSummary]


def scraping_signals(*, viewer: Viewer, at: dt.datetime, limit: int = 50) -> list[SignalRow]:
    """The school's latest signals, each with what the account read from an hour before it until the throttle
    ended (per student: how many reads, first and last). A constant number of queries."""
    school_id = viewer.school_id or 0
    signals = list(
        ScrapingSignal.objects.filter(school_id=school_id).select_related("user").order_by("-detected_at")[:limit]
    )
    if not signals:
        return []
    start = min(s.detected_at for s in signals) - dt.timedelta(hours=1)
    end = max(s.blocked_until for s in signals)
    summary: list[dict[str, Any]] = [
        dict(row)
        for row in AccessRead.objects.filter(
            school_id=school_id, user_id__in={s.user_id for s in signals}, at__gte=start, at__lte=end
        )
        .values("user_id", "student_id")
        .annotate(n=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("user_id", "-n")
    ]
    student_ids = {row["student_id"] for row in summary}
    staff_facts_prime(viewer=viewer, student_ids=student_ids)
    visible = {sid for sid in student_ids if may_see_log(viewer=viewer, student_id=sid, at=at)}
    students = {s.pk: s for s in Student.objects.filter(pk__in=visible)}
    out = []
    for s in signals:
        read = [
            ReadSummary(student=students.get(row["student_id"]), reads=row["n"], first=row["first"], last=row["last"])
            for row in summary
            if row["user_id"] == s.user_id
            and s.detected_at - dt.timedelta(hours=1) <= row["last"]
            and row["first"] <= s.blocked_until
        ]
        out.append(SignalRow(signal=s, read=read))
    return out


# ------------------------------------------------------------------------------------------- use in numbers


@dataclass
class WeekRow:
    monday: dt.date
    audience: str
    by_kind: dict[str, int]
    total: int
    people: str  # "< 5" for small numbers: the page shows how much, never who


@dataclass
class UsageReport:
    kinds: list[tuple[str, str]]
    weeks: list[WeekRow]
    hours: list[tuple[int, int, int]]  # (hour, student reads, guardian reads)
    hour_max: int
    start: dt.date
    end: dt.date


USAGE_AUDIENCES = ("student", "guardian")


def _people(n: int) -> str:
    return f"< {SMALL}" if 0 < n < SMALL else str(n)


def usage(*, school_id: int, weeks: int, until: dt.datetime, zone_name: str = "Europe/Amsterdam") -> UsageReport:
    """Reads by students and by parents per ISO week and kind, and per hour of the day (school time), over the last
    `weeks` weeks up to `until`. Counts only: two queries, no names, no ids."""
    zone = ZoneInfo(zone_name)
    today = until.astimezone(zone).date()
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    start = dt.datetime.combine(first_monday, dt.time(), zone)
    rows = AccessRead.objects.filter(school_id=school_id, audience__in=USAGE_AUDIENCES, at__gte=start, at__lte=until)
    # Per day (then summed into weeks here): TruncWeek is not in SQLite's date functions with a time zone.
    per_kind = {f"k_{k}": Count("id", filter=Q(kinds__contains=f",{k},")) for k in KIND_LABELS}
    daily = (
        rows.annotate(day=TruncDate("at", tzinfo=zone))
        .values("day", "audience")
        .annotate(total=Count("id"), **per_kind)
        .order_by("day", "audience")
    )
    people_per_week = _people_per_week(rows, zone)
    weeks_map: dict[tuple[dt.date, str], WeekRow] = {}
    used: set[str] = {str(DataKind.GRADES)}
    for found in daily:
        d: dict[str, Any] = dict(found)
        monday = d["day"] - dt.timedelta(days=d["day"].weekday())
        key = (monday, d["audience"])
        row = weeks_map.get(key)
        if row is None:
            row = weeks_map[key] = WeekRow(
                monday=monday,
                audience=d["audience"],
                by_kind=dict.fromkeys(KIND_LABELS, 0),
                total=0,
                people=_people(people_per_week.get(key, 0)),
            )
        row.total += d["total"]
        for k in KIND_LABELS:
            row.by_kind[k] += d[f"k_{k}"]
            if d[f"k_{k}"]:
                used.add(k)
    hours_q = rows.annotate(hour=ExtractHour("at", tzinfo=zone)).values("hour", "audience").annotate(n=Count("id"))
    by_hour = {(h["hour"], h["audience"]): h["n"] for h in hours_q}
    hours = [(h, by_hour.get((h, "student"), 0), by_hour.get((h, "guardian"), 0)) for h in range(24)]
    kinds = [(k, label) for k, label in KIND_LABELS.items() if k in used]
    week_rows = sorted(weeks_map.values(), key=lambda r: (r.monday, r.audience), reverse=True)
    for r in week_rows:
        r.by_kind = {k: r.by_kind[k] for k, _label in kinds}
    return UsageReport(
        kinds=kinds,
        weeks=week_rows,
        hours=hours,
        hour_max=max([max(s, g) for _h, s, g in hours] + [1]),
        start=first_monday,
        end=today,
    )


def _people_per_week(rows: Any, zone: ZoneInfo) -> dict[tuple[dt.date, str], int]:
    """Distinct accounts per week and audience (one query: distinct (day, account) pairs folded into weeks)."""
    pairs = rows.annotate(day=TruncDate("at", tzinfo=zone)).values_list("day", "audience", "user_id").distinct()
    seen: dict[tuple[dt.date, str], set[int]] = {}
    for day, audience, user_id in pairs:
        seen.setdefault((day - dt.timedelta(days=day.weekday()), audience), set()).add(user_id)
    return {key: len(users) for key, users in seen.items()}
