"""What the diary tells the apps above it; they subscribe, the diary imports none of them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the saving transaction with patient_id=…; receivers that start
# work elsewhere (a Celery task) do so on commit.
day_saved = Signal()
