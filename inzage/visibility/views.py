"""School pages for visibility: explain/simulate, the policy editor with preview, and the year timeline.

Thin views: resolve who asks, check the role through `inzage.visibility.queries`, call one query or action, render.
Anyone without the right gets 404 (as if the page did not exist).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from inzage.accounts.models import User
from inzage.people.models import GuardianRelation, Student
from inzage.schools.calendar import SchoolCalendar
from inzage.schools.models import School, SchoolClass, SchoolYear
from inzage.visibility import actions
from inzage.visibility.actions import PolicyNeedsConfirmation
from inzage.visibility.kinds import DataKind
from inzage.visibility.models import InformationRequest, Override, PolicyVersion
from inzage.visibility.policy import Viewer, viewer_for
from inzage.visibility.policy.document import PolicyError, PolicySpec, dump_policy, parse_policy
from inzage.visibility.policy.facts import active_policy
from inzage.visibility.policy.impact import policy_impact
from inzage.visibility.policy.timeline import year_timeline
from inzage.visibility.policy_form import MAX_WINDOWS, WindowRow, form_choices, form_read, form_values
from inzage.visibility.queries import (
    explain,
    find_student,
    may_explain,
    may_handle_information_requests,
    may_manage_overrides,
    overrides_for_student,
    policy_preview,
    upcoming,
)


def _administrator(request: HttpRequest) -> Viewer:
    viewer = viewer_for(request.user)
    if viewer.school_id is None or not viewer.has_role("administrator"):
        raise Http404
    return viewer


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# Instants the explain page and the preview accept: beyond these the calendar arithmetic overflows (9999-12-31 plus
# three weeks), and no school rule is about them anyway.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def _parse_local(value: str, tz: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(tz))


def _instant_field(value: str, tz: str, now: dt.datetime) -> tuple[dt.datetime, str]:
    """The instant typed in an "at" field (empty: now), or now with a Dutch message saying what is wrong."""
    if not value.strip():
        return now, ""
    parsed = _parse_local(value.strip(), tz)
    if parsed is None:
        return now, _("Vul een geldig moment in, bijvoorbeeld 15-11-2025 10:00.")
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        return now, _("Kies een moment tussen %(a)s en %(b)s.") % {"a": EARLIEST_YEAR, "b": LATEST_YEAR}
    return parsed, ""


@login_required
def explain_page(request: HttpRequest) -> HttpResponse:
    """ "What does this person see of this student on this date, and why" — for mentors, coordinators, admins."""
    asked_by = viewer_for(request.user)
    if asked_by.staff_id is None:
        raise Http404
    now = timezone.now()
    context: dict[str, object] = {"now": now}
    ref = request.GET.get("student", "").strip()
    if ref:
        student = find_student(school_id=asked_by.school_id, ref=ref)
        if student is None or not may_explain(viewer=asked_by, student=student, at=now):
            raise Http404
        people: list[tuple[User, str]] = [(student.user, _("de leerling"))] if student.user else []
        people += [
            (rel.guardian.user, str(rel.get_custody_display()))
            for rel in student.guardian_relations.select_related("guardian__user")
            if rel.guardian.user is not None
        ]
        context.update(student=student, people=people)
        username = request.GET.get("viewer") or (people[0][0].username if people else "")
        typed = request.GET.get("at", "")
        # A bad date is shown as an error next to the field (keeping what was typed), never silently replaced.
        at, at_error = _instant_field(typed, student.school.timezone, now)
        context.update(at_value=typed, at_error=at_error)
        target = User.objects.filter(username=username, school_id=student.school_id).first()
        if target is not None and not at_error:
            viewer = viewer_for(target)
            context.update(
                target=target,
                at=at,
                at_value=typed or timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"),
                rows=explain(viewer=viewer, student=student, at=at, asked_by=asked_by, now=now),
                upcoming=upcoming(viewer=viewer, student=student, start=at, end=at + dt.timedelta(days=21))[:30],
            )
        elif target is not None:
            context["target"] = target
        context["may_handle_requests"] = may_handle_information_requests(viewer=asked_by, student=student, at=now)
    return render(request, "visibility/explain.html", context)


_PREVIEW_SALT = "inzage.visibility.policy-preview"
PREVIEW_MAX_AGE = 2 * 60 * 60  # seconds a preview stays valid for activation


def _preview_token(*, school_id: int, user_id: int, text: str) -> str:
    """Signed proof that this user previewed exactly this text for this school, against the policy now in force."""
    return signing.dumps(
        {"school": school_id, "user": user_id, "text": _digest(text), "active": _active_number(school_id)},
        salt=_PREVIEW_SALT,
    )


def _previewed(*, token: str, school_id: int, user_id: int, text: str) -> bool:
    try:
        data = signing.loads(token, salt=_PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return False
    expected = {"school": school_id, "user": user_id, "text": _digest(text), "active": _active_number(school_id)}
    return isinstance(data, dict) and data == expected


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _active_number(school_id: int) -> int:
    # Part of the token: when another version is activated after the preview, the counts shown are stale.
    latest = (
        PolicyVersion.objects.filter(school_id=school_id, activated_at__isnull=False)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return latest or 0


def _policy_flow(
    request: HttpRequest, *, school_id: int, user: User, text: str, now: dt.datetime, context: dict[str, object]
) -> HttpResponse | None:
    """Check, preview, save or activate a policy text (both views); fills `context`, or redirects when stored.

    Only the exact text that was previewed can be activated (a signed hash in the form, checked here), and an
    activation that lets anyone see more needs the confirmation checkbox under the counts of who gains what.
    """
    action = request.POST.get("action", "preview")
    typed = request.POST.get("at", "")
    at, at_error = _instant_field(typed, "Europe/Amsterdam", now)
    context.update(at_value=typed, at_error=at_error)
    school = School.objects.get(pk=school_id)
    errors: list[str] = []
    draft: PolicySpec | None = None
    try:
        draft = actions.policy_check(school=school, text=text)
        if action == "activate" and not _previewed(
            token=request.POST.get("previewed", ""), school_id=school_id, user_id=user.pk, text=text
        ):
            errors.append(
                _("Deze tekst is niet (of niet zo) bekeken. Bekijk hieronder opnieuw wat er verandert en activeer dan.")
            )
        elif action in ("save", "activate"):
            version = actions.policy_version_create(
                school=school,
                text=text,
                created_by=user,
                at=now,
                note=request.POST.get("note", "")[:200],
                activate=action == "activate",
                confirmed=request.POST.get("confirm") == "1",
            )
            messages.success(request, _("Versie %(n)s is opgeslagen.") % {"n": version.number})
            return redirect(request.path)
    except PolicyNeedsConfirmation:
        errors.append(_("Vink aan dat u begrijpt dat deze mensen meer gaan zien, en activeer opnieuw."))
        context["confirm_error"] = True
    except PolicyError as exc:
        errors.extend(exc.errors)
    context["errors"] = errors
    if at_error:
        draft = None  # no preview for an instant that is not one; the error stands next to the field
    if draft is not None:
        _preview_into(context, school_id=school_id, user=user, text=text, draft=draft, at=at)
    return None


def _preview_into(
    context: dict[str, object], *, school_id: int, user: User, text: str, draft: PolicySpec, at: dt.datetime
) -> None:
    current = active_policy(school_id)
    context.update(
        preview=policy_preview(school_id=school_id, draft=draft, at=at),
        preview_at=at,
        impact=policy_impact(school_id=school_id, current=current, draft=draft, at=at),
        unchanged=draft == current,
        previewed=_preview_token(school_id=school_id, user_id=user.pk, text=text),
    )


def _policy_versions(school_id: int, request: HttpRequest, context: dict[str, object]) -> PolicyVersion | None:
    """The version history into `context`, and the version chosen with ?version=N (404 when there is none)."""
    versions = list(PolicyVersion.objects.filter(school_id=school_id).select_related("created_by", "activated_by")[:30])
    context["versions"] = versions
    number = request.GET.get("version", "")
    if not number:
        return None
    chosen = next((v for v in versions if str(v.number) == number), None)
    if chosen is None:
        raise Http404
    context["chosen"] = chosen
    return chosen


@login_required
def policy_page(request: HttpRequest) -> HttpResponse:
    """The school's policy as a form: base settings, publication, student-first, consent, staff and calendar windows
    as rows; preview what changes for whom, save as draft or activate. The same flow as the TOML view."""
    viewer = _administrator(request)
    school_id = viewer.school_id
    assert school_id is not None
    user = user_of(request)
    now = timezone.now()
    context: dict[str, object] = form_choices(school_id=school_id)
    chosen = _policy_versions(school_id, request, context)
    status = 200
    if request.method == "POST":
        form, spec = form_read(request.POST, school_id=school_id)
        if "add_row" in request.POST or "remove_row" in request.POST:
            # Adding or removing a row is not a submission: no errors yet, just the form back with one row more/less.
            form.errors.clear()
            if "add_row" in request.POST and len(form.rows) < MAX_WINDOWS:
                form.rows.append(WindowRow())
            context["focus_rows"] = True
        elif spec is None:
            context["errors"] = [_("Het beleid is niet opgeslagen: verbeter wat bij de velden staat.")]
            status = 422
        else:
            done = _policy_flow(
                request, school_id=school_id, user=user, text=dump_policy(spec), now=now, context=context
            )
            if done is not None:
                return done
            if context.get("errors"):
                status = 422
    else:
        spec = active_policy(school_id) if chosen is None else _chosen_spec(chosen)
        form = form_values(spec if spec is not None else active_policy(school_id))
    context["form"] = form
    context["staff_rows"] = [
        (f"staff_{role}", label, form.values[f"staff_{role}"])
        for role, label in context["staff_roles"]  # type: ignore[attr-defined]
    ]
    context["rows"] = [
        {
            "i": i,
            "row": row,
            "errors": {k.removeprefix(f"w{i}_"): v for k, v in form.errors.items() if k.startswith(f"w{i}_")},
        }
        for i, row in enumerate(form.rows)
    ]
    return render(request, "visibility/policy_form.html", context, status=status)


def _chosen_spec(chosen: PolicyVersion) -> PolicySpec | None:
    try:
        return parse_policy(chosen.text)
    except PolicyError:
        return None


@login_required
def policy_toml_page(request: HttpRequest) -> HttpResponse:
    """The advanced view and import format: the school's policy as TOML, with the same preview and activation."""
    viewer = _administrator(request)
    school_id = viewer.school_id
    assert school_id is not None
    user = user_of(request)
    now = timezone.now()
    context: dict[str, object] = {}
    chosen = _policy_versions(school_id, request, context)
    text = chosen.text if chosen is not None else dump_policy(active_policy(school_id))
    if request.method == "POST":
        text = request.POST.get("text", "")
        done = _policy_flow(request, school_id=school_id, user=user, text=text, now=now, context=context)
        if done is not None:
            return done
    elif chosen is not None:
        draft = _chosen_spec(chosen)
        if draft is not None:
            _preview_into(context, school_id=school_id, user=user, text=text, draft=draft, at=now)
    context["text"] = text
    return render(request, "visibility/policy.html", context)


