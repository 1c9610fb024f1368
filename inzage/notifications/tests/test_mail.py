"""The notice e-mail's MIME, written by hand for speed, is what a mail program reads back."""

from __future__ import annotations

import email
from email.header import decode_header, make_header

from inzage.notifications.mail import NoticeMail


def test_the_notice_mail_reads_back_with_both_parts_and_safe_headers() -> None:
    mail = NoticeMail(
        subject="Inzage: iets nieuws zichtbaar voor Zoë",
        body="Hallo Zoë,\n\n- Er is een nieuw cijfer zichtbaar.\n",
        from_email="Inzage <noreply@inzage.invalid>",
        to=["ouder@example.org"],
        headers={"Message-ID": "<notice-1-2@inzage.invalid>", "X-Test": "a\r\nBcc: evil@example.org"},
    )
    mail.attach_alternative("<p>Hallo Zoë,</p>", "text/html")
    raw = mail.message().as_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    parsed = email.message_from_bytes(raw)
    assert str(make_header(decode_header(parsed["Subject"]))) == "Inzage: iets nieuws zichtbaar voor Zoë"
    assert parsed["To"] == "ouder@example.org" and parsed["Message-ID"] == "<notice-1-2@inzage.invalid>"
    assert parsed["Bcc"] is None and parsed["X-Test"] == "a Bcc: evil@example.org"  # no header injection
    text, html = parsed.get_payload()
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert text.get_payload(decode=True).decode() == "Hallo Zoë,\r\n\r\n- Er is een nieuw cijfer zichtbaar.\r\n"
    assert html.get_payload(decode=True).decode() == "<p>Hallo Zoë,</p>"
