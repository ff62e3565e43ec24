from __future__ import annotations

from django.urls import path

from apps.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("patients/<int:patient_id>/", views.patient_detail, name="patient"),
]
