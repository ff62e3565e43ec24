from __future__ import annotations

from django.urls import path

from apps.pwa import views

app_name = "pwa"
urlpatterns = [
    # At the root: a worker controls only pages under the folder it is served from.
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("offline/", views.offline, name="offline"),
]
