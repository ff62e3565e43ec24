"""Locust users for bench/load.py: patients logging their day, physicians browsing.

Run by bench/load.py (it seeds the data and passes the session cookies in
LOAD_SESSIONS); not meant to be started by hand.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

from locust import HttpUser, between, task

SESSIONS = json.loads(Path(os.environ["LOAD_SESSIONS"]).read_text())
_patients = itertools.cycle(SESSIONS["patients"])
_FIELDS = re.compile(r'name="((?:pain|swelling)_[a-z_]+)"')


# Think times model a person, not a script: a patient takes a few seconds to tap
# a score per joint before saving, then reads the result. LOAD_THINK scales them
# (0.2 turns the run into a stress test that finds the throughput ceiling).
THINK = float(os.environ.get("LOAD_THINK", "1"))


class Patient(HttpUser):
    """Opens today's log, taps a score or two, saves with htmx, reads the result."""

    weight = 9
    wait_time = between(5 * THINK, 15 * THINK)

    def on_start(self):
        session = next(_patients)
        self.client.cookies.set("sessionid", session["sessionid"])
        self.client.cookies.set("csrftoken", session["csrftoken"])
        self.csrftoken = session["csrftoken"]
        self.fields = []

    @task
    def log_day(self):
        page = self.client.get("/log/", name="GET /log/")
        self.fields = sorted(set(_FIELDS.findall(page.text)))
        time.sleep(random.uniform(3 * THINK, 10 * THINK))  # tapping the scores
        data = {"note": ""}
        for field in self.fields:
            top = 10 if field.startswith("pain_") else 3
            data[field] = str(random.randint(0, top))
        self.client.post(
            "/log/",
            data,
            headers={
                "HX-Request": "true",
                "X-CSRFToken": self.csrftoken,
                "Referer": self.host + "/log/",
            },
            name="POST /log/ (save day)",
        )


class Physician(HttpUser):
    """Triage table, then one patient's course."""

    weight = 1
    wait_time = between(3 * THINK, 10 * THINK)

    def on_start(self):
        doctor = SESSIONS["physician"]
        self.client.cookies.set("sessionid", doctor["sessionid"])
        self.patient_ids = SESSIONS["patient_ids"]

    @task(3)
    def dashboard(self):
        self.client.get("/physician/", name="GET /physician/")

    @task(1)
    def patient(self):
        pid = random.choice(self.patient_ids)
        self.client.get(
            f"/physician/patients/{pid}/", name="GET /physician/patients/<id>/"
        )
