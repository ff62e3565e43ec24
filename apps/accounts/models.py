from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# IANA names only: a reminder at "20:00" means nothing without the zone's DST rules.


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone."), params={"value": value}
        )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        PATIENT = "patient", _("Patient")
        PHYSICIAN = "physician", _("Physician")

    username = None
    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    # Empty: not chosen, so the browser's language is used (LocaleMiddleware);
    # emails then go out in the site's default language.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_patient(self) -> bool:
        return self.role == self.Role.PATIENT

    @property
    def is_physician(self) -> bool:
        return self.role == self.Role.PHYSICIAN


# How far back before sign-up the diary may be filled in (see first_loggable_day).
LOG_HISTORY_YEARS = 2


class PatientProfile(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNSPECIFIED = "", _("Prefer not to say")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient"
    )
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    reminders_enabled = models.BooleanField(default=True)
    reminder_time = models.TimeField(default=dt.time(20, 0))
    # ISO weekdays the patient wants a reminder on, Monday=1 … Sunday=7.
    reminder_weekdays = models.CharField(max_length=7, default="1234567")
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    due_date = models.DateField(
        null=True, blank=True, help_text=_("Pregnancy due date, if pregnant.")
    )
    diagnosis_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return str(self.user)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def local_date(self, now: dt.datetime) -> dt.date:
        """The patient's calendar day at instant `now`: "today" is the patient's, not the server's."""
        return now.astimezone(self.tz).date()

    def first_loggable_day(self) -> dt.date:
        """The earliest day the diary takes: two years before sign-up, or the diagnosis if earlier.

        TMO episodes last months; a patient may fill in the weeks before they
        joined, but a day in 1900 only stretches every chart back a century.
        """
        joined = self.local_date(self.created_at)
        try:
            earliest = joined.replace(year=joined.year - LOG_HISTORY_YEARS)
        except ValueError:  # 29 February
            earliest = joined.replace(year=joined.year - LOG_HISTORY_YEARS, day=28)
        if self.diagnosis_date is not None:
            earliest = min(earliest, self.diagnosis_date)
        return earliest


class PhysicianProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="physician"
    )
    # How many days without a check-in before the dashboard flags a patient.
    stopped_logging_days = models.PositiveSmallIntegerField(default=3)
    digest_enabled = models.BooleanField(
        default=True, help_text=_("One daily email listing new flags.")
    )

    def __str__(self) -> str:
        return str(self.user)


class CareLink(models.Model):
    """A physician may see a patient's diary while an unrevoked link exists."""

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="care_links"
    )
    physician = models.ForeignKey(
        PhysicianProfile, on_delete=models.CASCADE, related_name="care_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "physician"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_link_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.physician} → {self.patient}"


class CareInvitation(models.Model):
    """A one-time code the patient gives a physician to start a CareLink.

    The patient creates it, so access always starts from the patient's side; a
    physician can only turn a valid code into a link, never ask for one.
    """

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="invitations"
    )
    # Short enough to read out in a consultation; see services.invitation_create.
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        PhysicianProfile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.patient} {self.code}"

    def is_open(self, now: dt.datetime) -> bool:
        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.expires_at > now
        )


class AccessRecord(models.Model):
    """A physician opened a patient's data: the patient can see who and when."""

    class What(models.TextChoices):
        COURSE = "course", _("opened your course")
        EXPORT = "export", _("downloaded an export")

    patient = models.ForeignKey(
        PatientProfile, on_delete=models.CASCADE, related_name="access_records"
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    what = models.CharField(max_length=16, choices=What.choices)
    detail = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "-at"], name="access_patient_latest")
        ]

    def __str__(self) -> str:
        return f"{self.viewer} {self.what} {self.patient} at {self.at:%Y-%m-%d %H:%M}"
