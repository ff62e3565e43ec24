from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import formats, translation
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from apps.accounts.forms import TIMEZONE_NAMES
from apps.accounts.models import PatientProfile, PhysicianProfile, User
from apps.accounts.selectors import (
    access_records_for_patient,
    care_links_for_patient,
    open_invitations,
    patients_for_physician,
)
from apps.core.vocabulary import DIARY_RANGES
from apps.dashboard import figures, triage
from apps.dashboard.models import ClinicalEvent, PhysicianNote
from apps.detector import wording
from apps.detector.models import Episode, JointMigration, PossibleJoint
from apps.diary.anatomy import JOINT_ORDER
from apps.diary.models import (
    SWELLING_LABELS,
    CheckIn,
    DiaryEntry,
    TrackedJoint,
    joint_label,
    joint_labels,
)

PAGE_SIZE = 25
FLAGS = tuple(triage.FLAG_LABELS)
# What the dashboard calls each flag, in the physician's language.
FLAG_NAMES = {
    "migrated": gettext_lazy("Migrated"),
    "worsening": gettext_lazy("Worsening"),
    "stopped": gettext_lazy("Stopped logging"),
    "new_joint": gettext_lazy("New joint"),
    "atypical": gettext_lazy("Atypical course"),
    "possible": gettext_lazy("Possible new joint"),
}
# Column → ordering by the displayed value, ascending. "Days since last log" rises
# as the last check-in gets older, and "month" as the onset gets earlier.
SORTS: dict[str, tuple] = {
    "urgency": (F("urgency_score").asc(),),
    "name": (F("user__last_name").asc(), F("user__first_name").asc()),
    "last": (F("summary__last_checkin").desc(nulls_last=True),),
    "joint": (F("summary__worst_joint__sort_order").asc(nulls_last=True),),
    "phase": (F("summary__phase").asc(),),
    "month": (F("summary__episode_onset").desc(nulls_last=True),),
}
DEFAULT_SORT = "-urgency"


def _flag_conditions(cut: triage.Cutoffs) -> dict[str, Q]:
    return {
        "migrated": Q(summary__migrated_until__gte=cut.today),
        "worsening": Q(summary__worsening=True),
        "stopped": Q(summary__last_checkin__lt=cut.stopped_before)
        | Q(summary__last_checkin__isnull=True),
        "new_joint": Q(summary__new_joint_until__gte=cut.today),
        "atypical": Q(summary__oldest_active_onset__lte=cut.active_onset_by)
        | Q(summary__oldest_rising_onset__lte=cut.rising_onset_by),
        "possible": Q(summary__possible_until__gte=cut.today),
    }


