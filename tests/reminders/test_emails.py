from __future__ import annotations

import datetime as dt
import email
import email.policy
import secrets

from apps.core import emails
from tests.reminders.conftest import TODAY


def reminder(first_name: str = "Pat"):
    context = {
        "first_name": first_name,
        "day": TODAY,
        "yesterday": TODAY - dt.timedelta(days=1),
        "yesterday_line": None,
        "days_missed": 0,
        "show_missed_note": False,
        "login_url": "http://127.0.0.1:8000/reminders/log-in/t/",
        "unsubscribe_url": "http://127.0.0.1:8000/reminders/unsubscribe/u/",
        "profile_url": "http://127.0.0.1:8000/profile/",
    }
    return emails.email_build(
        "reminders/email/reminder", context, ["pat@example.org"], {}
    )


def parsed(message) -> email.message.EmailMessage:
    raw = message.message().as_bytes(linesep="\r\n")
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_text_and_html_parts_are_split_by_a_boundary_found_in_neither():
    mime = parsed(reminder())
    boundary = mime.get_boundary()
    parts = list(mime.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all("Hello Pat," in p.get_content() for p in parts)
    assert all(boundary not in p.get_content() for p in parts)


def test_a_boundary_that_occurs_in_a_part_is_left_to_the_email_package(
    monkeypatch,
):
    monkeypatch.setattr(secrets, "token_hex", lambda nbytes: "0" * 2 * nbytes)
    ours = f"==============={'0' * 32}=="
    mime = parsed(reminder(first_name=ours))
    assert mime.get_boundary() != ours
    assert [p.get_content_type() for p in mime.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
