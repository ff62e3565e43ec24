from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.diary.models import PAIN_MAX, SWELLING_LABELS, SWELLING_MAX, Joint
from apps.diary.services import Score

FIELD_PREFIXES = ("pain_", "swelling_")


class DayForm(forms.Form):
    """One day of the diary: pain and swelling for each tracked joint, plus a note.

    Fields are built per joint (`pain_left_knee`, `swelling_left_knee`) so the page
    is a plain HTML form that works with or without JavaScript.
    """

    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": gettext_lazy("Anything unusual today?")}
        ),
    )

    def __init__(self, *args, joints: list[Joint], **kwargs):
        super().__init__(*args, **kwargs)
        self.joints = joints
        for joint in joints:
            name = {"joint": joint.label, "max": PAIN_MAX}
            # As the subject of a sentence: "your left knee", "la rodilla izquierda".
            in_sentence = {"joint": joint.name_in_sentence}
            self.fields[f"pain_{joint.code}"] = forms.TypedChoiceField(
                label=_("%(joint)s pain") % name,
                choices=[(i, str(i)) for i in range(PAIN_MAX + 1)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a pain score for your %(joint)s.")
                    % in_sentence,
                    "invalid_choice": _(
                        "%(joint)s pain must be a whole number from 0 to %(max)s."
                    )
                    % name,
                },
            )
            self.fields[f"swelling_{joint.code}"] = forms.TypedChoiceField(
                label=_("%(joint)s swelling") % name,
                choices=list(enumerate(SWELLING_LABELS)),
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a swelling level for your %(joint)s.")
                    % in_sentence,
                    "invalid_choice": _(
                        "%(joint)s swelling must be 0 to %(max)s (none to severe)."
                    )
                    % {**name, "max": SWELLING_MAX},
                },
            )

    def clean(self):
        cleaned = super().clean()
        # Scores for joints that aren't on this form would otherwise be dropped
        # silently; say so instead, so the patient knows nothing was saved.
        known = {j.code for j in self.joints}
        for key in self.data:
            for prefix in FIELD_PREFIXES:
                if key.startswith(prefix) and key[len(prefix) :] not in known:
                    code = key[len(prefix) :]
                    raise forms.ValidationError(
                        _("“%(code)s” is not one of your tracked joints; add it first.")
                        % {"code": code[:40]}
                    )
        return cleaned

    def scores(self) -> dict[Joint, Score]:
        return {
            j: Score(
                pain=self.cleaned_data[f"pain_{j.code}"],
                swelling=self.cleaned_data[f"swelling_{j.code}"],
            )
            for j in self.joints
        }

    def rows(self) -> list[JointRow]:
        """One entry per joint with its options pre-computed.

        The template writes the radio inputs itself: rendering 60 radio widgets
        through Django's widget templates took most of the page's time.
        """
        return [
            JointRow(
                joint=j,
                pain=self._options(f"pain_{j.code}", range(PAIN_MAX + 1)),
                swelling=self._options(f"swelling_{j.code}", SWELLING_LABELS),
                errors=[
                    *self[f"pain_{j.code}"].errors,
                    *self[f"swelling_{j.code}"].errors,
                ],
            )
            for j in self.joints
        ]

    def _options(self, name: str, labels) -> list[tuple[str, str, bool]]:
        current = self[name].value()
        current = "" if current is None else str(current)
        return [
            (str(value), str(label), str(value) == current)
            for value, label in enumerate(labels)
        ]


@dataclass(frozen=True)
class JointRow:
    joint: Joint
    pain: list[tuple[str, str, bool]]  # (value, label, checked) for 0–10
    swelling: list[tuple[str, str, bool]]  # for none/mild/moderate/severe
    errors: list[str]


class TrackedJointsForm(forms.Form):
    joints = forms.ModelMultipleChoiceField(
        queryset=Joint.objects.order_by("sort_order"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=gettext_lazy("Joints I am watching"),
    )
