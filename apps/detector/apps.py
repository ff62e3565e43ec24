from __future__ import annotations

from django.apps import AppConfig


class DetectorConfig(AppConfig):
    name = "apps.detector"
    label = "detector"
