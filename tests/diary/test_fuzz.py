"""Random and malformed input to the log endpoints: never a 500, never half a day."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.diary.models import CheckIn, DiaryEntry
from tests.factories import TrackedJointFactory, joint

pytestmark = pytest.mark.django_db

CODES = ("left_hip", "right_knee")
FIELDS = [f"{kind}_{code}" for code in CODES for kind in ("pain", "swelling")]

junk = st.one_of(
    st.text(max_size=30),
    st.text(min_size=3000, max_size=5000),  # a huge string
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True).map(str),
    st.sampled_from(["", " 3", "3 ", "٣", "３", "1e1", "0x3", "None", "null", "\x00"]),
)
form_data = st.dictionaries(
    st.one_of(
        st.sampled_from([*FIELDS, "note", "pain_left_elbow", "pain_"]),
        st.text(max_size=20),
    ),
    junk,
    max_size=8,
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
json_payload = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {
            "entries": st.lists(
                st.dictionaries(
                    st.sampled_from(["joint", "pain", "swelling", "x"]), json_value
                ),
                max_size=4,
            )
        },
        optional={"note": json_value},
    ),
)
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def logged_in(patient):
    for code in CODES:
        TrackedJointFactory(patient=patient, joint=joint(code))
    client = Client()
    client.force_login(patient.user)
    return client


def assert_whole_days_only():
    """Every stored day has a check-in and a valid entry for each tracked joint."""
    for checkin in CheckIn.objects.all():
        entries = DiaryEntry.objects.filter(patient=checkin.patient, date=checkin.date)
        assert entries.count() == len(CODES)
    assert not DiaryEntry.objects.exclude(
        date__in=CheckIn.objects.values("date")
    ).exists()


@FUZZ
@given(data=form_data, htmx=st.booleans())
def test_random_form_posts_never_fail(logged_in, data, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = logged_in.post("/log/", data, headers=headers)
    assert response.status_code in (200, 302, 422)
    assert_whole_days_only()


@FUZZ
@given(payload=json_payload)
def test_random_json_never_fails(logged_in, payload):
    response = logged_in.post(
        "/log/", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code in (200, 400)
    assert_whole_days_only()


@FUZZ
@given(body=st.binary(max_size=200))
def test_garbage_bodies_never_fail(logged_in, body):
    response = logged_in.post("/log/", body, content_type="application/json")
    # An empty body carries no content type, so it is read as an empty form.
    assert response.status_code in (400, 422)
    assert not CheckIn.objects.exists()


@FUZZ
@given(day=dates)
def test_any_date_in_the_url(logged_in, day):
    url = (
        f"/log/{day:%Y-%m-%d}/"
        if day.year >= 1000
        else f"/log/{day.year:04d}-{day.month:02d}-{day.day:02d}/"
    )
    data = dict.fromkeys(FIELDS, "1")
    response = logged_in.post(url, data)
    assert response.status_code in (302, 400)
    assert_whole_days_only()
