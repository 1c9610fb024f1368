"""What a registration means is a stable code; its words are translated when read (Dutch by default, English)."""

from __future__ import annotations

import pytest
from django.utils import translation

from inzage.attendance.queries import Code, Meaning, Week, meaning_label


@pytest.mark.parametrize(
    ("meaning", "nl", "en"),
    [
        (Meaning(Code.SICK_REPORTED, True), "ziek gemeld", "reported sick"),
        (Meaning(Code.UNEXPLAINED, None), "afwezig, nog niet verklaard", "absent, not yet explained"),
        (Meaning(Code.UNEXPLAINED, None, late_minutes=7), "te laat (7 min), nog niet verklaard", "late (7 min)"),
        (Meaning(Code.UNAUTHORISED, False, 50, reason="Spijbelen"), "afwezig, ongeoorloofd (spijbelen)", "unauth"),
        (Meaning(Code.AUTHORISED, True, reason="Ziek"), "afwezig, geoorloofd (ziek)", "absent, authorised (ziek)"),
        (Meaning(Code.REMOVED, None, note="telefoon"), "uitgestuurd: telefoon", "removed from class: telefoon"),
        (Meaning(Code.LEAVE, True), "verlof", "leave"),
    ],
)
def test_labels_in_both_languages(meaning: Meaning, nl: str, en: str) -> None:
    with translation.override("nl"):
        assert meaning_label(meaning) == nl == meaning.label
    with translation.override("en"):
        assert en in meaning.label and meaning.label != nl


def test_week_words_plural_and_translated() -> None:
    import datetime as dt

    week = Week(dt.date(2025, 10, 6), explained=1, unauthorised=2)
    with translation.override("nl"):
        assert week.words == "1 les afwezig met reden, 2 ongeoorloofd afwezig"
        assert Week(dt.date(2025, 10, 6), explained=3).words == "3 lessen afwezig met reden"
    with translation.override("en"):
        assert week.words == "1 lesson absent with a reason, 2 absent without authorisation"
