from __future__ import annotations

from django.apps import AppConfig


class TmoTrackerConfig(AppConfig):
    """The top layer: wires the apps together (pipeline, demo data); nothing imports it."""

    name = "tmo_tracker"
    label = "tmo_tracker"

    def ready(self) -> None:
        # Connects the pipeline's receivers and registers its tasks in every
        # process, web and worker alike.
        from tmo_tracker import pipeline  # noqa: F401
