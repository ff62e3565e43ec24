from __future__ import annotations

from django.urls import path

from apps.reminders import views

app_name = "reminders"
urlpatterns = [
    path("log-in/<str:token>/", views.one_tap_login, name="one-tap-login"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
