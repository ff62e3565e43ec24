"""Nothing of a patient's stays on a shared phone after logging out.

The service worker keeps log pages in the Cache API and days saved offline in
IndexedDB; `Clear-Site-Data` on the response that ends the session makes the
browser drop both (and the worker itself), whichever view logged out: allauth's
logout, deleting the account, or anything else that calls auth.logout().
pwa.js clears the same things itself for browsers that ignore the header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CLEAR_SITE_DATA = '"cache", "storage"'


def mark_logged_out(sender, request: HttpRequest | None = None, **kwargs) -> None:
    if request is not None:
        request.clear_site_data = True


class ClearSiteDataOnLogoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "clear_site_data", False):
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
