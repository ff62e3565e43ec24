"""Signed tokens in email links; each salt makes a token good for one purpose only."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

if TYPE_CHECKING:
    from apps.accounts.models import User

LOGIN_SALT = "apps.reminders.one-tap-login"
UNSUBSCRIBE_SALT = "apps.reminders.unsubscribe"

REMINDERS = "reminders"
DIGEST = "digest"
UNSUBSCRIBE_KINDS = (REMINDERS, DIGEST)


def login_token_make(*, delivery_id: int, user: User) -> str:
    """A timestamped token naming one reminder delivery and the account as it is now.

    The view enforces the 24 h expiry; a password or email change since the
    email was sent makes the token worthless (as Django's reset tokens do).
    """
    value = f"{delivery_id}.{account_fingerprint(user)}"
    return signing.TimestampSigner(salt=LOGIN_SALT).sign(value)


def login_token_read(token: str, *, max_age: dt.timedelta) -> tuple[int, str]:
    """(delivery id, account fingerprint); raises signing.SignatureExpired or BadSignature."""
    value = signing.TimestampSigner(salt=LOGIN_SALT).unsign(token, max_age=max_age)
    delivery_id, _, fingerprint = value.partition(".")
    if not delivery_id.isdigit() or not fingerprint:
        raise signing.BadSignature("not a delivery id and fingerprint")
    return int(delivery_id), fingerprint


def account_fingerprint(user: User) -> str:
    """16 hex digits that change when the user's password or email address changes.

    A keyed hash, so the email carries nothing derived from the password hash
    that could be attacked offline.
    """
    return salted_hmac(
        LOGIN_SALT, f"{user.pk}|{user.password}|{user.email}", algorithm="sha256"
    ).hexdigest()[:16]


def account_fingerprint_matches(user: User, fingerprint: str) -> bool:
    return constant_time_compare(account_fingerprint(user), fingerprint)


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
