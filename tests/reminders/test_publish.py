"""The dispatcher's pipelined publishing against a real Redis: every message is
the one apply_async would have written, ids aside. (test_integration has a real
worker execute them.)"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import uuid

import pytest
from celery import signals
from celery._state import _task_stack
from kombu import Connection

from apps.reminders import publish, tasks
from tests.reminders.test_integration import free_port, wait_for_port

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def redis_url():
    path = shutil.which("redis-server")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("CI is set but redis-server is not installed")
        pytest.skip("redis-server not installed (with CI set this fails instead)")
    port = free_port()
    proc = subprocess.Popen(
        [path, "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def producer(redis_url):
    from tmo_tracker.celery import app

    app.conf.task_always_eager = False  # the autouse fixture turns it back on after
    with Connection(redis_url) as conn:
        client = conn.default_channel.client
        client.flushdb()
        producer = app.amqp.Producer(conn)
        producer.redis = client
        yield producer


def queued(producer) -> list[bytes]:
    """The raw messages on the default queue, oldest first."""
    return list(reversed(producer.redis.lrange("celery", 0, -1)))


def without_ids(raw: bytes) -> tuple[str, dict]:
    """The message text with its task id and delivery tag blanked, and the message."""
    message = json.loads(raw)
    task_id = message["headers"]["id"]
    tag = message["properties"]["delivery_tag"]
    for value in (task_id, tag):
        assert uuid.UUID(value).version == 4
    assert message["properties"]["correlation_id"] == task_id
    return raw.decode().replace(task_id, "ID").replace(tag, "TAG"), message


def args_of(message: dict) -> list:
    return json.loads(base64.b64decode(message["body"]))[0]


def test_pipelined_message_is_byte_for_byte_what_apply_async_writes(producer):
    tasks.send_reminder.apply_async(args=[42], producer=producer)
    assert publish.tasks_publish(tasks.send_reminder, [[42]], producer=producer) == 1
    (celery_text, celery_msg), (ours_text, ours_msg) = map(
        without_ids, queued(producer)
    )
    assert ours_text == celery_text
    assert ours_msg["headers"]["root_id"] == ours_msg["headers"]["id"]
    assert ours_msg["headers"]["id"] != celery_msg["headers"]["id"]
    assert args_of(ours_msg) == [42]


def test_under_a_parent_task_the_ids_are_the_parents(producer):
    # As when the worker runs queue_due_reminders: the sends are its children.
    parent = tasks.queue_due_reminders
    parent.push_request(id="parent-id", root_id="root-id", called_directly=False)
    _task_stack.push(parent)
    try:
        tasks.send_reminder.apply_async(args=[7], producer=producer)
        publish.tasks_publish(tasks.send_reminder, [[7]], producer=producer)
    finally:
        _task_stack.pop()
        parent.pop_request()
    (celery_text, _), (ours_text, ours_msg) = map(without_ids, queued(producer))
    assert ours_text == celery_text
    assert ours_msg["headers"]["parent_id"] == "parent-id"
    assert ours_msg["headers"]["root_id"] == "root-id"


def test_thousands_go_out_one_message_each_in_order(producer):
    patient_ids = list(range(1, 2 * publish.CHUNK + 502))
    sent = publish.tasks_publish(
        tasks.send_reminder, [[pk] for pk in patient_ids], producer=producer
    )
    assert sent == len(patient_ids)
    messages = [json.loads(raw) for raw in queued(producer)]
    assert [args_of(m) for m in messages] == [[pk] for pk in patient_ids]
    assert [m["headers"]["argsrepr"] for m in messages[:2]] == ["[1]", "[2]"]
    ids = {m["headers"]["id"] for m in messages}
    tags = {m["properties"]["delivery_tag"] for m in messages}
    assert len(ids) == len(tags) == len(patient_ids)


def test_publish_signal_listeners_get_apply_async_instead(producer):
    seen = []

    def listener(sender=None, headers=None, **kwargs):
        seen.append(headers["argsrepr"])

    signals.before_task_publish.connect(listener)
    try:
        sent = publish.tasks_publish(tasks.send_reminder, [[1], [2]], producer=producer)
    finally:
        signals.before_task_publish.disconnect(listener)
    assert sent == 0
    assert seen == ["[1]", "[2]"]
    assert [args_of(json.loads(raw)) for raw in queued(producer)] == [[1], [2]]


def test_uuid4s_are_version_4_and_distinct():
    ids = publish._uuid4s(500)
    parsed = [uuid.UUID(value) for value in ids]
    assert {(u.version, u.variant) for u in parsed} == {(4, uuid.RFC_4122)}
    assert [str(u) for u in parsed] == ids
    assert len(set(ids)) == 500
