from __future__ import annotations

from django.urls import path

from apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("language/", views.language_set, name="language"),
    path("profile/delete/", views.account_delete, name="account-delete"),
    path(
        "profile/links/<int:link_id>/revoke/",
        views.care_link_revoke,
        name="link-revoke",
    ),
    path(
        "profile/invitations/",
        views.invitation_create,
        name="invitation-create",
    ),
    path(
        "profile/invitations/<int:invitation_id>/cancel/",
        views.invitation_cancel,
        name="invitation-cancel",
    ),
]
