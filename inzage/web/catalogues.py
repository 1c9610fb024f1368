"""The translation catalogues: extract every translatable string of a package (or of `inzage/templates`) with Django's
`makemessages` (GNU gettext), and find the strings that have neither a Dutch nor an English translation.

Message ids are Dutch in the newer templates and English in the older models; whichever language a string is written
in, the other language's catalogue must translate it. Used by `make messages` (`python -m inzage.web.catalogues`:
update and compile every catalogue) and by the completeness test (`inzage/web/tests/test_translations.py`, which
extracts into a copy, so a string added without running `make messages` fails too).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
INZAGE = ROOT / "inzage"
LANGUAGES = ("nl", "en")


def packages() -> list[str]:
    """Every app package (a directory with `apps.py`): each has, or must get, its own catalogue (`locale`)."""
    return sorted(p.parent.name for p in INZAGE.glob("*/apps.py"))


def _makemessages(workdir: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "inzage.settings", "PYTHONPATH": str(ROOT)}
    # -P: inzage/schools/calendar.py would shadow the standard library's `calendar` when run inside the package.
    command = [sys.executable, "-P", "-m", "django", "makemessages", "--no-location", "-v0"]
    for lang in LANGUAGES:
        command += ["-l", lang]
    subprocess.run(command, cwd=workdir, env=env, check=True, capture_output=True)


def extract_package(package: str, workdir: Path) -> Path:
    """Copy a package's sources and catalogues into `workdir`, extract there, and return the copy's `locale`."""
    shutil.copytree(
        INZAGE / package,
        workdir,
        ignore=shutil.ignore_patterns("tests", "migrations", "__pycache__", "static", "*.mo"),
    )
    _makemessages(workdir)
    return workdir / "locale"


def extract_project_templates(workdir: Path) -> Path:
    """The same for `inzage/templates`, whose catalogue is the project's (`inzage/locale`, settings.LOCALE_PATHS)."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(INZAGE / "templates", workdir / "templates")
    shutil.copytree(INZAGE / "locale", workdir / "locale", ignore=shutil.ignore_patterns("*.mo"))
    _makemessages(workdir)
    return workdir / "locale"


def _translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def untranslated(locale: Path) -> list[str]:
    """Message ids of `locale` that neither the Dutch nor the English catalogue translates."""
    catalogues: dict[str, dict[str, polib.POEntry]] = {}
    for lang in LANGUAGES:
        po = locale / lang / "LC_MESSAGES" / "django.po"
        catalogues[lang] = {e.msgid: e for e in polib.pofile(str(po)) if not e.obsolete} if po.exists() else {}
    msgids = set().union(*catalogues.values())

    def done(msgid: str) -> bool:
        entries = [catalogues[lang].get(msgid) for lang in LANGUAGES]
        if not all(e is None or "fuzzy" not in e.flags for e in entries):
            return False
        translated = [e for e in entries if e is not None and _translated(e)]
        # A msgstr equal to its msgid only says "the same in this language"; the word counts as translated when
        # another language's msgstr differs from it, or when every language states the same word (Status, code).
        return any(_differs(e) for e in translated) or len(translated) == len(LANGUAGES)

    return sorted(m for m in msgids if not done(m))


def _differs(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return entry.msgstr_plural.get(0) != entry.msgid
    return entry.msgstr != entry.msgid


def update_all() -> list[str]:
    """Update every catalogue in place (new strings added, gone ones marked obsolete) and compile it."""
    missing: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        targets = [(INZAGE / p / "locale", extract_package(p, Path(tmp) / p)) for p in packages()]
        targets.append((INZAGE / "locale", extract_project_templates(Path(tmp) / "_project")))
        for real, extracted in targets:
            for lang in LANGUAGES:
                po = extracted / lang / "LC_MESSAGES" / "django.po"
                dest = real / lang / "LC_MESSAGES"
                dest.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(po, dest / "django.po")
                polib.pofile(str(po)).save_as_mofile(str(dest / "django.mo"))
            missing += [f"{real.relative_to(ROOT)}: {m}" for m in untranslated(extracted)]
    return missing


if __name__ == "__main__":
    left = update_all()
    for line in left:
        print(f"untranslated: {line}")
    print(f"catalogues updated and compiled; {len(left)} string(s) still without a translation")
