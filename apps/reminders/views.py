from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import public
from apps.accounts.middleware import one_tap_allowed, one_tap_session_start
from apps.reminders import services
from apps.reminders.services import OneTapStatus

GONE = 410


@one_tap_allowed
@public  # the signed, single-use token is the credential
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def one_tap_login(request: HttpRequest, token: str) -> HttpResponse:
    """The reminder email's link: a page with one button; only its POST logs in.

    Mail systems fetch every link in a message before the patient sees it, so
    a GET (or HEAD) only looks at the token: it never uses it up and never
    opens a session. The button's POST (CSRF-protected: the page sets the
    cookie) logs the patient in once, into a one-hour session that may log
    days and see the course; anything else asks for the password first.
    """
    now = timezone.now()
    result = services.one_tap_login_check(token=token, now=now)
    if result.user is not None and request.user == result.user:
        # Tapped again in the browser it already logged in (or one signed in
        # with the password): nothing to refuse, and nothing to narrow down.
        return redirect("diary:today")
    if request.method == "POST" and result.status is OneTapStatus.OK:
        result = services.one_tap_login_redeem(token=token, now=now)
        if result.status is OneTapStatus.OK:
            login(request, result.user, backend=_session_backend())
            one_tap_session_start(request, now=now)
            return redirect("diary:today")
    return _one_tap_page(request, status=result.status)


def _one_tap_page(request: HttpRequest, *, status: OneTapStatus) -> HttpResponse:
    """The answer to a link that did not log in: its button, the login, or a refusal."""
    if status is OneTapStatus.OK:
        # The form's {% csrf_token %} sets the CSRF cookie a cookieless
        # client (a fresh browser from the email app) needs for the POST.
        return render(request, "reminders/one_tap.html")
    if status is OneTapStatus.NEEDS_LOGIN:
        return redirect(f"{reverse('account_login')}?next={reverse('diary:today')}")
    code = 404 if status is OneTapStatus.INVALID else GONE
    return render(
        request, "reminders/link_refused.html", {"reason": status}, status=code
    )


# RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookies and no
# CSRF token; the signed URL itself is the credential, so CSRF protection cannot apply.
@one_tap_allowed
@public
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST (the one-click, or the confirm button) switches emails off."""
    target = services.unsubscribe_target(token=token)
    if target is None:
        raise Http404("Unknown unsubscribe link.")
    done = False
    if request.method == "POST":
        services.unsubscribe_apply(target=target)
        done = True
    return render(
        request,
        "reminders/unsubscribe.html",
        {"target": target, "done": done, "is_digest": target.kind == "digest"},
    )


def _session_backend() -> str:
    # The session must name a backend listed in settings, or the next request
    # cannot load the user: ModelBackend when listed, else the project's own
    # (a ModelBackend subclass that also loads the role profile).
    model_backend = "django.contrib.auth.backends.ModelBackend"
    if model_backend in settings.AUTHENTICATION_BACKENDS:
        return model_backend
    return settings.AUTHENTICATION_BACKENDS[0]
