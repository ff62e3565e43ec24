from __future__ import annotations

from django.urls import path, register_converter

from apps.diary import views
from apps.diary.converters import IsoDateConverter

register_converter(IsoDateConverter, "isodate")

app_name = "diary"
urlpatterns = [
    path("log/", views.log_day, name="today"),
    path("log/<isodate:day>/", views.log_day, name="day"),
    path("log/<isodate:day>/joints/", views.joint_add, name="joint-add"),
]
