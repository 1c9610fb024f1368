"""The start page. Portal pages (student, parent, teacher, mentor) live in their own packages as they arrive."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inzage.web.queries import home_context


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see the sign-in invitation; signed-in people see who they are here as."""
    return render(request, "web/home.html", home_context(user=request.user))
