from __future__ import annotations

import os
import time

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tmo_tracker.settings")

app = Celery("tmo_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A connection that finished a task this recently is not pinged before the
# next one: at 20:00 a worker runs tasks back to back, and the ping was one
# round trip in eight. One that breaks anyway fails its task on the first
# query, before any claim, and is closed after it; the patient stays due and
# the next dispatcher tick queues them again.
PING_AFTER_IDLE_S = 1.0
_last_task_end = float("-inf")


@task_prerun.connect
@task_postrun.connect
def _database_connections_tidy(task=None, signal=None, **kwargs) -> None:
    """Around each task, as Django does around each request: drop a connection
    that is broken or older than CONN_MAX_AGE, and keep the rest for the next."""
    global _last_task_end
    if task is None or getattr(task.request, "is_eager", False):
        # An eager task runs inside its caller's transaction (and tests'): not ours.
        return
    from django.db import close_old_connections, connections

    close_old_connections()
    if signal is task_postrun:
        _last_task_end = time.monotonic()
    elif time.monotonic() - _last_task_end < PING_AFTER_IDLE_S:
        for conn in connections.all(initialized_only=True):
            # Django pings a kept connection before its first query (CONN_HEALTH_CHECKS).
            conn.health_check_done = True
