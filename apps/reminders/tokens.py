"""Signed tokens in email links; each salt makes a token good for one purpose only."""

from __future__ import annotations

import datetime as dt

from django.core import signing

LOGIN_SALT = "apps.reminders.one-tap-login"
UNSUBSCRIBE_SALT = "apps.reminders.unsubscribe"

REMINDERS = "reminders"
DIGEST = "digest"
UNSUBSCRIBE_KINDS = (REMINDERS, DIGEST)


def login_token_make(*, delivery_id: int) -> str:
    """A timestamped token naming one reminder delivery; the view enforces the 24 h expiry."""
    return signing.TimestampSigner(salt=LOGIN_SALT).sign(str(delivery_id))


def login_token_read(token: str, *, max_age: dt.timedelta) -> int:
    """The delivery id; raises signing.SignatureExpired or signing.BadSignature."""
    value = signing.TimestampSigner(salt=LOGIN_SALT).unsign(token, max_age=max_age)
    try:
        return int(value)
    except ValueError:
        raise signing.BadSignature("not a delivery id") from None


def unsubscribe_token_make(*, kind: str, pk: int) -> str:
    """A token that switches off `kind` ("reminders" for a patient, "digest" for a physician).

    It does not expire: RFC 8058 unsubscribe links in old emails must keep working.
    """
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{kind}-{pk}")


def unsubscribe_token_read(token: str) -> tuple[str, int] | None:
    """(kind, pk) from a valid token, else None."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    kind, _, pk = value.partition("-")
    if kind not in UNSUBSCRIBE_KINDS or not pk.isdigit():
        return None
    return kind, int(pk)
