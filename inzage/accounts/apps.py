from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_school_admin_group(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # Model permissions are created by each app's own post_migrate; "people" is migrated after "accounts" and
    # "schools" (INSTALLED_APPS order), so by its signal all three apps' permissions exist.
    if sender.label != "people":
        return
    from inzage.accounts.actions import school_admin_group_ensure

    school_admin_group_ensure()


class AccountsConfig(AppConfig):
    name = "inzage.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        post_migrate.connect(_ensure_school_admin_group, dispatch_uid="inzage.accounts.school_admin_group")
        from django.contrib.auth.signals import user_logged_in

        from inzage.accounts.session_account import copy_at_sign_in

        # After django.contrib.auth's update_last_login (connected when auth became ready): the counter it moved.
        user_logged_in.connect(copy_at_sign_in, dispatch_uid="inzage.accounts.copy_at_sign_in")
        # Signal receivers: count failed sign-ins; mark staff sessions at sign-in.
        from inzage.accounts import staff_sessions, throttle  # noqa: F401
