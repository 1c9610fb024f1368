"""Fixtures: the role personas, results relative to now, the persona accounts (inzage.testing.roles)."""

from inzage.testing.roles import ALL_PERSONAS, grade, roles, user_of

__all__ = ["ALL_PERSONAS", "grade", "roles", "user_of"]
