from inzage.testing.roles import ALL_PERSONAS, roles, user_of

__all__ = ["ALL_PERSONAS", "roles", "user_of"]
