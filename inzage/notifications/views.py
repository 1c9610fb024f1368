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
from inzage.notifications.actions import notices_mark_read, preference_set, unsubscribe_read
from inzage.notifications.models import FOLLOWED_KINDS, Frequency
from inzage.visibility.policy.facts import viewer_for

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
    listing = queries.notices_for(viewer=viewer_for(user), user=user, at=now)
    return render(request, "notifications/index.html", {"listing": listing})


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
        cleaned = {}
        for kind in FOLLOWED_KINDS:
            if not any(f"{kind}-{field}" in request.POST for field in ("frequency", "hour", "weekday")):
                continue  # a kind the form did not send keeps its setting (an older page, a partial post)
            typed = {
                "frequency": request.POST.get(f"{kind}-frequency", ""),
                "hour": request.POST.get(f"{kind}-hour", "").strip(),
                "weekday": request.POST.get(f"{kind}-weekday", "").strip(),
            }
            values[kind] = typed
            if typed["frequency"] not in Frequency.values:
                errors[f"{kind}-frequency"] = _("Kies hoe vaak je een melding wilt.")
            if not typed["hour"].isdigit() or not 0 <= int(typed["hour"]) <= 23:
                errors[f"{kind}-hour"] = _("Kies een uur van 0 tot en met 23.")
            if not typed["weekday"].isdigit() or not 0 <= int(typed["weekday"]) <= 6:
                errors[f"{kind}-weekday"] = _("Kies een dag van de week.")
            if not any(k.startswith(kind) for k in errors):
                cleaned[kind] = (typed["frequency"], int(typed["hour"]), int(typed["weekday"]))
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
