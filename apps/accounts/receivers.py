"""What accounts does when Django or allauth reports a login or a security change."""

from __future__ import annotations

from allauth.account.adapter import get_adapter

from apps.accounts import services
from apps.accounts.middleware import one_tap_session_end


def on_logged_in(sender, request, user, **kwargs) -> None:
    services.session_track(request=request, user=user)


def on_security_change(sender, request, user, **kwargs) -> None:
    """Two-factor turned on, or a new password: only the session that did it stays."""
    session = getattr(request, "session", None)
    services.sessions_end(user=user, keep=session.session_key if session else None)


def on_authentication_step(sender, request, method, user, **kwargs) -> None:
    if kwargs.get("reauthenticated"):
        # The password (or a second factor) was entered in this session: a
        # one-tap session becomes an ordinary one.
        one_tap_session_end(request)


def on_email_added(sender, request, user, email_address, **kwargs) -> None:
    """Tell the account's current address: allauth writes only to the new one.

    Adding an address is the first step of a takeover (add, confirm, reset
    the password to it), so the patient must hear of it where they read mail.
    """
    get_adapter(request).send_notification_mail(
        "account/email/email_added", user, {"added_email": email_address.email}
    )
