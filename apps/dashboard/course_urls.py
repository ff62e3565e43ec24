"""The patient's own course, mounted at /course/ (the physician's pages are in urls.py)."""

from __future__ import annotations

from django.urls import path

from apps.dashboard import views

app_name = "course"
urlpatterns = [
    path("", views.course, name="index"),
    path("events/", views.patient_event_create, name="event-create"),
    path(
        "events/<int:event_id>/delete/",
        views.patient_event_delete,
        name="event-delete",
    ),
    path("export/<str:fmt>", views.patient_export, name="export"),
]
