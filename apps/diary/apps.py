from __future__ import annotations

from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "apps.diary"
    label = "diary"

    def ready(self) -> None:
        from apps.diary import receivers  # noqa: F401
