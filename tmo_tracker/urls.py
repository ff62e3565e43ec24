from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from apps.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("", include("apps.diary.urls")),
    path("", include("apps.dashboard.patient_urls")),
    path("", include("apps.accounts.urls")),
    path("physician/", include("apps.dashboard.urls")),
    path("reminders/", include("apps.reminders.urls")),
    path("", include("apps.pwa.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
