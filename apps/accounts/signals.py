"""What accounts tells the apps above it; they subscribe, accounts imports none of them."""

from __future__ import annotations

from django.dispatch import Signal

# patient_id=…: a new patient, or one who changed time zone or reminder settings.
patient_settings_changed = Signal()
# patient_id=…, user_id=…: sent inside account_erase's transaction, after the
# cascade, so each app removes what the cascade cannot reach (history rows).
patient_erased = Signal()
