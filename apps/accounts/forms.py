from __future__ import annotations

import zoneinfo

from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from apps.accounts import signals
from apps.accounts.models import PatientProfile, User, validate_timezone


class PatientSignupForm(forms.Form):
    """Extra sign-up fields; allauth calls signup() once the user row exists."""

    first_name = forms.CharField(max_length=150, required=False, label=_("First name"))
    # Filled in by static/js/timezone.js from the browser; UTC if JS is off.
    timezone = forms.CharField(
        max_length=64, required=False, widget=forms.HiddenInput, initial="UTC"
    )

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"] or "UTC"
        try:
            validate_timezone(value)
        except forms.ValidationError:
            return "UTC"
        return value

    def signup(self, request, user: User) -> None:
        user.role = User.Role.PATIENT
        user.first_name = self.cleaned_data["first_name"]
        user.save(update_fields=["role", "first_name"])
        profile = PatientProfile.objects.create(
            user=user, timezone=self.cleaned_data["timezone"]
        )
        # The first reminder goes out tonight, not after the next backfill tick.
        signals.patient_settings_changed.send(
            sender=PatientProfile, patient_id=profile.pk
        )


# ISO weekdays; Django's own abbreviations are translated in every language.
WEEKDAY_CHOICES = [(str(i + 1), WEEKDAYS_ABBR[i]) for i in range(7)]
# "" = not chosen: the browser's language (the demo's users are like this).
LANGUAGE_CHOICES = [("", _("Same as my browser")), *settings.LANGUAGES]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


class PatientProfileForm(forms.ModelForm):
    first_name = forms.CharField(max_length=150, required=False, label=_("First name"))
    language = forms.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        label=_("Language"),
        help_text=_("For these pages and your reminder emails."),
    )
    reminder_weekdays = forms.MultipleChoiceField(
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Remind me on"),
    )

    class Meta:
        model = PatientProfile
        fields = [
            "timezone",
            "reminders_enabled",
            "reminder_time",
            "reminder_weekdays",
            "sex",
            "birth_year",
            "due_date",
            "diagnosis_date",
        ]
        widgets = {
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "diagnosis_date": forms.DateInput(attrs={"type": "date"}),
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "timezone": forms.TextInput(
                attrs={"list": "timezones", "autocomplete": "off"}
            ),
        }
        labels = {
            "timezone": _("Time zone"),
            "reminders_enabled": _("Send me a daily reminder"),
            "reminder_time": _("Reminder time"),
            "sex": _("Sex"),
            "birth_year": _("Year of birth"),
            "due_date": _("Pregnancy due date"),
            "diagnosis_date": _("Date of diagnosis"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["first_name", "language"])
        self.fields["first_name"].initial = self.instance.user.first_name
        self.fields["language"].initial = self.instance.user.language
        self.initial["reminder_weekdays"] = list(self.instance.reminder_weekdays)

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        if year is not None and not 1900 <= year <= 2100:
            raise forms.ValidationError(_("Enter a year such as 1975."))
        return year

    def clean_reminder_weekdays(self) -> str:
        return "".join(sorted(self.cleaned_data["reminder_weekdays"]))

    def save(self, commit: bool = True) -> PatientProfile:
        profile = super().save(commit=commit)
        if commit:
            profile.user.first_name = self.cleaned_data["first_name"]
            profile.user.language = self.cleaned_data["language"]
            profile.user.save(update_fields=["first_name", "language"])
        return profile


TIMEZONE_NAMES = sorted(zoneinfo.available_timezones())


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # allauth's reauthentication check: failed tries count against the
        # same per-account limit as failed logins, so this form is no
        # unthrottled way to guess the password.
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError(
                _("That is not your password; nothing was deleted.")
            )
        return password
