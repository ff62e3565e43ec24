from __future__ import annotations

import pytest

from tests.factories import CareLinkFactory, PatientFactory, PhysicianFactory


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest only exists after collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _physicians_without_mfa(settings):
    # Production requires TOTP for physicians and staff (tested in
    # tests/accounts and test_url_access); other tests log them in directly.
    settings.PHYSICIAN_MFA_REQUIRED = False
    settings.STAFF_MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def _empty_cache():
    # allauth keeps rate limits and used TOTP codes in the cache: one test's
    # logins must not lock out the next.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 costs ~0.3 s per hash by design; tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    # Tasks run in-process: no broker in unit tests (the integration test has a real one).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from tmo_tracker.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def patient(db):
    return PatientFactory(user__email="pat@example.org", user__first_name="Pat")


@pytest.fixture
def other_patient(db):
    return PatientFactory(user__email="other@example.org")


@pytest.fixture
def physician(db, patient):
    """A physician linked to `patient`."""
    link = CareLinkFactory(patient=patient, physician__user__email="doc@example.org")
    return link.physician


@pytest.fixture
def unlinked_physician(db):
    return PhysicianFactory(user__email="stranger@example.org")


@pytest.fixture
def client_as(client):
    """client_as(profile_or_user) logs the client in and returns it."""

    def login(who):
        client.force_login(getattr(who, "user", who))
        return client

    return login
