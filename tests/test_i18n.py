"""The reader's language: from the browser, or chosen and kept on the account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from apps.dashboard import figures, selectors
from apps.detector.models import JointMigration
from apps.diary.models import CheckIn, DiaryEntry
from apps.reminders.services import migration_alerts_send
from tests.factories import TrackedJointFactory, joint

pytestmark = pytest.mark.django_db

SAVE_TODAY = {
    "en-gb": "Save today",
    "es": "Guardar hoy",
    "fr": "Enregistrer aujourd'hui",
    "de": "Heute speichern",
}


@pytest.fixture
def tracked(patient):
    TrackedJointFactory(patient=patient, joint=joint("left_knee"))
    return patient


@pytest.mark.parametrize(
    ("accept", "lang"),
    [("es-ES,es;q=0.9", "es"), ("fr", "fr"), ("de-DE", "de"), ("en-US", "en-gb")],
)
def test_a_user_who_has_not_chosen_gets_the_browsers_language(
    client_as, tracked, accept, lang
):
    response = client_as(tracked).get(
        reverse("diary:today"), HTTP_ACCEPT_LANGUAGE=accept
    )
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert SAVE_TODAY[lang] in html


def test_joint_names_on_the_log_are_whole_translated_names(client_as, tracked):
    html = (
        client_as(tracked)
        .get(reverse("diary:today"), HTTP_ACCEPT_LANGUAGE="de")
        .content.decode()
    )
    assert "Linkes Knie" in html
    assert "Schmerz" in html
    assert "Schwellung" in html
    # The field names stay as they are: the form and the JSON body do not change.
    assert 'name="pain_left_knee"' in html


def test_dates_are_written_in_the_readers_language(client_as, tracked):
    html = (
        client_as(tracked)
        .get(reverse("diary:today"), HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    today = dt.date.today()
    with translation.override("es"):
        from django.utils.formats import date_format

        assert date_format(today, "j F Y") in html


def test_the_chosen_language_wins_over_the_browser_and_sets_the_cookie(
    client_as, tracked
):
    tracked.user.language = "fr"
    tracked.user.save()
    response = client_as(tracked).get(reverse("diary:today"), HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="fr">' in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_language_chosen_on_the_profile_is_kept_on_the_account(client_as, tracked):
    client = client_as(tracked)
    form = {
        "save_profile": "1",
        "first_name": "Pat",
        "language": "de",
        "timezone": "Europe/London",
        "reminders_enabled": "on",
        "reminder_time": "20:00",
        "reminder_weekdays": ["1", "2"],
        "sex": "",
    }
    response = client.post(reverse("patient:profile"), form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    tracked.user.refresh_from_db()
    assert tracked.user.language == "de"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = client.get(
        reverse("patient:profile"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Ihr Profil ist gespeichert." in page
    assert '<option value="de" selected>' in page


def test_the_footer_switch_keeps_the_choice_for_a_logged_in_physician(
    client_as, physician
):
    client = client_as(physician)
    response = client.post(
        reverse("accounts:language"), {"language": "es", "next": "/physician/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/physician/"
    physician.user.refresh_from_db()
    assert physician.user.language == "es"
    html = client.get("/physician/").content.decode()
    assert "Tus pacientes" in html


def test_the_footer_switch_works_logged_out_and_ignores_other_sites(client):
    response = client.post(
        reverse("accounts:language"),
        {"language": "fr", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="fr">' in html


def test_going_back_to_the_browsers_language(client_as, tracked):
    tracked.user.language = "de"
    tracked.user.save()
    client = client_as(tracked)
    client.post(reverse("accounts:language"), {"language": "", "next": "/log/"})
    tracked.user.refresh_from_db()
    assert tracked.user.language == ""
    html = client.get("/log/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html


def test_form_errors_come_in_the_readers_language(client_as, tracked):
    response = client_as(tracked).post(
        reverse("diary:today"),
        {"pain_left_knee": "11", "swelling_left_knee": "0"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 422
    assert (
        "Rodilla izquierda: el dolor debe ser un número entero de 0 a 10."
        in response.content.decode()
    )


def test_the_saved_message_comes_in_the_readers_language(client_as, tracked):
    client = client_as(tracked)
    client.post(
        reverse("diary:today"),
        {"pain_left_knee": "3", "swelling_left_knee": "1"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    html = client.get(
        reverse("diary:today"), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert "Heute ist gespeichert." in html


def test_the_timeline_figure_carries_translated_labels_and_month_names():
    course = figures.Course(
        start=dt.date(2026, 1, 1),
        today=dt.date(2026, 2, 1),
        joints=("left_knee",),
        logged=frozenset({dt.date(2026, 1, 5)}),
        readings={(dt.date(2026, 1, 5), "left_knee"): (4, 2)},
    )
    with translation.override("fr"):
        text = selectors.figure_text()
    figure = figures.timeline_figure(course, text=text)
    annotations = [a.get("text") for a in figure["layout"]["annotations"]]
    assert "Genou gauche" in annotations
    assert "<b>Membres inférieurs</b>" in annotations
    assert figure["config"]["locale"] == "fr"
    assert figure["config"]["locales"]["fr"]["format"]["months"][0] == "janvier"
    hovers = " ".join(t["hovertemplate"] for t in figure["data"])
    assert "Douleur %{y}/10" in hovers
    assert "Gonflement modéré" in hovers
    buttons = [
        b["label"] for b in figure["layout"]["xaxis"]["rangeselector"]["buttons"]
    ]
    assert buttons[-1] == "Tout"


def test_the_body_map_and_printed_svg_name_joints_in_the_readers_language():
    course = figures.Course(
        start=dt.date(2026, 1, 1),
        today=dt.date(2026, 3, 1),
        joints=("right_hip",),
        logged=frozenset({dt.date(2026, 1, 5)}),
    )
    with translation.override("es"):
        text = selectors.figure_text()
    body = figures.body_map(course, text=text)
    assert {j.label for j in body.joints if j.code == "right_hip"} == {"Cadera derecha"}
    printed = figures.print_course(course, text=text)
    assert [r.label for r in printed.rows] == ["Cadera derecha"]
    assert printed.title.startswith("Dolor por articulación del 1 Ene 2026")
    assert "Feb 26" in [m.label for m in printed.months]


# Emails ---------------------------------------------------------------------


def test_reminder_email_is_written_in_the_patients_language(patient, mailoutbox):
    from apps.reminders.models import DeliveryStatus, ReminderDelivery
    from apps.reminders.services import reminder_message_build

    patient.user.language = "de"
    patient.user.save()
    TrackedJointFactory(patient=patient, joint=joint("left_knee"))
    day = dt.date(2026, 5, 10)
    yesterday = day - dt.timedelta(days=1)
    CheckIn.objects.create(patient=patient, date=yesterday)
    DiaryEntry.objects.create(
        patient=patient, joint=joint("left_knee"), date=yesterday, pain=6, swelling=1
    )
    delivery = ReminderDelivery.objects.create(
        patient=patient,
        local_date=day,
        scheduled_for=dt.datetime(2026, 5, 10, 19, tzinfo=dt.UTC),
        status=DeliveryStatus.SENDING,
    )
    with translation.override("fr"):  # whatever the worker had active
        message = reminder_message_build(
            patient=patient, delivery=delivery, last_checkin=yesterday
        )
    assert message.subject == "Zeit für den heutigen Eintrag, Sonntag 10 Mai"
    assert "Hallo Pat," in message.body
    assert "Linkes Knie: Schmerz 6, Schwellung leicht" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="de">' in html
    assert "Heute eintragen" in html


def test_a_user_who_never_chose_gets_emails_in_the_site_language(patient):
    from apps.reminders.models import DeliveryStatus, ReminderDelivery
    from apps.reminders.services import reminder_message_build

    delivery = ReminderDelivery.objects.create(
        patient=patient,
        local_date=dt.date(2026, 5, 10),
        scheduled_for=dt.datetime(2026, 5, 10, 19, tzinfo=dt.UTC),
        status=DeliveryStatus.SENDING,
    )
    with translation.override("es"):
        message = reminder_message_build(
            patient=patient, delivery=delivery, last_checkin=None
        )
    assert message.subject.startswith("Time to log today")
    assert "Yesterday wasn't logged." in message.body


def test_migration_alert_is_written_in_the_physicians_language(
    patient, physician, mailoutbox
):
    physician.user.language = "es"
    physician.user.save()
    m = JointMigration.objects.create(
        patient=patient,
        from_joint=joint("left_hip"),
        to_joint=joint("left_knee"),
        relation="adjacent",
        kind="overlap",
        to_onset=dt.date(2026, 5, 2),
        detected_on=dt.date(2026, 5, 9),
    )
    migration_alerts_send(migration_ids=[m.pk])
    (mail,) = mailoutbox
    assert (
        mail.subject
        == "TMO Tracker: posible migración de Pat (Cadera izquierda → Rodilla izquierda)"
    )
    assert "Rodilla izquierda empezó a empeorar hacia el 2 May 2026" in mail.body
    assert "la cadera izquierda" in mail.body


def test_digest_is_written_in_the_physicians_language(patient, physician, mailoutbox):
    from apps.reminders.services import digest_send

    physician.user.language = "fr"
    physician.user.save()
    JointMigration.objects.create(
        patient=patient,
        from_joint=joint("left_hip"),
        to_joint=joint("right_hip"),
        relation="contralateral",
        kind="sequential",
        to_onset=dt.date(2026, 5, 2),
        detected_on=dt.date(2026, 5, 9),
    )
    digest_send(physician_id=physician.pk)
    (mail,) = mailoutbox
    assert mail.subject == "TMO Tracker : 1 nouvelle alerte"
    assert "Hanche gauche → Hanche droite" in mail.body
    assert "Même articulation, autre côté" in mail.body


def test_patient_facing_migration_sentence_agrees_in_each_language(patient):
    m = JointMigration(
        patient=patient,
        from_joint=joint("left_hip"),
        to_joint=joint("left_knee"),
        relation="adjacent",
        kind="overlap",
        to_onset=dt.date(2026, 5, 2),
        detected_on=dt.date(2026, 5, 9),
    )
    expected = {
        "en-gb": "Your left knee may be starting what your left hip went through.",
        "es": "Puede que la rodilla izquierda esté empezando lo que ya pasó la cadera izquierda.",
        "fr": "Il se peut que le genou gauche commence à vivre ce qu'a vécu la hanche gauche.",
        "de": "Möglicherweise macht das linke Knie jetzt durch, was die linke Hüfte durchgemacht hat.",
    }
    for lang, sentence in expected.items():
        with translation.override(lang):
            assert m.plain_words == sentence
