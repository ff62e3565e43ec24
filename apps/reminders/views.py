from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.decorators import public
from apps.reminders import services
from apps.reminders.services import OneTapStatus

GONE = 410


@public  # the signed, single-use token is the credential
@never_cache
@require_GET
def one_tap_login(request: HttpRequest, token: str) -> HttpResponse:
    """The reminder email's link: log the patient in once and open today's log."""
    result = services.one_tap_login_redeem(token=token, now=timezone.now())
    if result.status is OneTapStatus.OK:
        login(request, result.user, backend=_session_backend())
        # A session opened by an emailed link ends with the browser: the phone
        # may be shared, and the patient only came to log one day.
        request.session.set_expiry(0)
        return redirect("diary:today")
    if result.user is not None and request.user == result.user:
        # Tapped again in the browser it already logged in: nothing to refuse.
        return redirect("diary:today")
    if result.status is OneTapStatus.NEEDS_LOGIN:
        return redirect(f"{reverse('account_login')}?next={reverse('diary:today')}")
    status = 404 if result.status is OneTapStatus.INVALID else GONE
    return render(
        request, "reminders/link_refused.html", {"reason": result.status}, status=status
    )


# RFC 8058: mail providers POST "List-Unsubscribe=One-Click" with no cookies and no
# CSRF token; the signed URL itself is the credential, so CSRF protection cannot apply.
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
