"""The notifications page, the settings page and the unsubscribe link (thin: parse, call, render)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from inzage import clock
from inzage.accounts.models import User
from inzage.notifications import queries
from inzage.notifications.actions import notices_mark_read, preference_set, school_default_set, unsubscribe_read
from inzage.notifications.models import FOLLOWED_KINDS, Audience, Frequency
from inzage.visibility.policy.facts import request_viewer

WEEKDAYS = [
    gettext_lazy("maandag"),
    gettext_lazy("dinsdag"),
    gettext_lazy("woensdag"),
    gettext_lazy("donderdag"),
    gettext_lazy("vrijdag"),
    gettext_lazy("zaterdag"),
    gettext_lazy("zondag"),
]


@login_required
@require_http_methods(["GET", "POST"])
def notices(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    now = clock.now()
    if request.method == "POST":
        notices_mark_read(user=user, at=now)
        return redirect("notifications:index")
    listing = queries.notices_for(viewer=request_viewer(request), user=user, at=now)
    return render(request, "notifications/index.html", {"listing": listing})


def _read_choices(
    request: HttpRequest, prefixes: list[str], values: dict[str, dict[str, str]], errors: dict[str, str]
) -> dict[str, tuple[str, int, int]]:
    """The (frequency, hour, weekday) posted per prefix; what was typed goes back into `values`, a refusal into
    `errors` next to its field. A prefix the form did not send at all keeps its setting (an older page)."""
    cleaned = {}
    for prefix in prefixes:
        if not any(f"{prefix}-{field}" in request.POST for field in ("frequency", "hour", "weekday")):
            continue
        typed = {
            "frequency": request.POST.get(f"{prefix}-frequency", ""),
            "hour": request.POST.get(f"{prefix}-hour", "").strip(),
            "weekday": request.POST.get(f"{prefix}-weekday", "").strip(),
        }
        values[prefix] = typed
        if typed["frequency"] not in Frequency.values:
            errors[f"{prefix}-frequency"] = _("Kies hoe vaak je een melding wilt.")
        if not typed["hour"].isdigit() or not 0 <= int(typed["hour"]) <= 23:
            errors[f"{prefix}-hour"] = _("Kies een uur van 0 tot en met 23.")
        if not typed["weekday"].isdigit() or not 0 <= int(typed["weekday"]) <= 6:
            errors[f"{prefix}-weekday"] = _("Kies een dag van de week.")
        if not any(k.startswith(f"{prefix}-") for k in errors):
            cleaned[prefix] = (typed["frequency"], int(typed["hour"]), int(typed["weekday"]))
    return cleaned


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    current = queries.choices_of(user=user)
    values = {
        kind: {"frequency": c.frequency, "hour": str(c.hour), "weekday": str(c.weekday)} for kind, c in current.items()
    }
    errors: dict[str, str] = {}
    saved = False
    if request.method == "POST":
        cleaned = _read_choices(request, list(FOLLOWED_KINDS), values, errors)
        if not errors:
            for kind, (frequency, hour, weekday) in cleaned.items():
                preference_set(user=user, kind=kind, frequency=frequency, hour=hour, weekday=weekday)
            saved = True
    rows = [{"kind": kind, "label": queries.KIND_LABELS[kind], "values": values[kind]} for kind in FOLLOWED_KINDS]
    return render(
        request,
        "notifications/settings.html",
        {
            "rows": rows,
            "errors": errors,
            "saved": saved,
            "frequencies": Frequency.choices,
            "hours": range(24),
            "weekdays": list(enumerate(WEEKDAYS)),
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_defaults_page(request: HttpRequest) -> HttpResponse:
    """The school's defaults per audience and kind, for the school's administrators; anyone else gets 404."""
    viewer = request_viewer(request)
    if viewer.school_id is None or not viewer.has_role("administrator"):
        raise Http404
    school_id = viewer.school_id
    current = queries.school_defaults(school_id=school_id)
    key = "{}-{}".format
    values = {
        key(a, k): {"frequency": c.frequency, "hour": str(c.hour), "weekday": str(c.weekday)}
        for (a, k), c in current.items()
    }
    errors: dict[str, str] = {}
    saved = False
    if request.method == "POST":
        cleaned = _read_choices(request, list(values), values, errors)
        if not errors:
            for prefix, (frequency, hour, weekday) in cleaned.items():
                audience, kind = prefix.split("-", 1)
                school_default_set(
                    school_id=school_id, audience=audience, kind=kind, frequency=frequency, hour=hour, weekday=weekday
                )
            saved = True
    groups = [
        {
            "label": label,
            "rows": [
                {"kind": key(a, k), "label": queries.KIND_LABELS[k], "values": values[key(a, k)]}
                for k in FOLLOWED_KINDS
                if (a, k) in current
            ],
        }
        for a, label in Audience.choices
    ]
    return render(
        request,
        "notifications/school_defaults.html",
        {
            "groups": groups,
            "errors": errors,
            "saved": saved,
            "frequencies": Frequency.choices,
            "hours": range(24),
            "weekdays": list(enumerate(WEEKDAYS)),
        },
        status=422 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Works without signing in and changes only the one setting the link names. GET asks (mail scanners open links);
    POST (the button, or a mail program's one-click unsubscribe, RFC 8058) turns it off."""
    found = unsubscribe_read(token)
    if found is None:
        raise Http404
    user_id, kind = found
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Http404
    done = False
    if request.method == "POST":
        preference_set(user=user, kind=kind, frequency=Frequency.OFF)
        done = True
    return render(request, "notifications/unsubscribe.html", {"kind_label": queries.KIND_LABELS[kind], "done": done})
