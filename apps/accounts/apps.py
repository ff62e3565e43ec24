from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from allauth.account import signals as account_signals
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth import signals as auth_signals

        from apps.accounts import receivers

        # Django's signal, not allauth's: one-tap and admin logins count too.
        auth_signals.user_logged_in.connect(receivers.on_logged_in)
        for signal in (
            mfa_signals.authenticator_added,
            account_signals.password_changed,
            account_signals.password_set,
            account_signals.password_reset,
        ):
            signal.connect(receivers.on_security_change)
        account_signals.authentication_step_completed.connect(
            receivers.on_authentication_step
        )
        account_signals.email_added.connect(receivers.on_email_added)


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site: allauth's login and an MFA gate.

    Imported as a module, not a class: Django picks an app's config among the
    AppConfig classes named in its apps.py.
    """

    default = False  # apps.accounts itself is AccountsConfig
    default_site = "apps.accounts.admin_site.AdminSite"
