from __future__ import annotations

from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "apps.diary"
    label = "diary"
