"""The installable app: web app manifest, service worker and the offline page.

The worker's logic is a static file (static/js/service-worker.js); what is served
at /sw.js only hands it the static URLs of this deploy (hashed by the manifest
storage in production) and imports it, so every deploy that changes a file the
worker uses changes /sw.js and the browser installs the new worker.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from importlib.metadata import version

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django_htmx.jinja import htmx_script

from apps.accounts.decorators import public

THEME_COLOUR = "#24507a"  # --brand in static/css/app.css
BACKGROUND_COLOUR = "#f4f6f9"  # --bg
# Loaded in this order: each module's IIFE reads the ones before it from self.workbox.
WORKBOX_MODULES = ("core", "routing", "strategies", "expiration", "precaching")
# What the log page needs to open with no network (the pages themselves are
# cached by the worker as the patient opens them).
PRECACHE = (
    "css/app.css",
    "js/pwa.js",
    "js/day-queue.js",
    "img/icon.svg",
    "img/icon-192.png",
)


@public
@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installed, the app opens on today's log, as reminders do."""
    return JsonResponse(manifest_data(), content_type="application/manifest+json")


def manifest_data() -> dict:
    """The manifest's members, with this deploy's URLs and static paths."""
    return {
        "id": "/",
        "name": "TMO Tracker",
        "short_name": "TMO Tracker",
        "description": "Your daily pain and swelling diary for transient migratory osteoporosis.",
        # The same page the reminder email's one-tap link lands on.
        "start_url": reverse("diary:today"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": static("img/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("img/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("img/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": "Log today", "url": reverse("diary:today")},
            {"name": "My course", "url": reverse("patient:course")},
        ],
    }


@public
@require_GET
# Browsers check the worker for updates on navigation; they must never get a stale one.
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the root so its scope covers every page of the app."""
    config = {
        "workbox": [
            static(f"vendor/workbox/workbox-{m}.prod.js") for m in WORKBOX_MODULES
        ],
        "queue": static("js/day-queue.js"),
        "precache": [
            *({"url": url, "revision": version("django-htmx")} for url in _htmx_urls()),
            *({"url": static(p), "revision": _file_revision(p)} for p in PRECACHE),
            {"url": reverse("pwa:offline"), "revision": _offline_revision()},
        ],
        "offline": reverse("pwa:offline"),
        "login": reverse("account_login"),
    }
    body = (
        "// TMO Tracker service worker: settings of this deploy, then the worker itself.\n"
        f"self.TMO = {json.dumps(config)};\n"
        f"importScripts({json.dumps(static('js/service-worker.js'))});\n"
    )
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")


@public
@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page that is not on the phone while offline.

    It is cached for everyone who uses the phone, so it holds nothing personal.
    """
    return HttpResponse(_offline_html())


def _offline_html() -> str:
    # Rendered without the request: no user, no CSRF token in the cached copy.
    return render_to_string("pwa/offline.html", {"log_url": reverse("diary:today")})


@cache
def _offline_revision() -> str:
    return hashlib.sha256(_offline_html().encode()).hexdigest()[:16]


@cache
def _file_revision(path: str) -> str:
    """A content hash, so the worker refetches a file whose URL is not hashed (DEBUG, tests)."""
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path} is missing")
    with open(found, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def _htmx_urls() -> list[str]:
    # Whatever script tags {% htmx_script %} writes, so the cached page finds them.
    return re.findall(r'src="([^"]+)"', str(htmx_script()))