@login_required
def timeline_page(request: HttpRequest) -> HttpResponse:
    """The school year as a calendar: per week, when students and guardians can see each kind."""
    viewer = viewer_for(request.user)
    if viewer.staff_id is None or viewer.school_id is None:
        raise Http404
    today = timezone.localdate()
    years = list(SchoolYear.objects.filter(school_id=viewer.school_id).order_by("start"))
    if not years:
        raise Http404
    chosen = request.GET.get("jaar")
    year = next((y for y in years if str(y.pk) == chosen), None) or next(
        (y for y in years if y.start <= today <= y.end), years[-1]
    )
    classes = list(SchoolClass.objects.filter(school_year=year).select_related("year_group__level"))
    klas = next((c for c in classes if str(c.pk) == request.GET.get("klas")), None)
    columns, weeks = year_timeline(
        year=year, policy=active_policy(viewer.school_id), calendar=SchoolCalendar.load(viewer.school_id), klas=klas
    )
    return render(
        request,
        "visibility/timeline.html",
        {"years": years, "year": year, "classes": classes, "klas": klas, "columns": columns, "weeks": weeks},
    )


OVERRIDE_KINDS = (
    DataKind.GRADES,
    DataKind.AVERAGES,
    DataKind.PERIOD_REPORT,
    DataKind.ATTENDANCE,
    DataKind.BEHAVIOUR,
    DataKind.HOMEWORK,
    DataKind.TIMETABLE,
    DataKind.PLAN,
)


