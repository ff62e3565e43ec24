"""Reminder dispatcher and sender throughput: python -m bench.reminders.

    DATABASE_URL=postgres://user:pw@127.0.0.1:5432/db python -m bench.reminders

Creates a throwaway database next to the one DATABASE_URL names (Django's
test-database machinery: `test_<name>`, migrated, dropped at the end), seeds
100,000 patients with bulk inserts, and prints:

1. one dispatcher tick (`queue_due_reminders`: select the due patients, enqueue
   one `send_reminder` per patient on a real Redis broker) at a typical minute and
   at the 20:00 peak, with EXPLAIN ANALYZE of the selecting query and the
   number of messages that reached the Redis queue;
   target ≤ 1 s among 100,000 patients;
2. reminder emails claimed, rendered and handed to an SMTP sink (aiosmtpd in a
   separate process on loopback) per second by one process calling the send
   function, with the CPU each email cost this process, the PostgreSQL backend
   (when local) and the sink; then through one real Celery worker (prefork, one
   process per CPU) taking the tasks from Redis; target ≥ 200/s.

Needs PostgreSQL for figures that mean anything; on SQLite it runs but says so.
Starts its own redis-server on a free port if REDIS_URL is unset.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TICK = dt.datetime(
    2026, 1, 14, 20, 0, tzinfo=dt.UTC
)  # a winter Wednesday, 20:00 London
QUIET_TICK = TICK - dt.timedelta(minutes=15)  # 19:45, an ordinary quarter-hour
ZONES = [
    ("Europe/London", 40),
    ("Europe/Berlin", 15),
    ("America/New_York", 15),
    ("Asia/Tokyo", 10),
    ("America/Los_Angeles", 10),
    ("Asia/Kathmandu", 5),
    ("Australia/Lord_Howe", 5),
]
DEFAULT_TIME_SHARE = 0.3  # patients who keep the 20:00 default

SINK = """
import asyncio, signal, sys
from aiosmtpd.controller import Controller

class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"

