"""The notice e-mail as MIME bytes: a plain-text part and an HTML part, UTF-8 in base64, written out directly.

Django's `EmailMessage.message()` uses the modern email API, which parses and refolds every header it is given, and
even the email package's compat32 classes compile regular expressions and fold each header per message; for a notice
that cost more than the SMTP exchange itself (`bench/bench_notify.py`: 30,000 parents at 07:00). A notice has a
fixed shape and a handful of known headers, so it is written here as it goes on the wire: CRLF line ends, base64
bodies (C-fast) in lines of 76, non-ASCII headers as RFC 2047 encoded words, no CR or LF inside a header value.
"""

from __future__ import annotations

import base64
import secrets
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

from django.core.mail import EmailMultiAlternatives

CRLF = "\r\n"


def _header(value: str) -> str:
    value = " ".join(str(value).split())  # no CR/LF in a header: a header injection is flattened to spaces
    return value if value.isascii() else Header(value, "utf-8").encode()


def _address(value: str) -> str:
    name, address = parseaddr(" ".join(str(value).split()))
    return formataddr((name, address), charset="utf-8")


def _part(content: str, mimetype: str) -> str:
    text = content.replace("\r\n", "\n").replace("\n", CRLF)  # canonical text: CRLF line ends
    encoded = base64.encodebytes(text.encode()).decode().replace("\n", CRLF)
    return f'Content-Type: {mimetype}; charset="utf-8"{CRLF}Content-Transfer-Encoding: base64{CRLF}{CRLF}{encoded}'


class RawMessage:
    """What a mail backend needs of `message()`: the bytes, and no charset of its own (the parts carry theirs)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def as_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        return self.data

    def get_charset(self) -> None:
        return None


class NoticeMail(EmailMultiAlternatives):
    """A notice e-mail: a plain-text body and one HTML alternative, no attachments."""

    def message(self, *, policy: Any = None) -> Any:
        boundary = f"=_inzage_{secrets.token_hex(12)}"
        headers = {
            "From": _address(str(self.from_email)),
            "To": ", ".join(_address(a) for a in self.to),
            "Subject": _header(str(self.subject)),
            "Date": formatdate(usegmt=True),
            **{name: _header(value) for name, value in self.extra_headers.items()},
            "MIME-Version": "1.0",
            "Content-Type": f'multipart/alternative; boundary="{boundary}"',
        }
        parts = [_part(str(self.body), "text/plain")]
        parts += [_part(str(content), mimetype) for content, mimetype in self.alternatives]
        head = "".join(f"{name}: {value}{CRLF}" for name, value in headers.items())
        body = "".join(f"--{boundary}{CRLF}{part}" for part in parts) + f"--{boundary}--{CRLF}"
        return RawMessage((head + CRLF + body).encode("ascii"))