@login_required
def overrides_page(request: HttpRequest, student_id: int) -> HttpResponse:
    """The student's mentor or coordinator opens or closes kinds for a guardian, with a reason and an end date."""
    viewer = viewer_for(request.user)
    now = timezone.now()
    student = Student.objects.filter(pk=student_id, school_id=viewer.school_id or 0).first()
    if student is None or not may_manage_overrides(viewer=viewer, student=student, at=now):
        raise Http404
    relations = list(student.guardian_relations.select_related("guardian"))
    errors: dict[str, str] = {}
    form = {"guardian": "", "effect": "open", "kinds": [], "starts_on": timezone.localdate(now).isoformat(),
            "until": "", "reason": ""}  # fmt: skip
    if request.method == "POST":
        if "revoke" in request.POST:
            revoke = request.POST.get("revoke", "")
            override = Override.objects.filter(pk=int(revoke) if revoke.isdigit() else 0, student=student).first()
            if override is None:
                raise Http404
            actions.override_revoke(override=override, revoked_by=user_of(request), at=now)
            return redirect("visibility:overrides", student_id=student.pk)
        form = {
            "guardian": request.POST.get("guardian", ""),
            "effect": request.POST.get("effect", ""),
            "kinds": [k for k in request.POST.getlist("kinds") if k in OVERRIDE_KINDS],
            "starts_on": request.POST.get("starts_on", "").strip(),
            "until": request.POST.get("until", "").strip(),
            "reason": request.POST.get("reason", ""),
        }
        guardian = next((r.guardian for r in relations if str(r.guardian_id) == form["guardian"]), None)
        if form["guardian"] and guardian is None:
            errors["guardian"] = _("Kies een ouder of verzorger van deze leerling.")
        starts_on = _parse_override_date(str(form["starts_on"]))
        if starts_on is None:
            errors["starts_on"] = _("Vul een geldige begindatum in.")
        until = _parse_override_date(str(form["until"])) if form["until"] else None
        if form["until"] and until is None:
            errors["until"] = _("Vul een geldige einddatum in, of laat het veld leeg.")
        if not errors:
            assert starts_on is not None
            try:
                actions.override_create(
                    student=student,
                    guardian=guardian,
                    effect=str(form["effect"]),
                    kinds=list(form["kinds"]),
                    starts_on=starts_on,
                    until=until,
                    reason=str(form["reason"]),
                    created_by=user_of(request),
                    at=now,
                )
                return redirect("visibility:overrides", student_id=student.pk)
            except ValidationError as exc:
                errors = {field: messages[0] for field, messages in exc.message_dict.items()}
    return render(
        request,
        "visibility/overrides.html",
        {
            "student": student,
            "relations": relations,
            "overrides": overrides_for_student(viewer=viewer, student=student, at=now),
            "kinds": [(k, DataKind(k).label) for k in OVERRIDE_KINDS],
            "errors": errors,
            "form": form,
            "may_handle_requests": may_handle_information_requests(viewer=viewer, student=student, at=now),
        },
        status=422 if errors else 200,
    )


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _parse_override_date(value: str) -> dt.date | None:
    """An ISO date (what a date input sends) within 1900–2100; anything else is None."""
    day = _parse_date(value)
    return day if day is not None and 1900 <= day.year <= 2100 else None


