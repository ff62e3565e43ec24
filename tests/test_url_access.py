"""Every URL of ours, requested as every kind of user: only the right ones get data.

Views declare who they are for with the decorators in apps/accounts/decorators.py
(`public`, `patient_required`, `physician_required`); a new URL whose view has no
such declaration fails this test, so nothing ships without an access rule.

Physicians and staff sign in as in production, with a second factor; the
sessions that must get less are here too: a physician session that signed in
before TOTP was set up, staff without MFA, and a patient's one-tap session
(opened by the reminder email's link), which may use only the views marked
`one_tap_allowed`.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    PASSWORD,
    CareLinkFactory,
    PatientFactory,
    PhysicianFactory,
    UserFactory,
    mfa_login,
    one_tap_login,
    totp_enable,
)

pytestmark = pytest.mark.django_db

# Third-party URL trees with their own access control.
SKIP_PREFIXES = ("admin/", "accounts/")
ROLES = (
    "anonymous",
    "patient_a",
    "patient_b",
    "patient_a_one_tap",
    "linked_physician",
    "other_physician",
    "linked_physician_before_mfa",
    "staff",
    "staff_without_mfa",
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
def world(db, settings):
    settings.PHYSICIAN_MFA_REQUIRED = True
    settings.STAFF_MFA_REQUIRED = True
    a = PatientFactory(user__email="a@example.org")
    b = PatientFactory(user__email="b@example.org")
    link = CareLinkFactory(patient=a, physician__user__email="linked@example.org")
    # Signed in with the password; TOTP was set up afterwards, elsewhere.
    before_mfa = CareLinkFactory(
        patient=a, physician__user__email="before.mfa@example.org"
    ).physician.user
    other = PhysicianFactory(user__email="other@example.org")
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    staff_without_mfa = UserFactory(
        email="staff.nomfa@example.org", is_staff=True, is_superuser=True
    )
    return {
        "a": a,
        "link": link,
        "users": {
            "anonymous": None,
            "patient_a": a.user,
            "patient_b": b.user,
            "patient_a_one_tap": a,
            "linked_physician": link.physician.user,
            "other_physician": other.user,
            "linked_physician_before_mfa": before_mfa,
            "staff": staff,
            "staff_without_mfa": staff_without_mfa,
        },
    }


def sign_in(client, role: str, who) -> None:
    """Open the kind of session `role` stands for."""
    if who is None:
        return
    if role == "patient_a_one_tap":
        one_tap_login(client, who)
    elif role in ("linked_physician", "other_physician", "staff"):
        mfa_login(client, who, totp_enable(who))
    elif role in ("linked_physician_before_mfa", "staff_without_mfa"):
        response = client.post(
            "/accounts/login/", {"login": who.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        if role == "linked_physician_before_mfa":
            totp_enable(who)
    else:
        client.force_login(who)
    # A sign-in that silently failed would make every refusal below pass.
    landing = {"staff": "/admin/", "staff_without_mfa": "/admin/"}.get(role, "/")
    assert client.get(landing).status_code in (200, 302), role
    if role in ("linked_physician", "other_physician"):
        assert client.get("/physician/").status_code == 200, role
    if role in ("patient_a", "patient_b", "patient_a_one_tap"):
        assert client.get("/log/").status_code == 200, role


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


def expected_ok(access: str, role: str, kwargs: dict, view) -> bool:
    """May `role` receive a 200 from a view declared `access`?"""
    if access == "public":
        return True
    if access == "patient":
        if role == "patient_a_one_tap":
            return getattr(view, "one_tap", False)
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
    sign_in(client, role, world["users"][role])
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
            elif status == 200 and not expected_ok(
                access, role, kwargs, pattern.callback
            ):
                failures.append(
                    f"{method.upper()} {url} as {role}: 200 but should be refused"
                )
            elif access != "public" and role == "anonymous" and status != 302:
                failures.append(
                    f"{method.upper()} {url} as anonymous: {status}, not a login redirect"
                )
            elif (
                method == "get"
                and expected_ok(access, role, kwargs, pattern.callback)
                and access != "public"
                and status not in (200, 302, 404, 405)
            ):
                failures.append(f"GET {url} as {role}: {status}, expected access")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_who_passed_mfa_get_the_admin(client, world, role):
    sign_in(client, role, world["users"][role])
    failures = []
    for url in ("/admin/", "/admin/accounts/user/", "/admin/diary/diaryentry/"):
        status = client.get(url).status_code
        if (status == 200) != (role == "staff"):
            failures.append(f"GET {url} as {role}: {status}")
    assert not failures, "\n".join(failures)
