"""A real SMTP server (aiosmtpd) on loopback for the notification tests, and the mail settings pointing at it."""

from __future__ import annotations

import email
import socket
import threading
from dataclasses import dataclass, field
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Sink:
    """Collects what the server accepted; `hold` makes it stall in the DATA phase (a slow or hung mail server)."""

    messages: list[Message] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    entered: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.entered.set()
        while self.hold.is_set():
            import asyncio

            await asyncio.sleep(0.05)
            if session.transport is None or session.transport.is_closing():
                return "451 gone"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_sink():
    sink = Sink()
    with socket.socket() as probe:  # a free port (aiosmtpd checks it is up by connecting, so 0 will not do)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, controller.port
    finally:
        sink.hold.clear()
        controller.stop()


@pytest.fixture
def mail_to_sink(settings, smtp_sink):
    sink, port = smtp_sink
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    return sink
