from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.models import PatientProfile
from apps.detector.models import JointMigration, PossibleJoint
from tmo_tracker.management.commands.seed_demo import FIRST_NAMES


@pytest.mark.django_db
def test_demo_patients_have_first_names_that_match_their_sex() -> None:
    call_command("seed_demo", patients=10, days=30)
    profiles = PatientProfile.objects.select_related("user")
    assert {p.sex for p in profiles} == {"female", "male"}
    for p in profiles:
        assert p.user.first_name in FIRST_NAMES[p.sex], (p.user.email, p.sex)


@pytest.mark.django_db
def test_demo_has_a_patient_with_a_possible_new_joint() -> None:
    call_command("seed_demo", patients=11, days=200)
    (p,) = PossibleJoint.objects.select_related("patient", "joint")
    assert p.joint.code.endswith("_knee")
    assert p.facts["days"] == 3
    assert p.patient.summary.possible_until is not None
    assert not JointMigration.objects.filter(patient=p.patient, to_joint=p.joint)
