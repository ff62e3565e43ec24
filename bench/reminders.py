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
   function in a loop, with the CPU each email cost this process, the
   PostgreSQL backend (when local) and the sink; then by one real Celery worker
   started with the README's command line (WORKER_COMMAND) taking the tasks
   from Redis, with the CPU per email of each process involved;
   target ≥ 200/s for the worker.

Needs PostgreSQL for figures that mean anything; on SQLite it runs but says so.
Starts its own redis-server on a free port if REDIS_URL is unset.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench._django import bench_environ
from testkit.ports import free_port, wait_for_port

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
# Exactly what the README tells operators to run; processes per CPU and
# prefetch come from settings, as they do in production.
WORKER_COMMAND = ["celery", "-A", "tmo_tracker", "worker", "-l", "info"]
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")  # CPU readable in /proc

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    # Enough for a steady rate: the worker's first second goes on connecting and
    # on statements not yet prepared, and the 20:00 peak is some 13,000 emails.
    parser.add_argument("--emails", type=int, default=3_000)
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
    pids: dict[str, int] = {}  # the bench's helper processes, for CPU per email
    bench_environ()
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
            pids["Redis"] = procs[-1].pid
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
    pids["SMTP sink"] = sink.pid
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
        _bench(args, pids, scratch)
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


def _machine_busy_seconds() -> float:
    """CPU seconds all CPUs have spent not idle since boot (/proc/stat)."""
    # user nice system idle iowait irq softirq (then steal and guest, not ours)
    fields = [int(v) for v in Path("/proc/stat").read_text().split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU of a local process so far, or None if it can't be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _bench(args, pids: dict[str, int], scratch: Path) -> None:
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
    local = connection.settings_dict["HOST"] in LOCAL_HOSTS
    if connection.vendor == "postgresql" and local:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            db_pid = cursor.fetchone()[0]
    sink_pid = pids["SMTP sink"]
    cpu_before = [time.process_time(), _cpu_seconds(db_pid), _cpu_seconds(sink_pid)]
    sent = 0
    t0 = time.perf_counter()
    with time_machine.travel(send_at, tick=True):
        for patient_id in due:
            sent += reminder_send(patient_id=patient_id, now=send_at) is Outcome.SENT
    elapsed = time.perf_counter() - t0
    cpu_after = [time.process_time(), _cpu_seconds(db_pid), _cpu_seconds(sink_pid)]
    rate = sent / elapsed
    # One process, one email after another: it waits on every round trip, so
    # its rate says less than its CPU split; the target is the worker's below.
    print(
        f"\nreminder_send, one process in a loop: {sent:,} emails claimed, rendered "
        f"and handed to the SMTP sink in {elapsed:.2f} s = {rate:.0f}/s"
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
    _worker_rate(args.emails, pids, scratch)


def _worker_rate(n: int, pids: dict[str, int], scratch: Path) -> None:
    """Emails per second through one real Celery worker as deployed (WORKER_COMMAND),
    tasks from the Redis queue, the same database and SMTP sink; and the CPU each
    email cost every process involved, which share this machine's CPUs."""
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
    # As at the tick above, most logged yesterday (the seed's check-in day), so
    # the email's line about it has work to do; on the real clock that is the
    # day before each patient's local today.
    from apps.diary.models import CheckIn

    for zone, _weight in ZONES:
        in_zone = PatientProfile.objects.filter(pk__in=ids, timezone=zone)
        yesterday = now.astimezone(ZoneInfo(zone)).date() - dt.timedelta(days=1)
        CheckIn.objects.filter(patient__in=in_zone).update(date=yesterday)
    # The ticks above left ~13,700 messages for patients already handled; a
    # worker would spend minutes skipping them first.
    app.control.purge()
    url = urlsplit(os.environ["DATABASE_URL"])
    test_db = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    # This process's LOG_LEVEL=ERROR stays here: the worker logs as in production,
    # and its INFO lines (two per task) are part of its cost.
    env = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
    log_path = scratch / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", *WORKER_COMMAND],
            env={**env, "DATABASE_URL": test_db},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                print(f"\none Celery worker: did not start (log: {log_path})")
                return
        sent = ReminderDelivery.objects.filter(
            patient_id__in=ids, status=DeliveryStatus.SENT
        )
        cpu = _ProcessCpu(worker.pid, pids)
        machine_before = _machine_busy_seconds()
        t0 = time.perf_counter()
        send_reminders_enqueue(ids)
        while (done := sent.count()) < len(ids) and time.perf_counter() - t0 < 300:
            time.sleep(0.1)
            if time.perf_counter() - cpu.sampled_at > 0.5:
                cpu.sample()
        elapsed = time.perf_counter() - t0
        machine_busy = (_machine_busy_seconds() - machine_before) / elapsed
        cpu.sample()
        processes = len(cpu.children())
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    rate = done / elapsed
    verdict = "OK" if rate >= 200 else "UNDER TARGET"
    print(
        f"\nsend_reminder through one Celery worker ({' '.join(WORKER_COMMAND)}: "
        f"{processes} prefork processes, from Redis): {done:,} emails in "
        f"{elapsed:.2f} s = {rate:.0f}/s [target ≥ 200/s: {verdict}]"
    )
    used_ms = {role: seconds * 1000 / done for role, seconds in cpu.used().items()}
    total = sum(used_ms.values())
    print(
        "CPU per email: "
        + ", ".join(f"{role} {ms:.2f} ms" for role, ms in used_ms.items())
        + f"; {total:.2f} ms in all, {total * rate / 1000:.2f} of "
        f"{os.cpu_count()} CPUs busy (the whole machine: {machine_busy:.2f}, "
        "the rest is other programs and this bench)"
    )


class _ProcessCpu:
    """CPU time of the worker (its main process and pool processes), the
    PostgreSQL backends serving it and the bench's helpers, sampled as the
    sends run: a backend that exits (its connection recycled) keeps its share."""

    def __init__(self, worker_pid: int, helpers: dict[str, int]) -> None:
        self.worker_pid = worker_pid
        self.helpers = helpers
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.sample(start=True)

    def children(self) -> list[int]:
        try:
            tasks = os.listdir(f"/proc/{self.worker_pid}/task")
            return [
                int(child)
                for task in tasks
                for child in Path(f"/proc/{self.worker_pid}/task/{task}/children")
                .read_text()
                .split()
            ]
        except OSError:
            return []

    def _backends(self) -> list[int]:
        from django.db import connection

        if connection.settings_dict["HOST"] not in LOCAL_HOSTS:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [pid for (pid,) in cursor.fetchall()]

    def sample(self, start: bool = False) -> None:
        self.sampled_at = time.perf_counter()
        roles = {
            "worker main process": [self.worker_pid],
            "worker pool processes": self.children(),
            "PostgreSQL backends": self._backends(),
            **{name: [pid] for name, pid in self.helpers.items()},
        }
        for role, role_pids in roles.items():
            for pid in role_pids:
                seconds = _cpu_seconds(pid)
                if seconds is not None:
                    # A process born after the start counts from zero.
                    self.first.setdefault((role, pid), seconds if start else 0.0)
                    self.last[(role, pid)] = seconds

    def used(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for (role, pid), seconds in self.last.items():
            totals[role] = totals.get(role, 0.0) + seconds - self.first[(role, pid)]
        return totals


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
