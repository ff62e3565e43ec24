from __future__ import annotations

from django.urls import path

from apps.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.stopped_logging_set, name="settings"),
    path("accept/", views.invitation_accept, name="invitation-accept-form"),
    path("accept/<str:code>/", views.invitation_accept, name="invitation-accept"),
    path("patients/<int:patient_id>/", views.patient_detail, name="patient"),
    path(
        "patients/<int:patient_id>/migrations/<int:migration_id>/acknowledge/",
        views.migration_acknowledge,
        name="migration-acknowledge",
    ),
    path("patients/<int:patient_id>/notes/", views.note_create, name="note-create"),
    path(
        "patients/<int:patient_id>/events/",
        views.physician_event_create,
        name="event-create",
    ),
    path(
        "patients/<int:patient_id>/events/<int:event_id>/delete/",
        views.physician_event_delete,
        name="event-delete",
    ),
    path(
        "patients/<int:patient_id>/export/<str:fmt>",
        views.physician_export,
        name="export",
    ),
]
