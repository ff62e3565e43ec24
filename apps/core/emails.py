"""Email composition and sending: every email is a subject/text/html template
trio (`<template>_subject.txt`, `_body.txt`, `_body.html`) rendered by one helper,
sent over a kept SMTP session."""

from __future__ import annotations

import contextlib
import secrets
import smtplib
import threading
import time
from collections.abc import Mapping, Sequence
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

# A worker keeps its SMTP session between emails: connect, EHLO, STARTTLS and AUTH
# cost several round trips each time, more than the message itself. Past this
# idle time the server may have hung up, so we start afresh instead.
SMTP_IDLE_S = 30
_local = threading.local()


def absolute_url(path: str) -> str:
    """`path` on settings.SITE_URL: emails are read outside any request."""
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path.lstrip("/"))


def site_domain() -> str:
    """The host part of SITE_URL, for Message-IDs."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def recipient_language(user) -> str:
    """The language to write to `user` in: theirs if chosen, else the site's default."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def email_build(
    template: str,
    context: Mapping[str, object],
    to: Sequence[str],
    headers: Mapping[str, str] | None = None,
    *,
    language: str = "",
) -> EmailMultiAlternatives:
    """Render `<template>_subject.txt`, `_body.txt` and `_body.html` into one message,
    e.g. template="reminders/email/reminder".

    Rendered in `language` (the recipient's), whatever the request or worker had
    active; callers build any words in the context under the same override.
    """
    ctx = {"site_url": settings.SITE_URL, **context}
    base = template
    with translation.override(language or settings.LANGUAGE_CODE):
        # A stray newline in a subject would be a header injection; Django refuses it, so flatten.
        subject = " ".join(render_to_string(f"{base}_subject.txt", ctx).split())
        text = render_to_string(f"{base}_body.txt", ctx)
        html = render_to_string(f"{base}_body.html", ctx)
    message = _AlternativesEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers=dict(headers or {}),
    )
    message.attach_alternative(html, "text/html")
    return message


class _AlternativesEmail(EmailMultiAlternatives):
    """EmailMultiAlternatives with its MIME boundary chosen before the generator runs."""

    def message(self):
        msg = super().message()
        # Left to pick one itself, the email package compiles a regular
        # expression for every message to prove its random boundary absent from
        # the parts: about 0.2 ms of CPU per email. A longer random boundary and
        # a substring test over the parts' encoded bodies (their headers are
        # Django's fixed ones) give the same guarantee for a fraction of that.
        parts = msg.get_payload()
        if isinstance(parts, list) and not any(p.is_multipart() for p in parts):
            boundary = f"==============={secrets.token_hex(16)}=="
            if not any(boundary in p.get_payload() for p in parts):
                msg.set_boundary(boundary)
        return msg


def email_send(message: EmailMessage) -> None:
    """Send over this thread's reused mail connection; raises whatever the server said."""
    message.connection = _connection()
    try:
        message.send()
    except smtplib.SMTPServerDisconnected:
        connection_close()
        if not _local.reused:
            raise
        # A reused session the server had closed: nothing was accepted on it,
        # so one more try on a fresh connection cannot duplicate the email.
        message.connection = _connection()
        try:
            message.send()
        except Exception:
            connection_close()
            raise
    except Exception:
        connection_close()
        raise
    _local.last_used = time.monotonic()


def _connection():
    key = (
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", ""),
        getattr(settings, "EMAIL_PORT", None),
    )
    conn = getattr(_local, "conn", None)
    idle = time.monotonic() - getattr(_local, "last_used", 0.0)
    if conn is not None and (_local.key != key or idle > SMTP_IDLE_S):
        connection_close()
        conn = None
    if conn is None:
        conn = get_connection(fail_silently=False)
        conn.open()
        _local.conn, _local.key, _local.reused = conn, key, False
    else:
        _local.reused = True
    return conn


def connection_close() -> None:
    """Close this thread's kept SMTP session, if any; the next email opens a new one."""
    conn = getattr(_local, "conn", None)
    _local.conn = None
    if conn is not None:
        # The session is being thrown away; a failing QUIT changes nothing.
        with contextlib.suppress(Exception):
            conn.close()
