from __future__ import annotations

from django.apps import AppConfig


class PwaConfig(AppConfig):
    name = "apps.pwa"
    verbose_name = "Installable app and offline log"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from apps.pwa.middleware import mark_logged_out

        user_logged_out.connect(mark_logged_out, dispatch_uid="pwa-clear-site-data")
