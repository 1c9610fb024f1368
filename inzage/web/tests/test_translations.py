"""Every translatable string of every template and module has a translation in Dutch or in English.

The strings are extracted afresh (into a copy of each package), so a string added without a translation fails here
even when nobody ran `make messages`; see `inzage/web/catalogues.py`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse

from inzage.web import catalogues

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is not installed (make test installs it)"
)


@needs_gettext
@pytest.mark.parametrize("package", catalogues.packages())
def test_every_string_of_the_package_is_translated(package: str, tmp_path: Path) -> None:
    missing = catalogues.untranslated(catalogues.extract_package(package, tmp_path / package))
    assert not missing, (
        f"inzage/{package}: {len(missing)} string(s) without a Dutch or English translation "
        f"(run `make messages`, then translate in inzage/{package}/locale/*/LC_MESSAGES/django.po): {missing[:10]}"
    )


@needs_gettext
def test_every_string_of_the_project_templates_is_translated(tmp_path: Path) -> None:
    missing = catalogues.untranslated(catalogues.extract_project_templates(tmp_path / "project"))
    assert not missing, f"inzage/templates: strings without a translation (inzage/locale): {missing[:10]}"


def test_an_untranslated_string_is_found(tmp_path: Path) -> None:
    """The check itself, on a catalogue pair made up for it."""
    catalogue_pair = (
        ("nl", [("Cijfers", ""), ("date", "datum"), ("ouder met gezag", "ouder met gezag"), ("Status", "Status")]),
        ("en", [("Cijfers", ""), ("date", ""), ("ouder met gezag", ""), ("Status", "Status")]),
    )
    for lang, entries in catalogue_pair:
        po = polib.POFile()
        for msgid, msgstr in entries:
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        po.save(str(tmp_path / lang / "LC_MESSAGES" / "django.po"))
    # Untranslated in both, and "translated" only into itself; a word that is the same in both languages is fine.
    assert catalogues.untranslated(tmp_path) == ["Cijfers", "ouder met gezag"]


def test_the_compiled_catalogues_are_up_to_date() -> None:
    """A `.po` edited without compiling leaves pages untranslated: each `.mo` must hold what its `.po` says."""
    stale = []
    for po_path in sorted(catalogues.INZAGE.glob("**/locale/*/LC_MESSAGES/django.po")):
        mo_path = po_path.with_suffix(".mo")
        po = {e.msgid: e.msgstr for e in polib.pofile(str(po_path)) if e.translated() and not e.msgid_plural}
        mo = {e.msgid: e.msgstr for e in polib.mofile(str(mo_path))} if mo_path.exists() else {}
        if any(mo.get(k) != v for k, v in po.items()):
            stale.append(str(po_path.relative_to(catalogues.ROOT)))
    assert not stale, f"compile with `make messages`: {stale}"


@pytest.mark.django_db
def test_the_sign_in_page_in_english_is_english_throughout(client: Client) -> None:
    client.cookies["django_language"] = "en"
    page = client.get(reverse("account_login")).content.decode()
    assert '<html lang="en"' in page
    for dutch in ("Inloggen", "Wachtwoord vergeten?", "Gebruikersnaam", "Naar de inhoud"):
        assert dutch not in page
    assert "Forgot your password?" in page
