"""Sessions opened by an emailed link, responses that must not be cached, and the
language a signed-in user chose (it wins over the browser's)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

# Set in the session of a one-tap login (the link in a reminder email).
ONE_TAP_SESSION_KEY = "tmo_one_tap"
# A one-tap session ends on the server this long after the tap, whatever the
# browser does with its cookie.
ONE_TAP_SESSION_AGE = dt.timedelta(hours=1)
# allauth's own pages a one-tap session may open: leaving, proving it is the
# patient (the password), which makes it an ordinary session, and resetting a
# forgotten password (that needs the key emailed to the account's address, so
# it gives the holder of a one-tap link nothing a stranger does not have).
ONE_TAP_ALLAUTH_URLS = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
    }
)


def one_tap_allowed(view):
    """Mark a view a one-tap session may use (logging a day, the course)."""
    view.one_tap = True
    return view


def one_tap_session_start(request: HttpRequest, *, now: dt.datetime) -> None:
    """Limit the session just logged in by an emailed link: one hour, log and course only.

    Whoever holds the link (a mail scanner, a forwarded email) must not get
    the account: everything else needs the password first.
    """
    request.session[ONE_TAP_SESSION_KEY] = True
    request.session.set_expiry(now + ONE_TAP_SESSION_AGE)


def one_tap_session_end(request: HttpRequest) -> None:
    """The patient proved who they are: an ordinary session that ends with the browser."""
    if request.session.pop(ONE_TAP_SESSION_KEY, None):
        request.session.set_expiry(0)


def is_one_tap_session(request: HttpRequest) -> bool:
    return bool(request.session.get(ONE_TAP_SESSION_KEY))


class OneTapSessionMiddleware:
    """Send a one-tap session to the password prompt for anything but its few pages.

    Default-deny: a view must be marked `one_tap_allowed`, so a new page is
    closed to these sessions until someone decides otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not is_one_tap_session(request) or not request.user.is_authenticated:
            return None
        if getattr(view_func, "one_tap", False):
            return None
        if request.resolver_match.url_name in ONE_TAP_ALLAUTH_URLS:
            return None
        url = f"{reverse('account_reauthenticate')}?{urlencode({'next': _next_url(request)})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)


def _next_url(request: HttpRequest) -> str:
    """Where to go after the password: the page itself, or for a POST the page it came from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("home")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in session.

    Those pages and exports carry health data; a shared computer's browser
    cache or a proxy must not keep a copy. Anonymous pages (login, sign-up)
    may be cached as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The session's user id, not request.user: a signed-in session is
        # enough reason, and loading the user would cost a query on responses
        # that never needed it.
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            add_never_cache_headers(response)
        return response


class UserLanguageMiddleware:
    """Activate `User.language` when set; keep the language cookie in step with it.

    Runs after LocaleMiddleware (which chose from the cookie or Accept-Language)
    and AuthenticationMiddleware. A user who never chose keeps the browser's.
    The cookie carries the choice to the pages seen after logging out (the login
    page of a shared family tablet, say).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _chosen(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The view may have just saved a new choice (the profile form).
        language = _chosen(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            language_cookie_set(response, language)
        return response


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """Django's language cookie, as its own set_language view writes it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _chosen(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return getattr(user, "language", "") or ""
