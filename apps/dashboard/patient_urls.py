"""The patient's own pages that draw on every app below: the course at /course/,
the profile and the full data export (the physician's pages are in urls.py)."""

from __future__ import annotations

from django.urls import path

from apps.dashboard import views

app_name = "patient"
urlpatterns = [
    path("course/", views.course, name="course"),
    path("course/events/", views.patient_event_create, name="event-create"),
    path(
        "course/events/<int:event_id>/delete/",
        views.patient_event_delete,
        name="event-delete",
    ),
    path("course/export/<str:fmt>", views.patient_export, name="export"),
    path("profile/", views.profile, name="profile"),
    path("profile/export.json", views.data_export, name="data-export"),
]
