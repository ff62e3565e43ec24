"""The only settings module: every deploy-specific value comes from the environment.

Defaults let `pytest` and the demo run with nothing set (SQLite, console email,
Celery on a filesystem broker); production sets the variables in the README.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already set win over the file. scripts/_setup.sh writes this
# checkout's own SECRET_KEY there, so manage.py works here without DEBUG.
ENV_FILE = Path(os.environ.get("ENV_FILE", BASE_DIR / ".env"))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)
# Every one-tap, unsubscribe and password-reset link and every session is signed
# with this key: anyone who knows it can forge them. Django's public
# development key is only for DEBUG; production refuses to start without its own.
DEV_SECRET_KEY = "django-insecure-dev-only"
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("django-insecure"):
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a long random value (it signs sessions and the "
            "links in emails); only DEBUG=true runs on the development key."
        )
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, signed in through allauth with a second factor.
    "apps.accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Which session is whose: "end my other sessions" and account deletion.
    "allauth.usersessions",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "apps.accounts",
    "apps.diary",
    "apps.detector",
    "apps.dashboard",
    "apps.reminders",
    "apps.pwa",
    # Last: the top layer, which wires the apps above together (tmo_tracker/apps.py).
    "tmo_tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language, or the language cookie) …
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # … unless the user chose one on their profile: that wins on every device.
    "apps.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After allauth's: a one-tap session is sent to its password prompt.
    "apps.accounts.middleware.OneTapSessionMiddleware",
    "apps.accounts.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "apps.pwa.middleware.ClearSiteDataOnLogoutMiddleware",
]

ROOT_URLCONF = "tmo_tracker.urls"
WSGI_APPLICATION = "tmo_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # Partials without {% load %}: the move to Django 6's built-in
            # partials then only touches settings.
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection is checked before its first use in each request or task.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Celery worker writes; the busy
    # timeout turns brief lock contention into a short wait instead of an error.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["apps.accounts.backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; patients sign up themselves, physicians
# are created by staff (see accounts.adapters and `createphysician`).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_SIGNUP_FORM_CLASS = "apps.accounts.forms.PatientSignupForm"
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Adding or removing an email address needs the password again (allauth's
# reauthentication, valid 5 minutes); so do MFA changes (allauth's default),
# the full export, and anything a one-tap session tries beyond the log and the
# course (accounts.middleware). Not by an emailed code: the one-tap link came
# by email too, so the mailbox alone must not unlock the account.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# Email the patient when an address is added or removed, the password changes
# or two-factor is turned on or off: a takeover cannot happen silently.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Behind a reverse proxy every request arrives from the proxy's address, so
# one person's typos would lock out everyone: name how many proxies we run and
# allauth takes the client's address from X-Forwarded-For (the proxies must
# append to it; 0 = no proxy, the header is ignored).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# The tight limits are per account ("key" is the email address, which also
# counts wrong TOTP codes and the delete form's password); per address they
# are generous, since a clinic's or a mobile carrier's patients share one.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "50/5m/ip,5/5m/key",
    "reauthenticate": "10/5m/user",
    "reset_password": "20/h/ip,3/h/key",
    "signup": "20/h/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "TMO Tracker"

LANGUAGE_CODE = "en-gb"
# Patients and physicians read the app in one of these; their names are given
# in their own language, as a reader looks for them.
LANGUAGES = [
    ("en-gb", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
}
# Sessions are read on every request: from the cache first (Redis via CACHE_URL
# in production), the database only on a miss, and written through to both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Email: SMTP when EMAIL_HOST is set, the console otherwise (the demo prints there).
EMAIL_HOST = env("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="TMO Tracker <reminders@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Celery: Redis in production; with no REDIS_URL the broker is a folder on disk,
# so the demo needs no server at all.
REDIS_URL = env("REDIS_URL", default="")
# Publishing happens inside web requests (after a saved day): if Redis is down,
# give up in well under a second rather than retrying for seconds; the nightly
# run catches up with whatever was not queued.
REDIS_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "socket_connect_timeout": 2,
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
else:
    _broker_dir = Path(
        env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / ".celery-broker"))
    )
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu would otherwise put its control folder in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A send is mostly waiting on PostgreSQL and the mail server, so a worker runs
# two processes per CPU. A reminder message carries a batch of patients, so a
# process takes one message at a time: prefetching more would leave batches
# waiting behind a busy process while another sits idle.
CELERY_WORKER_CONCURRENCY = 2 * (os.cpu_count() or 1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection around every task unless
# this is set. Tasks tidy connections as Django does per request instead (see
# tmo_tracker/celery.py); this only makes the fixup's own forced close rare.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {
    # Each tick is one indexed query; an expired tick is dropped rather than
    # piling up behind a stopped worker (the next one covers it).
    "queue-due-reminders": {
        "task": "apps.reminders.tasks.queue_due_reminders",
        "schedule": env.float("REMINDER_TICK_SECONDS", default=60.0),
        "options": {"expires": 50},
    },
    # A reminder whose send retries all failed (mail server down) gets another go.
    "requeue-failed-reminders": {
        "task": "apps.reminders.tasks.requeue_failed_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "backfill-reminder-schedules": {
        "task": "apps.reminders.tasks.backfill_reminder_schedules",
        "schedule": crontab(minute="*/10"),
    },
    # After the nightly detector run, so overnight migrations make the digest.
    "queue-physician-digests": {
        "task": "apps.reminders.tasks.queue_physician_digests",
        "schedule": crontab(hour=env.int("DIGEST_HOUR_UTC", default=7), minute=0),
    },
    "refresh-all-patients": {
        "task": "tmo_tracker.pipeline.refresh_all_patients",
        "schedule": crontab(hour=3, minute=0),
    },
}

# Production hardening, all driven by one switch so `check --deploy` is clean.
# On unless DEBUG: a deploy that forgets the switch still gets HTTPS-only
# cookies, HSTS and the redirect; a plain-HTTP run says SECURE_SSL=false.
SECURE_SSL = env.bool("SECURE_SSL", default=not DEBUG)
if SECURE_SSL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# No inline or third-party script can run: htmx, Plotly and our own JS are
# served from /static/. Plotly sets element styles at run time, hence the
# style exception (style injection cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Physicians see many patients' health data: two-factor is required for them
# (allauth MFA). The local demo turns it off so a newcomer can look around.
PHYSICIAN_MFA_REQUIRED = env.bool("PHYSICIAN_MFA_REQUIRED", default=True)
# Staff reach every account through /admin/: the same rule for them.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
