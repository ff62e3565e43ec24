from __future__ import annotations

from django.urls import include, path, register_converter

from apps.dashboard.urls import course_patterns
from apps.diary import views
from apps.diary.converters import IsoDateConverter

register_converter(IsoDateConverter, "isodate")

app_name = "diary"
urlpatterns = [
    path("log/", views.log_day, name="today"),
    path("course/", views.course, name="course"),
    # Clinical events and exports of the course page (views in apps.dashboard).
    path("course/", include(course_patterns)),
    path("log/<isodate:day>/", views.log_day, name="day"),
    path("log/<isodate:day>/joints/", views.joint_add, name="joint-add"),
]
