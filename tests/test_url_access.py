"""Every URL of ours, requested as every kind of user: only the right ones get data.

Views declare who they are for with the decorators in apps/accounts/decorators.py
(`public`, `patient_required`, `physician_required`); a new URL whose view has no
such declaration fails this test, so nothing ships without an access rule.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    CareLinkFactory,
    PatientFactory,
    PhysicianFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Third-party URL trees with their own access control.
SKIP_PREFIXES = ("admin/", "accounts/")
ROLES = (
    "anonymous",
    "patient_a",
    "patient_b",
    "linked_physician",
    "other_physician",
    "staff",
)


def our_patterns(patterns=None, prefix="", namespace=""):
    """(qualified name, route, pattern) for every named URL outside SKIP_PREFIXES."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if route.startswith(SKIP_PREFIXES):
            continue
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from our_patterns(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", route, p


@pytest.fixture
def world(db):
    a = PatientFactory(user__email="a@example.org")
    b = PatientFactory(user__email="b@example.org")
    link = CareLinkFactory(patient=a, physician__user__email="linked@example.org")
    other = PhysicianFactory(user__email="other@example.org")
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    return {
        "a": a,
        "link": link,
        "users": {
            "anonymous": None,
            "patient_a": a.user,
            "patient_b": b.user,
            "linked_physician": link.physician.user,
            "other_physician": other.user,
            "staff": staff,
        },
    }


def sample_kwargs(pattern, world) -> dict:
    """Arguments that point at patient A's things where we can tell what they are."""
    kwargs = {}
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__
        if kind == "IsoDateConverter":
            kwargs[name] = dt.date.today() - dt.timedelta(days=1)
        elif name == "patient_id":
            kwargs[name] = world["a"].pk
        elif name == "link_id":
            kwargs[name] = world["link"].pk
        elif kind == "IntConverter":
            kwargs[name] = 1
        else:
            kwargs[name] = "not-a-real-token"
    return kwargs


def expected_ok(access: str, role: str, kwargs: dict) -> bool:
    """May `role` receive a 200 from a view declared `access`?"""
    if access == "public":
        return True
    if access == "patient":
        return role in ("patient_a", "patient_b")
    if access == "physician":
        if "patient_id" in kwargs:
            return role == "linked_physician"
        return role in ("linked_physician", "other_physician")
    raise AssertionError(f"unknown access {access!r}")


def test_every_view_declares_who_it_is_for():
    missing = [
        name
        for name, _route, p in our_patterns()
        if getattr(p.callback, "access", None) is None
    ]
    assert not missing, (
        f"views without public/patient_required/physician_required: {missing}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_right_roles_get_each_url(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    failures = []
    for name, _route, pattern in our_patterns():
        access = getattr(pattern.callback, "access", None)
        kwargs = sample_kwargs(pattern, world)
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            status = response.status_code
            if status >= 500:
                failures.append(f"{method.upper()} {url} as {role}: {status}")
            elif status == 200 and not expected_ok(access, role, kwargs):
                failures.append(
                    f"{method.upper()} {url} as {role}: 200 but should be refused"
                )
            elif access != "public" and role == "anonymous" and status != 302:
                failures.append(
                    f"{method.upper()} {url} as anonymous: {status}, not a login redirect"
                )
            elif (
                method == "get"
                and expected_ok(access, role, kwargs)
                and access != "public"
                and status not in (200, 302, 404, 405)
            ):
                failures.append(f"GET {url} as {role}: {status}, expected access")
    assert not failures, "\n".join(failures)
