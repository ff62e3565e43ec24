from __future__ import annotations

import pytest
from django.db import OperationalError, connection

from apps.diary.models import CheckIn, DiaryEntry
from tests.factories import TrackedJointFactory, joint

pytestmark = pytest.mark.django_db

DAY = {"pain_left_hip": "6", "swelling_left_hip": "2", "note": "bad night"}


@pytest.fixture
def tracked(patient):
    TrackedJointFactory(patient=patient, joint=joint("left_hip"))
    return patient


def fail_first_insert_into(table: str):
    """A database that drops the connection once, on the first write to `table`."""
    state = {"failed": False}

    def wrapper(execute, sql, params, many, context):
        if not state["failed"] and sql.startswith("INSERT") and table in sql:
            state["failed"] = True
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


def test_database_outage_mid_save_asks_to_retry_and_keeps_nothing_half_saved(
    client_as, tracked
):
    client = client_as(tracked)
    # The check-in row is written first; the entries' insert fails after it.
    with connection.execute_wrapper(fail_first_insert_into("diary_diaryentry")):
        response = client.post("/log/", DAY, headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert "please tap Save again" in response.content.decode()
    assert not CheckIn.objects.exists()
    assert not DiaryEntry.objects.exists()

    assert client.post("/log/", DAY).status_code == 302
    assert client.post("/log/", DAY).status_code == 302  # and a second retry
    assert CheckIn.objects.count() == 1
    assert DiaryEntry.objects.get().pain == 6


def test_database_outage_mid_json_save_answers_503_json_and_keeps_nothing(
    client_as, tracked
):
    client = client_as(tracked)
    body = '{"entries": [{"joint": "left_hip", "pain": 6, "swelling": 2}], "note": ""}'
    with connection.execute_wrapper(fail_first_insert_into("diary_diaryentry")):
        response = client.post("/log/", body, content_type="application/json")
    assert response.status_code == 503
    assert "please tap Save again" in response.json()["errors"]["__all__"][0]
    assert not CheckIn.objects.exists()
    assert not DiaryEntry.objects.exists()
    retry = client.post("/log/", body, content_type="application/json")
    assert retry.status_code == 200
    assert DiaryEntry.objects.get().pain == 6


@pytest.fixture
def unreachable_broker(settings):
    """Point Celery at a Redis that is down (nothing listens on port 9)."""
    from tmo_tracker.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    old = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    app.conf.broker_transport_options = settings.REDIS_TRANSPORT_OPTIONS
    app._pool = app.amqp._producer_pool = None  # pools remember the old broker
    yield
    app.conf.broker_url, app.conf.broker_transport_options = old
    app._pool = app.amqp._producer_pool = None


def test_saving_works_while_the_broker_is_down(
    client_as, tracked, unreachable_broker, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_as(tracked).post("/log/", DAY)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the detector run was attempted…
    assert "nightly run will" in caplog.text  # …failed, and was left to the nightly job
    assert DiaryEntry.objects.get().pain == 6
