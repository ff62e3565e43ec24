from __future__ import annotations

from django import template
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.diary.models import SWELLING_LABELS

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


@register.simple_tag
def pwa_strings() -> dict:
    """What pwa.js says, in the reader's language, for json_script.

    The strings travel inside the page rather than in a separate catalogue, so a
    log page opened offline from the phone's cache speaks the patient's language
    too. Placeholders are `%(name)s`, filled in by pwa.js; plurals are given for
    Intl.PluralRules' "one" and "other", the only forms our languages use.
    """

    def plural(singular: str, plural: str) -> dict[str, str]:
        return {
            "one": ngettext(singular, plural, 1),
            "other": ngettext(singular, plural, 2),
        }

    return {
        "status": {
            "pending": _("Saved on this phone — will be sent when you are online."),
            "sent": _("Sent: this day is saved."),
            "conflict": _(
                "Not sent: this day was also saved from another device. "
                "Choose which to keep above."
            ),
            "refused": _("Not saved: see above."),
            "theirs": _("Kept the other device's version: it is shown below."),
            "network": _(
                "Adding a joint needs a connection. You can still save the joints you have."
            ),
            "not-kept": _(
                "This phone could not keep your day (its storage is off or full). "
                "Please save again when you are online."
            ),
        },
        "today": _("Today"),
        "today_title": _("Today · TMO Tracker"),
        "filled_in": _(
            "Filled in from your last log: change what is different, then save."
        ),
        "entry": _("%(joint)s: pain %(pain)s, swelling %(swelling)s"),
        "swelling": [str(label) for label in SWELLING_LABELS],
        "note": _("Note: %(note)s"),
        "two_versions": _("%(day)s: two versions"),
        "saved_when": _("saved %(when)s"),
        "not_saved": _("%(day)s could not be saved: %(errors)s"),
        "remove": _("Remove it from this phone"),
        "pending_days": plural(
            "%(count)s day saved on this phone — will be sent when you are online: ",
            "%(count)s days saved on this phone — will be sent when you are online: ",
        ),
        "logout_confirm": plural(
            "%(count)s day saved on this phone could not be sent yet. "
            "Log out and delete it from this phone?",
            "%(count)s days saved on this phone could not be sent yet. "
            "Log out and delete them from this phone?",
        ),
    }
