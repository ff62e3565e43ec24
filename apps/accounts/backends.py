from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from apps.accounts.models import User


class AuthenticationBackend(AllauthBackend):
    """allauth's email login, loading the role profile with the user.

    Every page needs `request.user.patient` or `.physician`; fetching it in the
    same query as the user saves one query on every request.
    """

    def get_user(self, user_id):
        user = (
            User._default_manager.select_related("patient", "physician")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