def _told_error(told_on: dt.date | None, request: InformationRequest) -> str:
    """The Dutch message for an impossible "custodial parent told on" date, or ""."""
    if told_on is None:
        return ""
    if told_on > timezone.localdate():
        return _("Deze datum kan niet in de toekomst liggen.")
    if told_on < request.requested_on:
        return _("De ouder met gezag kan niet vóór het verzoek (%(d)s) zijn ingelicht.") % {
            "d": request.requested_on.strftime("%d-%m-%Y")
        }
    return ""


@login_required
def information_requests_page(request: HttpRequest, student_id: int) -> HttpResponse:
    """Requests for information by a parent without custody (law: only on request): record one, grant or refuse it.

    For coordinators over the student and administrators (`may_handle_information_requests`); others get 404.
    """
    viewer = viewer_for(request.user)
    now = timezone.now()
    student = Student.objects.filter(pk=student_id, school_id=viewer.school_id or 0).first()
    if student is None or not may_handle_information_requests(viewer=viewer, student=student, at=now):
        raise Http404
    relations = list(
        student.guardian_relations.filter(custody=GuardianRelation.Custody.WITHOUT_GEZAG)
        .select_related("guardian")
        .order_by("guardian__last_name", "pk")
    )
    requests = list(
        InformationRequest.objects.filter(relation__in=relations)
        .select_related("relation__guardian", "decided_by", "told_recorded_by")
        .order_by("-requested_on", "-pk")
    )
    kinds = [(k, DataKind(k).label) for k in OVERRIDE_KINDS]
    new: dict[str, object] = {"relation": "", "kinds": [], "requested_on": timezone.localdate().isoformat()}
    new_errors: dict[str, str] = {}
    decide_for: int | None = None  # the request whose decision form was posted with errors
    decide_values: dict[str, str] = {}
    decide_errors: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("action") == "create":
        relation_id = request.POST.get("relation", "")
        chosen = [k for k in request.POST.getlist("kinds") if k in OVERRIDE_KINDS]
        requested_text = request.POST.get("requested_on", "")
        new = {"relation": relation_id, "kinds": chosen, "requested_on": requested_text}
        relation = next((r for r in relations if str(r.pk) == relation_id), None)
        requested_on = _parse_date(requested_text)
        if relation is None:
            new_errors["relation"] = _("Kies de ouder zonder gezag die het verzoek deed.")
        if not chosen:
            new_errors["kinds"] = _("Kies ten minste één soort gegevens.")
        if requested_on is None:
            new_errors["requested_on"] = _("Vul een geldige datum in (dd-mm-jjjj).")
        elif requested_on > timezone.localdate():
            new_errors["requested_on"] = _("De datum van het verzoek kan niet in de toekomst liggen.")
        if not new_errors:
            assert relation is not None and requested_on is not None
            actions.information_request_create(relation=relation, kinds=chosen, requested_on=requested_on)
            messages.success(request, _("Het verzoek is vastgelegd."))
            return redirect("visibility:information_requests", student_id=student.pk)
    elif request.method == "POST" and request.POST.get("action") == "decide":
        request_id = request.POST.get("request", "")
        pending = next(
            (r for r in requests if str(r.pk) == request_id and r.status == InformationRequest.Status.PENDING), None
        )
        if pending is None:
            raise Http404
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "")
        told_text = request.POST.get("told_on", "")
        decide_for = pending.pk
        decide_values = {"decision": decision, "reason": reason, "told_on": told_text}
        told_on = _parse_date(told_text) if told_text.strip() else None
        if decision not in ("grant", "refuse"):
            decide_errors["decision"] = _("Kies toekennen of weigeren.")
        if decision == "refuse" and not reason.strip():
            decide_errors["reason"] = _("Een weigering heeft een reden nodig (de wet vraagt dat).")
        if told_text.strip() and told_on is None:
            decide_errors["told_on"] = _("Vul een geldige datum in (dd-mm-jjjj).")
        else:
            told_error = _told_error(told_on, pending)
            if told_error:
                decide_errors["told_on"] = told_error
        if not decide_errors:
            try:
                actions.information_request_decide(
                    request=pending,
                    granted=decision == "grant",
                    reason=reason,
                    custodial_parent_told_on=told_on,
                    decided_by=user_of(request),
                    at=now,
                )
            except ValueError:
                decide_errors["reason"] = _("Een weigering heeft een reden nodig (de wet vraagt dat).")
            else:
                messages.success(request, _("De beslissing is vastgelegd."))
                return redirect("visibility:information_requests", student_id=student.pk)
    elif request.method == "POST" and request.POST.get("action") == "told":
        request_id = request.POST.get("request", "")
        granted = next(
            (
                r
                for r in requests
                if str(r.pk) == request_id
                and r.status == InformationRequest.Status.GRANTED
                and r.custodial_parent_told_on is None
            ),
            None,
        )
        if granted is None:
            raise Http404
        told_text = request.POST.get("told_on", "")
        decide_for = granted.pk
        decide_values = {"told_on": told_text}
        told_on = _parse_date(told_text)
        if told_on is None:
            decide_errors["told_on"] = _("Vul een geldige datum in (dd-mm-jjjj).")
        else:
            told_error = _told_error(told_on, granted)
            if told_error:
                decide_errors["told_on"] = told_error
        if not decide_errors:
            assert told_on is not None
            try:
                actions.information_request_told(request=granted, told_on=told_on, recorded_by=user_of(request), at=now)
            except ValueError:  # someone else recorded it meanwhile
                decide_errors["told_on"] = _("Hier is intussen al een datum voor vastgelegd; laad de pagina opnieuw.")
            else:
                messages.success(request, _("Vastgelegd: de ouder met gezag is ingelicht. De toekenning telt nu."))
                return redirect("visibility:information_requests", student_id=student.pk)
    return render(
        request,
        "visibility/information_requests.html",
        {
            "student": student,
            "relations": relations,
            "groups": [
                (
                    relation,
                    [
                        (
                            r,
                            [str(DataKind(k).label) if k in DataKind.values else k for k in r.kinds or []],
                            decide_values if r.pk == decide_for else {},
                            decide_errors if r.pk == decide_for else {},
                        )
                        for r in requests
                        if r.relation_id == relation.pk
                    ],
                )
                for relation in relations
            ],
            "kinds": kinds,
            "new": new,
            "new_errors": new_errors,
            "decide_errors": decide_errors,
            "today": timezone.localdate().isoformat(),
        },
    )
