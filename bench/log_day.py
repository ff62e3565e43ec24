"""Saving a day through the real log view, against a view that does nothing.

    python -m bench.log_day [--seconds 5]

Prints requests/s for a 4-joint save and for a bare view through the same
middleware (session, auth, CSRF, htmx), their ratio, and the SQL query count of
GET and POST /log/ with 1 and 16 tracked joints, with and without a year of
history. Targets: save ≥ 40 % of the bare rate; ≤ 10 queries, not growing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from urllib.parse import urlencode

from bench._django import django_setup

django_setup("log-day")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import patient_create  # noqa: E402
from apps.diary import anatomy  # noqa: E402
from apps.diary.models import CheckIn, DiaryEntry, Joint, TrackedJoint  # noqa: E402


def bare(request):
    return HttpResponse("")


urlpatterns = [path("bare/", bare), path("", include("tmo_tracker.urls"))]


def make_patient(email: str, codes: list[str], history_days: int):
    User.objects.filter(email=email).delete()
    patient = patient_create(email=email, password=None)
    joints = {j.code: j for j in Joint.objects.all()}
    TrackedJoint.objects.bulk_create(
        TrackedJoint(patient=patient, joint=joints[c]) for c in codes
    )
    today = patient.local_date(timezone.now())
    days = [today - dt.timedelta(days=i) for i in range(1, history_days + 1)]
    CheckIn.objects.bulk_create(CheckIn(patient=patient, date=d) for d in days)
    DiaryEntry.objects.bulk_create(
        DiaryEntry(patient=patient, joint=joints[c], date=d, pain=3, swelling=1)
        for d in days
        for c in codes
    )
    return patient


def day_data(codes: list[str], pain: int) -> str:
    """The form as a browser posts it (urlencoded, not the test client's multipart)."""
    data = {"note": ""}
    for c in codes:
        data[f"pain_{c}"] = str(pain)
        data[f"swelling_{c}"] = str(pain % 4)
    return urlencode(data)


FORM = "application/x-www-form-urlencoded"


def rate(fn, seconds: float) -> float:
    fn()  # warm up connections and template caches
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        n += 1
    return n / elapsed


def queries(client: Client, data: str | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        if data:
            response = client.post("/log/", data, content_type=FORM)
        else:
            response = client.get("/log/")
    assert response.status_code in (200, 302), response.status_code
    return len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["*"]

    four = ["left_hip", "right_hip", "left_knee", "right_knee"]
    patient = make_patient("bench-4@example.com", four, history_days=365)
    client = Client()
    client.force_login(patient.user)
    pains = iter(range(10**9))
    # Alternate values so every save really writes (and records history).
    save_rate = rate(
        lambda: client.post(
            "/log/", day_data(four, next(pains) % 11), content_type=FORM
        ),
        args.seconds,
    )
    bare_rate = rate(lambda: client.get("/bare/"), args.seconds)
    print(
        f"{connection.vendor}: save a 4-joint day through /log/: {save_rate:8.1f} req/s"
    )
    print(
        f"{connection.vendor}: bare view, same middleware:        {bare_rate:8.1f} req/s"
    )
    print(f"ratio save / bare: {save_rate / bare_rate:.0%} (target ≥ 40%)")

    print("SQL queries per request (target ≤ 10, constant):")
    for n_joints in (1, 16):
        codes = list(anatomy.JOINT_ORDER[:n_joints])
        for history in (0, 365):
            p = make_patient(f"bench-{n_joints}-{history}@example.com", codes, history)
            c = Client()
            c.force_login(p.user)
            get_q = queries(c)
            post_q = queries(c, day_data(codes, 5))
            repost_q = queries(c, day_data(codes, 6))
            print(
                f"  {n_joints:2d} joints, {history:3d} days of history: "
                f"GET {get_q}, POST new day {post_q}, POST correction {repost_q}"
            )


if __name__ == "__main__":
    main()