# Blocked before the server thread starts, so sigwait() below receives them.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
c = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
c.stop()
print(Count.n, flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--emails", type=int, default=1_000)
    args = parser.parse_args()

    procs: list[subprocess.Popen] = []
    try:
        _run(args, procs)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _run(args, procs: list[subprocess.Popen]) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="tmo-bench-reminders-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tmo_tracker.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch / 'db.sqlite3'}")
    if not os.environ.get("REDIS_URL"):
        if shutil.which("redis-server"):
            port = free_port()
            procs.append(
                subprocess.Popen(
                    ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
                    + ["--save", "", "--appendonly", "no"],
                    stdout=subprocess.DEVNULL,
                )
            )
            wait_for_port(port)
            os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            os.environ["BENCH_FRESH_REDIS"] = "1"
        else:
            print("! redis-server not found: enqueuing to an in-memory broker")
    smtp_port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, str(smtp_port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    procs.append(sink)
    assert sink.stdout.readline().strip() == "ready"
    os.environ.update(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        CELERY_TASK_ALWAYS_EAGER="false",
        LOG_LEVEL="ERROR",
    )

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from tmo_tracker.celery import app

    if not os.environ.get("REDIS_URL"):
        app.conf.broker_url = "memory://"

    vendor = connection.vendor
    print(f"database: {vendor} ({settings.DATABASES['default']['NAME']})")
    if vendor != "postgresql":
        print(
            "!" * 72 + "\n! NOT PostgreSQL: these figures say nothing about production."
            "\n! Set DATABASE_URL=postgres://… and run again.\n" + "!" * 72
        )
    print(f"broker: {app.conf.broker_url.split('@')[-1]}")

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _bench(args, sink.pid)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    sink.terminate()
    received = sink.communicate(timeout=10)[0].strip()
    procs.remove(sink)
    print(f"SMTP sink received {received} messages in all")


def _queue_length() -> int | None:
    """Messages waiting on the default queue, when the broker is the bench's Redis."""
    if not os.environ.get("REDIS_URL"):
        return None
    import redis

    from tmo_tracker.celery import app

    return redis.Redis.from_url(os.environ["REDIS_URL"]).llen(
        app.conf.task_default_queue
    )


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU of a local process so far, or None if it can't be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _bench(args, sink_pid: int) -> None:
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.reminders import selectors
    from apps.reminders.services import Outcome, reminder_send
    from apps.reminders.tasks import queue_due_reminders

    t0 = time.perf_counter()
    _seed(args.patients)
    print(f"seeded {args.patients:,} patients in {time.perf_counter() - t0:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from django.db.models import F

    from apps.reminders.models import ReminderSchedule

    # A fresh Redis starts empty: no need to ask it (and so import the Redis client
    # before the first tick, which then would not pay for it).
    waiting = 0 if os.environ.get("BENCH_FRESH_REDIS") else _queue_length()
    for label, at in (("typical minute", QUIET_TICK), ("20:00 peak", TICK)):
        due_rows = ReminderSchedule.objects.filter(next_reminder_at__lte=at)
        plan = due_rows.values_list("patient_id", flat=True).explain(
            **({"analyze": True} if connection.vendor == "postgresql" else {})
        )
        with (
            time_machine.travel(at, tick=True),
            CaptureQueriesContext(connection) as queries,
        ):
            t0 = time.perf_counter()
            queued = queue_due_reminders()
            elapsed = time.perf_counter() - t0
        verdict = "OK" if elapsed <= 1.0 else "OVER TARGET"
        print(
            f"\ndispatcher tick, {label} ({at:%H:%M} UTC): {queued:,} due of "
            f"{args.patients:,}, selected and enqueued in {elapsed * 1000:.0f} ms "
            f"({len(queries)} SQL query) [target ≤ 1000 ms: {verdict}]"
        )
        if waiting is not None:
            now_waiting = _queue_length()
            print(f"messages added to the Redis queue: {now_waiting - waiting:,}")
            waiting = now_waiting
        print(f"EXPLAIN ANALYZE of the selecting query:\n{plan}")
        if at == QUIET_TICK:
            # As if the workers had sent those: their rows move to tomorrow.
            due_rows.update(
                next_reminder_at=F("next_reminder_at") + dt.timedelta(days=1)
            )

    due = selectors.patient_ids_due(now=TICK)[: args.emails]
    send_at = TICK + dt.timedelta(seconds=30)
    db_pid = None
    local = connection.settings_dict["HOST"] in ("", "localhost", "127.0.0.1", "::1")
    if connection.vendor == "postgresql" and local:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            db_pid = cursor.fetchone()[0]
    cpu_before = [time.process_time(), _cpu_seconds(db_pid), _cpu_seconds(sink_pid)]
    sent = 0
    t0 = time.perf_counter()
    with time_machine.travel(send_at, tick=True):
        for patient_id in due:
            sent += reminder_send(patient_id=patient_id, now=send_at) is Outcome.SENT
    elapsed = time.perf_counter() - t0
    cpu_after = [time.process_time(), _cpu_seconds(db_pid), _cpu_seconds(sink_pid)]
    rate = sent / elapsed
    verdict = "OK" if rate >= 200 else "UNDER TARGET"
    print(
        f"\nreminder_send, one process: {sent:,} emails claimed, rendered and handed "
        f"to the SMTP sink in {elapsed:.2f} s = {rate:.0f}/s [target ≥ 200/s: {verdict}]"
    )
    # The sends run one after another, so these add up to the wall time per email
    # (less whatever overlaps): where the time goes, by process.
    parts = [
        f"{name} {(after - before) * 1000 / len(due):.2f} ms"
        for name, before, after in zip(
            ("this process", "PostgreSQL backend", "SMTP sink"),
            cpu_before,
            cpu_after,
            strict=True,
        )
        if before is not None and after is not None
    ]
    print(f"CPU per email: {', '.join(parts)} (on {os.cpu_count()} CPUs)")
    _worker_rate(args.emails)


def _worker_rate(n: int) -> None:
    """Emails per second through one real Celery worker as deployed: prefork, one
    process per CPU, tasks from the Redis queue, the same database and SMTP sink."""
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection
    from django.utils import timezone

    from apps.accounts.models import PatientProfile
    from apps.reminders.models import DeliveryStatus, ReminderDelivery, ReminderSchedule
    from apps.reminders.tasks import send_reminders_enqueue
    from tmo_tracker.celery import app

    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        print("\none Celery worker: skipped (needs PostgreSQL and Redis)")
        return
    # The worker runs on the real clock: make n patients not used above due now.
    now = timezone.now()
    used = ReminderDelivery.objects.values_list("patient_id", flat=True)
    ids = list(
        PatientProfile.objects.exclude(pk__in=used).values_list("pk", flat=True)[:n]
    )
    PatientProfile.objects.filter(pk__in=ids).update(
        reminders_enabled=True, reminder_weekdays="1234567"
    )
    ReminderSchedule.objects.filter(patient_id__in=ids).update(
        next_reminder_at=now - dt.timedelta(seconds=10)
    )
    # The ticks above left ~13,700 messages for patients already handled; a
    # worker would spend minutes skipping them first.
    app.control.purge()
    url = urlsplit(os.environ["DATABASE_URL"])
    test_db = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tmo_tracker", "worker"]
        + ["--pool", "prefork", "--concurrency", str(os.cpu_count())]
        + ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        env={**os.environ, "DATABASE_URL": test_db},
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                print("\none Celery worker: did not start")
                return
        sent = ReminderDelivery.objects.filter(
            patient_id__in=ids, status=DeliveryStatus.SENT
        )
        t0 = time.perf_counter()
        send_reminders_enqueue(ids)
        while (done := sent.count()) < len(ids) and time.perf_counter() - t0 < 300:
            time.sleep(0.1)
        elapsed = time.perf_counter() - t0
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    rate = done / elapsed
    verdict = "OK" if rate >= 200 else "UNDER TARGET"
    print(
        f"\nsend_reminder through one Celery worker ({os.cpu_count()} prefork "
        f"processes, from Redis): {done:,} emails in {elapsed:.2f} s = {rate:.0f}/s "
        f"[target ≥ 200/s: {verdict}]"
    )


def _seed(n: int) -> None:
    """100k users, profiles and schedule rows by bulk insert, with times and zones spread."""
    from django.db import transaction

    from apps.accounts.models import PatientProfile, User
    from apps.diary.models import CheckIn
    from apps.reminders.models import ReminderSchedule
    from apps.reminders.schedule import next_reminder_at

    rng = random.Random(5)
    zones = [z for z, w in ZONES for _ in range(w)]
    before_tick = QUIET_TICK - dt.timedelta(minutes=1)
    batch = 5_000
    for start in range(0, n, batch):
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    email=f"bench{i}@example.org",
                    password="!",
                    first_name=f"Patient{i}",
                    role=User.Role.PATIENT,
                )
                for i in range(start, min(start + batch, n))
            )
            profiles = []
            for user in users:
                at = (
                    dt.time(20)
                    if rng.random() < DEFAULT_TIME_SHARE
                    else dt.time(rng.randrange(7, 23), rng.choice((0, 15, 30, 45)))
                )
                profiles.append(
                    PatientProfile(
                        user=user, timezone=rng.choice(zones), reminder_time=at
                    )
                )
            profiles = PatientProfile.objects.bulk_create(profiles)
            # Yesterday logged for most, so the email's one-line summary has work to do.
            CheckIn.objects.bulk_create(
                CheckIn(patient=p, date=dt.date(2026, 1, 13))
                for p in profiles
                if rng.random() < 0.7
            )
            ReminderSchedule.objects.bulk_create(
                ReminderSchedule(
                    patient=p,
                    # The state the minute before the tick, as the live system has it.
                    next_reminder_at=next_reminder_at(
                        now=before_tick,
                        tz_name=p.timezone,
                        local_time=p.reminder_time,
                        weekdays=p.reminder_weekdays,
                        last_checkin=None,
                    ),
                )
                for p in profiles
            )


if __name__ == "__main__":
    main()
