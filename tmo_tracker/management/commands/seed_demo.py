from __future__ import annotations

import random
import time

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import CareLink, PatientProfile, User
from apps.accounts.services import physician_create
from apps.dashboard.services import summary_refresh
from apps.detector.services import episodes_refresh
from apps.diary.models import CheckIn, DiaryEntry, Joint, TrackedJoint
from tmo_tracker.demo import course_days, scenario_for

DEMO_PASSWORD = "tmo-demo-2026"
DOCTOR_EMAIL = "doctor@example.com"
# By the sex in each course's profile: TMO strikes middle-aged men and women
# late in pregnancy, and a "Viktor, female" in the demo reads as a bug.
FIRST_NAMES = {
    "female": ["Anna", "Carla", "Elif", "Grace", "Ines", "Karin", "Mei", "Nadia"]
    + ["Pia", "Sofia", "Uma", "Wen", "Yara"],
    "male": ["Ben", "David", "Farid", "Hugo", "Jonas", "Luis", "Omar", "Rafael"]
    + ["Tomas", "Viktor", "Zoltan"],
}
LAST_NAMES = [
    "Meyer",
    "Okafor",
    "Rossi",
    "Novak",
    "Silva",
    "Berg",
    "Kowalski",
    "Haddad",
    "Jensen",
    "Moreau",
    "Tanaka",
    "Lindqvist",
    "Costa",
    "Brown",
]
TIMEZONES = [
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "Europe/Madrid",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "America/Chicago",
]


def _insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 20000):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", rows[i : i + 20000]
            )


class Command(BaseCommand):
    help = "Create a demo physician and N patients with realistic TMO courses."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=30)
        parser.add_argument(
            "--days", type=int, default=365, help="Length of each diary."
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--reset", action="store_true", help="Replace existing demo data."
        )

    def handle(
        self, *args, patients: int, days: int, seed: int, reset: bool, **options
    ):
        started = time.perf_counter()
        demo_users = User.objects.filter(email__endswith="@example.com")
        if demo_users.exists():
            if not reset:
                self.stdout.write(
                    "Demo data is already there (use --reset to rebuild it)."
                )
                self._print_logins(demo_users.filter(role=User.Role.PATIENT).count())
                return
            self._delete_demo(demo_users)
        with transaction.atomic():
            count = self._create(patients=patients, days=days, rng=random.Random(seed))
        seeded = time.perf_counter() - started
        self._detect()
        self.stdout.write(
            f"Created {count['patients']} patients, {count['checkins']} check-ins and "
            f"{count['entries']} diary entries in {seeded:.1f} s; detector run took "
            f"{time.perf_counter() - started - seeded:.1f} s."
        )
        self._print_logins(patients)

    def _create(
        self, *, patients: int, days: int, rng: random.Random
    ) -> dict[str, int]:
        doctor = physician_create(
            email=DOCTOR_EMAIL,
            password=DEMO_PASSWORD,
            first_name="Dana",
            last_name="Doctor",
        )
        # One hash for every demo account: hashing is deliberately slow.
        password = make_password(DEMO_PASSWORD)
        courses = [scenario_for(i, rng) for i in range(patients)]
        users = User.objects.bulk_create(
            User(
                email=f"patient{i}@example.com",
                password=password,
                role=User.Role.PATIENT,
                first_name=rng.choice(FIRST_NAMES[course.profile["sex"]]),
                last_name=rng.choice(LAST_NAMES),
            )
            for i, course in enumerate(courses, start=1)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, primary=True, verified=True)
            for u in users
        )
        profiles = PatientProfile.objects.bulk_create(
            PatientProfile(user=u, timezone=rng.choice(TIMEZONES), **c.profile)
            for u, c in zip(users, courses, strict=True)
        )
        CareLink.objects.bulk_create(
            CareLink(patient=p, physician=doctor) for p in profiles
        )
        joints = {j.code: j.pk for j in Joint.objects.all()}
        today = timezone.localdate()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        tracked, checkins, entries = [], [], []
        for profile, course in zip(profiles, courses, strict=True):
            diary = course_days(course, today=today, days=days, rng=rng)
            tracked += [
                TrackedJoint(patient=profile, joint_id=joints[c])
                for c in course.tracked
            ]
            for day, values in diary.items():
                checkins.append((profile.pk, day, "", now, now))
                entries += [
                    (profile.pk, joints[code], day, p, s, now, now)
                    for code, (p, s) in values.items()
                ]
        TrackedJoint.objects.bulk_create(tracked)
        # A year of 1,000 diaries is a million rows: plain executemany is ~10x
        # faster than building model instances for bulk_create.
        _insert_rows(
            CheckIn,
            ["patient_id", "date", "note", "created_at", "updated_at"],
            checkins,
        )
        _insert_rows(
            DiaryEntry,
            [
                "patient_id",
                "joint_id",
                "date",
                "pain",
                "swelling",
                "created_at",
                "updated_at",
            ],
            entries,
        )
        return {
            "patients": len(profiles),
            "checkins": len(checkins),
            "entries": len(entries),
        }

    def _detect(self) -> None:
        # The pipeline's refresh without its alerts: the demo emails nobody.
        for profile in PatientProfile.objects.filter(
            user__email__endswith="@example.com"
        ):
            episodes_refresh(patient=profile)
            summary_refresh(patient=profile, today=profile.local_date(timezone.now()))

    def _delete_demo(self, users) -> None:
        # Raw deletes: the ORM's cascade would load a year of rows per patient.
        patients = PatientProfile.objects.filter(user__in=users)
        for model in (
            DiaryEntry,
            CheckIn,
            DiaryEntry.history.model,
            CheckIn.history.model,
        ):
            model.objects.filter(patient_id__in=patients.values("pk"))._raw_delete(
                model.objects.db
            )
        users.delete()

    def _print_logins(self, patients: int) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo logins (password {DEMO_PASSWORD}):\n"
                f"  physician: {DOCTOR_EMAIL}\n"
                f"  patients:  patient1@example.com … patient{patients}@example.com"
            )
        )
