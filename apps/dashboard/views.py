from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.decorators import physician_required
from apps.accounts.selectors import patient_for_physician_or_404
from apps.dashboard import selectors


@physician_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    rows = selectors.dashboard_rows(physician=request.physician)
    return render(request, "dashboard/index.html", {"rows": rows})


@physician_required
@require_GET
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_for_physician_or_404(
        physician=request.physician, patient_id=patient_id
    )
    return render(request, "dashboard/patient_detail.html", {"patient": patient})
