"""End to end with real processes: Redis, a Celery worker and beat, an SMTP sink
and the web server, all against one file-based SQLite database.

Skips only on a developer machine without redis-server; with CI set a missing
Redis is a failure, so CI can never pass by skipping this.
"""

from __future__ import annotations

import email
import email.policy
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from testkit.ports import free_port, wait_for_port

pytestmark = pytest.mark.integration

BASE_DIR = Path(__file__).resolve().parents[2]
DUE = "due@example.org"
LOGGED = "logged@example.org"
FLAKY = "flaky@example.org"  # the sink answers 451 to its first attempt
DEADLINE_S = 45

SEED = f"""
from django.utils import timezone
from apps.accounts.models import PatientProfile, User
from apps.diary.models import CheckIn
from apps.reminders.models import ReminderSchedule

now = timezone.now()
for address, logged in [({DUE!r}, False), ({LOGGED!r}, True), ({FLAKY!r}, False)]:
    user = User.objects.create_user(email=address, first_name=address.split("@")[0].title())
    patient = PatientProfile.objects.create(user=user, timezone="Asia/Kathmandu")
    if logged:
        CheckIn.objects.create(patient=patient, date=patient.local_date(now))
    # Their chosen time has just come: the next beat tick finds them due.
    ReminderSchedule.objects.create(patient=patient, next_reminder_at=now)
"""


def redis_server() -> str:
    path = shutil.which("redis-server")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("CI is set but redis-server is not installed; install redis-server")
    pytest.skip("redis-server not installed (with CI set this fails instead)")


class SmtpSink:
    """aiosmtpd handler: stores messages; the first DATA for a flaky recipient gets 451."""

    def __init__(self, flaky: set[str]):
        self.flaky = set(flaky)
        self.messages: list[email.message.EmailMessage] = []
        self.refused: list[str] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            hit = self.flaky.intersection(envelope.rcpt_tos)
            if hit:
                self.flaky -= hit
                self.refused.extend(hit)
                return "451 4.3.0 Try again later"
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


def text_body(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    # Each process got its own session, so the group is exactly it and its
    # children (Celery's pool processes).
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def test_worker_and_beat_send_each_due_reminder_exactly_once(tmp_path):
    from aiosmtpd.controller import Controller

    redis_bin = redis_server()
    redis_port, smtp_port, web_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tmo_tracker.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CONN_MAX_AGE": "0",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "SITE_URL": f"http://127.0.0.1:{web_port}",
        "REMINDER_TICK_SECONDS": "1",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # runserver serves static files without a collectstatic manifest only in DEBUG.
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    run = {"cwd": BASE_DIR, "env": env, "check": True, "capture_output": True}
    subprocess.run([*manage, "migrate", "--noinput"], timeout=120, **run)
    subprocess.run([*manage, "shell", "-c", SEED], timeout=60, **run)

    sink = SmtpSink(flaky={FLAKY})
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    procs: dict[str, subprocess.Popen] = {}
    logs: dict[str, Path] = {}

    def spawn(name: str, args: list[str]) -> subprocess.Popen:
        logs[name] = tmp_path / f"{name}.log"
        procs[name] = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=env,
            stdout=logs[name].open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return procs[name]

    def log_tails() -> str:
        return "\n".join(
            f"--- {name} ---\n{path.read_text(errors='replace')[-3000:]}"
            for name, path in logs.items()
        )

    try:
        smtp.start()
        redis = spawn(
            "redis",
            [
                redis_bin,
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        wait_for_port(redis_port, redis)
        celery = [sys.executable, "-m", "celery", "-A", "tmo_tracker"]
        spawn(
            "worker",
            [
                *celery,
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                f"--hostname=it-{os.getpid()}@%h",
            ],
        )
        spawn(
            "beat",
            [
                *celery,
                "beat",
                "--loglevel=INFO",
                f"--schedule={tmp_path / 'beat-schedule'}",
                "--max-interval=1",
            ],
        )
        web = spawn(
            "web", [*manage, "runserver", "--noreload", f"127.0.0.1:{web_port}"]
        )

        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline and not (sink.to(DUE) and sink.to(FLAKY)):
            for name, proc in procs.items():
                assert proc.poll() is None, f"{name} died\n{log_tails()}"
            time.sleep(0.25)
        # Beat keeps ticking every second: give a duplicate every chance to appear.
        time.sleep(3)

        assert len(sink.to(DUE)) == 1, log_tails()
        # The tick queued batches; the refused patient was retried on its own.
        assert "queued 3 reminders in 3 batches" in logs["worker"].read_text(), (
            log_tails()
        )
        assert sink.to(LOGGED) == [], log_tails()
        assert sink.refused == [FLAKY], log_tails()
        assert len(sink.to(FLAKY)) == 1, log_tails()

        message = sink.to(DUE)[0]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = re.search(r"http://\S+/reminders/log-in/\S+/", text_body(message))[0]

        wait_for_port(web_port, web)
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        # The link opens a page with one button; its POST logs in.
        with browser.open(link, timeout=10) as response:
            assert response.status == 200
            page = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
        with browser.open(
            urllib.request.Request(link, data=form, headers={"Referer": link}),
            timeout=10,
        ) as response:
            assert response.status == 200
            assert response.url == f"{env['SITE_URL']}/log/"
            assert b"<nav" in response.read()  # the logged-in page, not the login form

        stranger = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with pytest.raises(urllib.error.HTTPError) as reused:
            stranger.open(link, timeout=10)
        assert reused.value.code == 410
    finally:
        for proc in reversed(list(procs.values())):
            stop(proc)
        smtp.stop()
