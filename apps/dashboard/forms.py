from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.dashboard.models import ClinicalEvent
from apps.diary.anatomy import JOINT_ORDER
from apps.diary.models import JOINT_NAMES


# Plain choices from the catalogue: a ModelChoiceField would cost a query per render.
# A callable, so each form gets the names in the reader's language.
def _joint_choices() -> list[tuple[str, str]]:
    return [("", str(_("— no particular joint —")))] + [
        (code, str(JOINT_NAMES[code])) for code in JOINT_ORDER
    ]


class ClinicalEventForm(forms.Form):
    kind = forms.ChoiceField(choices=ClinicalEvent.Kind.choices, label=_("What"))
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    joint = forms.ChoiceField(choices=_joint_choices, label=_("Joint"), required=False)
    oedema = forms.TypedChoiceField(
        label=_("Bone-marrow oedema (MRI)"),
        choices=[("", "—"), ("yes", _("Seen")), ("no", _("Not seen"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    detail = forms.CharField(
        max_length=200,
        required=False,
        label=_("Detail"),
        help_text=_("E.g. the treatment: bisphosphonate, vitamin D, analgesic."),
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["date"].widget.attrs["max"] = today.isoformat()

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        # A planned delivery date may lie ahead; scans and treatments have happened.
        if day > self.today and self.data.get("kind") != ClinicalEvent.Kind.DELIVERY:
            raise forms.ValidationError(_("That date is in the future."))
        return day


class NoteForm(forms.Form):
    text = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Private note"),
        help_text=_("Only you can see your notes."),
    )


class InvitationAcceptForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label=_("Invitation code"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class StoppedLoggingForm(forms.Form):
    stopped_logging_days = forms.IntegerField(
        min_value=1, max_value=60, label=_("Flag after days without a log")
    )
