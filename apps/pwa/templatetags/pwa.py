from __future__ import annotations

from django import template
from django.utils.crypto import salted_hmac

register = template.Library()


@register.simple_tag(takes_context=True)
def pwa_user(context) -> str:
    """An opaque key for the signed-in user ("" when signed out); no key outside a request.

    Days saved offline are tagged with it, so a phone shared by two patients never
    sends one patient's day with the other's session.
    """
    request = context.get("request")
    if request is None:
        return "none"
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return salted_hmac("pwa-user", str(user.pk)).hexdigest()[:20]
