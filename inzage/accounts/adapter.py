"""Sign-in rules: accounts are created by the school, never by self-service sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class SchoolAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """The school creates every account (students, guardians, staff); nobody signs up alone."""
        return False
