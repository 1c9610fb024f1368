"""The admins other apps register (auth's groups, allauth, the task results) take the project's input checks too.

Their classes are not ours to change, so each is registered again as a subclass with
`inzage.web.admin_base.InputCheckedModelAdminMixin` in front. The admin discovers `admin.py` modules in the order of
INSTALLED_APPS; every third-party app comes before `inzage.web`, and every `inzage` admin is built on the base itself
(`inzage/web/tests/test_admin_base.py` checks both).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin

from inzage.web.admin_base import InputCheckedModelAdminMixin


def _checked_admins_register() -> None:
    for model in apps.get_models():
        if model._meta.app_config.name.startswith("inzage.") or not admin.site.is_registered(model):
            continue  # ours are built on the base (a test checks): wrapping one here would hide a forgotten base
        model_admin = admin.site.get_model_admin(model)
        if isinstance(model_admin, InputCheckedModelAdminMixin):
            continue
        original = type(model_admin)
        checked = type(original.__name__, (InputCheckedModelAdminMixin, original), {"__module__": original.__module__})
        admin.site.unregister(model)
        admin.site.register(model, checked)


_checked_admins_register()
