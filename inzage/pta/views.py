"""The PTA pages: the list of programmes a person may open, one programme, and adding/changing/withdrawing its items.

Thin views: resolve who asks (`viewer_for`), check access in `access.py` (404 when not yours), call one query or one
action of `inzage.grades.programmes`, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from inzage import clock
from inzage.accounts.models import User
from inzage.grades.programmes import (
    ProgrammeLocked,
    programme_is_fixed,
    programme_item_add,
    programme_item_change,
    programme_item_withdraw,
)
from inzage.pta import access, queries
from inzage.pta.forms import ItemForm
from inzage.visibility.policy import viewer_for


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def index(request: HttpRequest) -> HttpResponse:
    viewer = viewer_for(_user(request))
    rows = access.readable_programmes(viewer=viewer, at=clock.now())
    if not rows and not viewer.is_staff_member and viewer.student_id is None and not viewer.relations:
        raise Http404
    return render(request, "pta/index.html", {"rows": rows})


@login_required
def detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    viewer, now = viewer_for(_user(request)), clock.now()
    found = access.access_programme(viewer=viewer, programme_id=programme_id, at=now)
    page = queries.programme_page(programme=found.programme, at=now, with_changes=viewer.is_staff_member)
    return render(request, "pta/detail.html", {"page": page, "may_change": found.may_change})


def _approval(data: dict[str, Any]) -> dict[str, Any]:
    return {"approved_by": data.get("approved_by"), "approval_reason": (data.get("approval_reason") or "").strip()}


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, programme_id: int) -> HttpResponse:
    viewer, now = viewer_for(_user(request)), clock.now()
    programme = access.access_programme_for_change(viewer=viewer, programme_id=programme_id, at=now)
    fixed = programme_is_fixed(programme=programme, at=now)
    form = ItemForm(request.POST or None, programme=programme, fixed=fixed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = programme_item_add(
                programme=programme,
                code=data["code"],
                name=data["name"],
                period=data["period"],
                kind=data["kind"],
                exam_weight=data["exam_weight"],
                weight=data["weight"],
                resit_allowed=data["resit_allowed"],
                by=_user(request),
                at=now,
                **_approval(data),
            )
        except ProgrammeLocked as err:  # the deadline passed while the form was open
            form.add_error(None, str(err))
        else:
            messages.success(request, _("Toets %(code)s is aan het PTA toegevoegd.") % {"code": item.code})
            return HttpResponseRedirect(reverse("pta:detail", args=[programme.pk]))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "pta/item_form.html",
        {"programme": programme, "form": form, "fixed": fixed, "item": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, programme_id: int, item_id: int) -> HttpResponse:
    viewer, now = viewer_for(_user(request)), clock.now()
    programme = access.access_programme_for_change(viewer=viewer, programme_id=programme_id, at=now)
    item = queries.programme_item(programme=programme, item_id=item_id)
    if item is None:
        raise Http404
    fixed = programme_is_fixed(programme=programme, at=now)
    initial = {f: getattr(item, f) for f in ("name", "period", "kind", "exam_weight", "weight", "resit_allowed")}
    withdrawing = request.method == "POST" and "withdraw" in request.POST
    data = request.POST if request.method == "POST" else None
    form = ItemForm(data, programme=programme, fixed=fixed, item=item, initial=initial, withdrawing=withdrawing)
    if request.method == "POST" and item.withdrawn_at is not None:
        form.add_error(None, _("Deze toets is vervallen; hij kan niet meer veranderen."))
    elif request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            if withdrawing:
                programme_item_withdraw(item=item, by=_user(request), at=now, **_approval(cleaned))
                done = _("Toets %(code)s is vervallen.")
            else:
                changes = {k: cleaned[k] for k in initial if cleaned[k] != initial[k]}
                if not changes:
                    form.add_error(None, _("Er is niets veranderd."))
                    raise _Unchanged
                programme_item_change(item=item, by=_user(request), at=now, **_approval(cleaned), **changes)
                done = _("Toets %(code)s is gewijzigd.")
        except ProgrammeLocked as err:
            form.add_error(None, str(err))
        except _Unchanged:
            pass
        else:
            messages.success(request, done % {"code": item.code})
            return HttpResponseRedirect(reverse("pta:detail", args=[programme.pk]))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "pta/item_form.html",
        {"programme": programme, "form": form, "fixed": fixed, "item": item},
        status=status,
    )


class _Unchanged(Exception):
    pass