def triage_queryset(
    *, physician: PhysicianProfile, today: dt.date
) -> QuerySet[PatientProfile]:
    """Linked patients with their summary and today's flags and urgency annotated.

    Time-dependent flags compare stored dates with today here, in SQL, so one
    query serves any number of patients and nothing is stale.
    """
    cut = triage.cutoffs(
        today=today, stopped_logging_days=physician.stopped_logging_days
    )
    conditions = _flag_conditions(cut)
    urgency = Coalesce(F("summary__urgency"), Value(0))
    for flag, weight in triage.WEIGHTS.items():
        if flag == "worsening":  # already inside the stored base score
            continue
        urgency = urgency + Case(
            When(conditions[flag], then=Value(weight)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return (
        patients_for_physician(physician=physician)
        .select_related("summary", "summary__worst_joint")
        .annotate(
            urgency_score=urgency,
            **{
                f"flag_{flag}": ExpressionWrapper(q, output_field=BooleanField())
                for flag, q in conditions.items()
            },
        )
    )


@dataclass(frozen=True)
class TriageRow:
    patient: PatientProfile
    flags: list[tuple[str, str, str]]  # (flag, label, why in plain words)
    days_since: int | None
    worst_joint: str
    phase: str
    phase_label: str  # the phase in the reader's language
    month: int | None  # 1-based month of the current episode
    sparkline: figures.Sparkline | None
    urgency: int


def triage_page(
    *,
    physician: PhysicianProfile,
    today: dt.date,
    flag: str = "",
    query: str = "",
    sort: str = DEFAULT_SORT,
    page: int | str = 1,
) -> tuple[Page, list[TriageRow], dict[str, int]]:
    """One page of the triage table, most urgent first by default, and the flag counts."""
    qs = triage_queryset(physician=physician, today=today)
    cut = triage.cutoffs(
        today=today, stopped_logging_days=physician.stopped_logging_days
    )
    conditions = _flag_conditions(cut)
    counts = qs.aggregate(
        all=Count("pk"), **{f: Count("pk", filter=conditions[f]) for f in FLAGS}
    )
    if flag in FLAGS:
        qs = qs.filter(**{f"flag_{flag}": True})
    for term in query.split()[:4]:
        qs = qs.filter(
            Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
            | Q(user__email__icontains=term)
        )
    key = sort.lstrip("-")
    ordering = SORTS.get(key, SORTS["urgency"])
    if sort.startswith("-") or key not in SORTS:
        ordering = tuple(o.copy().reverse_ordering() for o in ordering)
    qs = qs.order_by(*ordering, "pk")
    paginator = Paginator(qs, PAGE_SIZE)
    # Paginator counts with its own query; reuse the aggregate when unfiltered.
    if not flag and not query:
        paginator.count = counts["all"]
    page_obj = paginator.get_page(page)
    rows = [_row(p, cut=cut) for p in page_obj.object_list]
    return page_obj, rows, counts


def flag_reason(
    flag: str,
    reasons: dict,
    *,
    cut: triage.Cutoffs,
    last_checkin: dt.date | None = None,
) -> str:
    """Why a triage flag is up, in the reader's language; "" when there is nothing to add."""
    if flag == "stopped":
        # Grows every day without a refresh, so it comes from today, not the summary.
        return _stopped_reason(last_checkin, today=cut.today)
    why = reasons.get(flag)
    if not why:
        return ""
    if flag == "migrated":
        text = wording.migration_sentence(
            why.get("facts") or {}, fallback=why.get("explanation", "")
        )
        if text:
            return text
        return _("%(from)s → %(to)s") % {
            "from": joint_label(why["from_joint"]),
            "to": joint_label(why["to_joint"]),
        }
    if flag == "worsening":
        return _(
            "%(joint)s: pain up from %(start)s to %(now)s over the last %(days)s logged days."
        ) % {
            "joint": joint_label(why["joint"]),
            "start": _pain_number(why["from_pain"]),
            "now": _pain_number(why["to_pain"]),
            "days": why["days"],
        }
    if flag == "possible":
        text = wording.possible_sentence(
            why.get("facts") or {}, fallback=why.get("explanation", "")
        )
        if why.get("count", 1) > 1:
            text += " " + _("(and %(n)s more)") % {"n": why["count"] - 1}
        return text
    if flag == "new_joint":
        return _("%(joint)s: first episode in this joint, started %(day)s.") % {
            "joint": joint_label(why["joint"]),
            "day": _short_date(_onset(why), today=cut.today),
        }
    if flag == "atypical":
        return _atypical_reason(why, cut=cut)
    return ""


def _stopped_reason(last_checkin: dt.date | None, *, today: dt.date) -> str:
    if last_checkin is None:
        return _("No diary entries yet.")
    days = (today - last_checkin).days
    return ngettext(
        "No diary for %(days)s day (last on %(day)s).",
        "No diary for %(days)s days (last on %(day)s).",
        days,
    ) % {"days": days, "day": _short_date(last_checkin, today=today)}


def _atypical_reason(why: dict, *, cut: triage.Cutoffs) -> str:
    """Each cause that holds today; one episode both long and rising is said once."""
    active, rising = why.get("active"), why.get("rising")
    lines = []
    # The same episode past the long cutoff is past the rising one too: the
    # rising line alone says it.
    if active and active != rising and _onset(active) <= cut.active_onset_by:
        months = figures.months_between(_onset(active), cut.today)
        lines.append(
            ngettext(
                "%(joint)s: active for %(months)s month; a TMO episode usually"
                " settles in 3–9 months.",
                "%(joint)s: active for %(months)s months; a TMO episode usually"
                " settles in 3–9 months.",
                months,
            )
            % {"joint": joint_label(active["joint"]), "months": months}
        )
    if rising and _onset(rising) <= cut.rising_onset_by:
        months = figures.months_between(_onset(rising), cut.today)
        lines.append(
            ngettext(
                "%(joint)s: pain still rising %(months)s month after onset; TMO"
                " pain usually peaks within 2 months.",
                "%(joint)s: pain still rising %(months)s months after onset; TMO"
                " pain usually peaks within 2 months.",
                months,
            )
            % {"joint": joint_label(rising["joint"]), "months": months}
        )
    return " ".join(lines)


def _onset(facts: dict) -> dt.date:
    return dt.date.fromisoformat(facts["onset"])


def _short_date(day: dt.date, *, today: dt.date) -> str:
    """'21 Nov' in the reader's language, with the year when it is not this year."""
    return formats.date_format(day, "j M" if day.year == today.year else "j M Y")


def _pain_number(value: float) -> str:
    """A 0-10 average as the reader writes it: "4", "2,3" in German."""
    return str(int(value)) if value == int(value) else formats.number_format(value, 1)


def _row(p: PatientProfile, *, cut: triage.Cutoffs) -> TriageRow:
    today = cut.today
    summary = getattr(p, "summary", None)
    reasons = summary.reasons if summary is not None else {}
    last_checkin = summary.last_checkin if summary is not None else None
    flags = [
        (
            f,
            str(FLAG_NAMES[f]),
            flag_reason(f, reasons, cut=cut, last_checkin=last_checkin),
        )
        for f in FLAGS
        if getattr(p, f"flag_{f}")
    ]
    if summary is None:
        return TriageRow(p, flags, None, "", "", "", None, None, p.urgency_score)
    values = figures.shift_series(
        summary.sparkline, ends_on=summary.computed_on, today=today
    )
    return TriageRow(
        patient=p,
        flags=flags,
        days_since=(today - summary.last_checkin).days
        if summary.last_checkin
        else None,
        worst_joint=summary.worst_joint.label if summary.worst_joint else "",
        phase=summary.phase,
        phase_label=str(Episode.Phase(summary.phase).label) if summary.phase else "",
        month=figures.months_between(summary.episode_onset, today) + 1
        if summary.episode_onset
        else None,
        sparkline=figures.sparkline(values)
        if any(v is not None for v in values)
        else None,
        urgency=p.urgency_score,
    )


# Course ---------------------------------------------------------------------


@dataclass(frozen=True)
class CourseBundle:
    """Everything the course pages draw, from one fixed set of queries."""

    course: figures.Course
    notes: dict[dt.date, str]  # check-in notes by day
    episodes: list[Episode]
    migrations: list[JointMigration]
    events: list[ClinicalEvent]
    possible: list[PossibleJoint]  # raised joints not yet confirmed


def course_bundle(*, patient: PatientProfile, today: dt.date) -> CourseBundle:
    """The patient's whole diary, episodes, migrations, possible joints and events (six queries)."""
    notes = dict(
        CheckIn.objects.filter(patient=patient, date__lte=today).values_list(
            "date", "note"
        )
    )
    readings = {
        (day, code): (p, s)
        for day, code, p, s in DiaryEntry.objects.filter(
            patient=patient, date__lte=today
        ).values_list("date", "joint__code", "pain", "swelling")
    }
    tracked = set(
        TrackedJoint.objects.filter(patient=patient).values_list(
            "joint__code", flat=True
        )
    )
    episodes = list(Episode.objects.filter(patient=patient).select_related("joint"))
    migrations = list(
        JointMigration.objects.filter(patient=patient).select_related(
            "from_joint", "to_joint", "acknowledged_by"
        )
    )
    events = list(
        ClinicalEvent.objects.filter(patient=patient).select_related(
            "joint", "created_by"
        )
    )
    possible = list(
        PossibleJoint.objects.filter(patient=patient).select_related("joint")
    )
    # Joints worth a row: watched ones, any that ever hurt or swelled, any with an episode.
    shown = (
        tracked
        | {code for (_, code), (p, s) in readings.items() if p or s}
        | {e.joint.code for e in episodes}
    )
    start = min([*notes, *(d for d, _ in readings)], default=today)
    start = min(start, today - dt.timedelta(days=27))
    course = figures.Course(
        start=start,
        today=today,
        joints=tuple(j for j in JOINT_ORDER if j in shown),
        logged=frozenset(notes),
        readings=readings,
        episodes=tuple(
            figures.EpisodeSpan(
                joint=e.joint.code,
                onset=e.onset,
                peak=e.peak,
                phase=e.phase,
                resolved_on=e.resolved_on,
                peak_pain=e.peak_pain,
            )
            for e in episodes
        ),
        migrations=tuple(
            figures.MigrationMark(
                from_joint=m.from_joint.code,
                to_joint=m.to_joint.code,
                to_onset=m.to_onset,
                detected_on=m.detected_on,
            )
            for m in migrations
        ),
        events=tuple(
            figures.EventMark(
                day=e.date,
                label=e.short_label,
                title=f"{e.get_kind_display()} {e.detail}".strip(),
                joint=e.joint.code if e.joint_id else None,
            )
            for e in events
        ),
    )
    return CourseBundle(
        course=course,
        notes=notes,
        episodes=episodes,
        migrations=migrations,
        events=events,
        possible=possible,
    )


@dataclass(frozen=True)
class EpisodeRow:
    episode: Episode
    month: int  # 1-based month since onset (as of resolution for healed ones)
    window: tuple[dt.date, dt.date]  # typical recovery window
    overdue: bool  # still active past the window


def episode_rows(*, episodes: list[Episode], today: dt.date) -> list[EpisodeRow]:
    """Episodes newest first with their month and the 3-9 month window."""
    rows = []
    for e in sorted(episodes, key=lambda e: e.onset, reverse=True):
        window = figures.recovery_window(e.onset)
        end = e.resolved_on or today
        rows.append(
            EpisodeRow(
                episode=e,
                month=figures.months_between(e.onset, end) + 1,
                window=window,
                overdue=e.is_active and today > window[1],
            )
        )
    return rows


@dataclass(frozen=True)
class DiaryRow:
    date: dt.date
    logged: bool
    scores: list[tuple[int, int] | None]  # per joint; None on unlogged days
    note: str


def diary_rows(*, bundle: CourseBundle, days: int) -> list[DiaryRow]:
    """The last `days` days of the bundle, newest first; unlogged days have no scores."""
    course = bundle.course
    rows = []
    for i in range(days):
        d = course.today - dt.timedelta(days=i)
        if d < course.start:
            break
        logged = d in course.logged
        rows.append(
            DiaryRow(
                date=d,
                logged=logged,
                scores=[
                    course.readings.get((d, j), (0, 0)) if logged else None
                    for j in course.joints
                ],
                note=bundle.notes.get(d, ""),
            )
        )
    return rows


def notes_for(
    *, physician: PhysicianProfile, patient: PatientProfile
) -> QuerySet[PhysicianNote]:
    """This physician's own notes on patient; another physician's are never included."""
    return PhysicianNote.objects.filter(physician=physician, patient=patient)


def migration_for_patient_or_none(
    *, patient: PatientProfile, migration_id: int
) -> JointMigration | None:
    return (
        JointMigration.objects.filter(patient=patient, pk=migration_id)
        .select_related("from_joint", "to_joint", "acknowledged_by", "patient")
        .first()
    )


def events_deletable_by(*, patient: PatientProfile, user: User) -> Q:
    """The patient's events `user` may remove: the ones they entered.

    The patient may also remove events whose author's account is gone; a
    physician's entry is the physician's to withdraw, not the patient's.
    """
    if user.pk == patient.user_id:
        return Q(created_by=user) | Q(created_by__isnull=True)
    return Q(created_by=user)


@dataclass(frozen=True)
class EventRow:
    event: ClinicalEvent
    added_by: str  # "you", the author's name, or "a deleted account"
    can_delete: bool


def event_rows(
    *, events: list[ClinicalEvent], patient: PatientProfile, viewer: User
) -> list[EventRow]:
    """The events list under a course: who entered each, and whether `viewer` may remove it."""
    rows = []
    for e in events:
        if e.created_by_id is None:
            added_by = _("a deleted account")
        elif e.created_by_id == viewer.pk:
            added_by = _("you")
        else:
            added_by = e.created_by.display_name
        can_delete = e.created_by_id == viewer.pk or (
            e.created_by_id is None and viewer.pk == patient.user_id
        )
        rows.append(EventRow(event=e, added_by=added_by, can_delete=can_delete))
    return rows


def figure_text() -> figures.FigureText:
    """The drawings' words in the active language (figures.py itself has no Django)."""
    return figures.FigureText(
        joints=joint_labels(),
        phases={p: str(label) for p, label in Episode.Phase.choices},
        swelling=tuple(str(s) for s in SWELLING_LABELS),
        lower_limbs=_("Lower limbs"),
        upper_limbs=_("Upper limbs"),
        pain_hover=_("Pain %(value)s/10"),
        swelling_hover=_("Swelling %(level)s"),
        swelling_trace=_("Swelling: %(level)s"),
        moved=_("moved %(date)s"),
        nothing_logged=_("Nothing logged yet: your days will appear here."),
        ranges=(
            pgettext("chart range: 1 month", "1m"),
            pgettext("chart range: 3 months", "3m"),
            pgettext("chart range: 6 months", "6m"),
            pgettext("chart range: 1 year", "1y"),
            pgettext("chart range: everything", "All"),
        ),
        svg_title=_("Pain per joint from %(start)s to %(end)s"),
        locale=translation.get_language() or "en",
        months=tuple(str(MONTHS[m]) for m in range(1, 13)),
        # As Django's "M" date format writes them, so chart and page agree.
        short_months=tuple(str(MONTHS_3[m]).title() for m in range(1, 13)),
        days=tuple(str(WEEKDAYS[d]) for d in (6, 0, 1, 2, 3, 4, 5)),
        short_days=tuple(str(WEEKDAYS_ABBR[d]) for d in (6, 0, 1, 2, 3, 4, 5)),
    )


def phase_key(text: figures.FigureText) -> list[tuple[str, str]]:
    """(phase name, colour) for the legends, in the drawings' order."""
    return [(text.phases[p], c) for p, c in figures.PHASE_COLOURS.items()]


def course_page(*, patient: PatientProfile, today: dt.date, days: int) -> dict:
    """Context both course pages draw (patient's own, physician's detail): six queries."""
    bundle = course_bundle(patient=patient, today=today)
    course = bundle.course
    text = figure_text()
    return {
        "patient": patient,
        "today": today,
        "bundle": bundle,
        "figure": figures.timeline_figure(course, text=text),
        "timeline": figures.timeline_static(course, text=text),
        "body": figures.body_map(course, text=text),
        "episode_rows": episode_rows(episodes=bundle.episodes, today=today),
        "active_windows": [
            (joint_label(e.joint), *figures.recovery_window(e.onset))
            for e in course.active_episodes
        ],
        "phase_colours": phase_key(text),
        **diary_table(bundle=bundle, days=days),
    }


def diary_table(*, bundle: CourseBundle, days: int) -> dict:
    """Context of components/diary_table.html: the last `days` days of the bundle."""
    return {
        "diary": diary_rows(bundle=bundle, days=days),
        "joint_labels": [joint_label(j) for j in bundle.course.joints],
        "days": days,
        "ranges": DIARY_RANGES,
    }


SORT_COLUMNS = (
    ("name", gettext_lazy("Patient")),
    ("urgency", gettext_lazy("Urgency")),
    ("last", gettext_lazy("Days since log")),
    ("joint", gettext_lazy("Worst joint")),
    ("phase", gettext_lazy("Phase")),
    ("month", gettext_lazy("Month")),
)


def sort_columns(*, sort: str) -> list[dict]:
    """The triage table's column headings, each with the sort its link sets."""
    current = sort.lstrip("-")
    columns = []
    for key, label in SORT_COLUMNS:
        # Clicking the current column flips it; a new column starts with its most useful end.
        if key == current:
            next_sort = key if sort.startswith("-") else f"-{key}"
        else:
            next_sort = f"-{key}" if key in ("urgency", "last", "month") else key
        columns.append(
            {
                "key": key,
                "label": label,
                "sort": next_sort,
                "active": key == current,
                "descending": sort.startswith("-"),
            }
        )
    return columns


def profile_page(*, patient: PatientProfile, now: dt.datetime) -> dict:
    """Who can see the patient's diary, open invitations and who looked: the profile's lists."""
    return {
        "care_links": care_links_for_patient(patient=patient),
        "invitations": open_invitations(patient=patient, now=now),
        "access_records": access_records_for_patient(patient=patient),
        "timezone_names": TIMEZONE_NAMES,
    }
