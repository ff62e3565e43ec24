from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tmo_tracker.settings")

app = Celery("tmo_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _database_connections_tidy(task=None, **kwargs) -> None:
    """Around each task, as Django does around each request: drop a connection
    that is broken or older than CONN_MAX_AGE, and keep the rest for the next."""
    if task is None or getattr(task.request, "is_eager", False):
        # An eager task runs inside its caller's transaction (and tests'): not ours.
        return
    from django.db import close_old_connections

    close_old_connections()
