"""The diary JSON contract: parsing, error messages, and the output shapes."""

from __future__ import annotations

import json
from datetime import date

import pytest

from apps.detector.detect import Detection, EpisodeFinding, MigrationFinding, Reading
from apps.detector.diary_json import (
    DiaryFormatError,
    format_table,
    migrations_to_json,
    parse_diary,
)


def diary(**overrides: object) -> dict:
    base: dict = {
        "patient": "p-17",
        "logged_days": ["2026-01-06", "2026-01-05"],
        "entries": [
            {"joint": "right_hip", "date": "2026-01-06", "pain": 2, "swelling": 0},
            {"joint": "left_hip", "date": "2026-01-05", "pain": 4, "swelling": 1},
        ],
    }
    base.update(overrides)
    return base


def entry(**overrides: object) -> dict:
    base: dict = {"joint": "left_hip", "date": "2026-01-05", "pain": 4, "swelling": 1}
    base.update(overrides)
    return base


def test_valid_diary_parses_into_sorted_readings_and_days() -> None:
    readings, logged = parse_diary(diary())
    assert logged == [date(2026, 1, 5), date(2026, 1, 6)]
    assert readings == [
        Reading(date(2026, 1, 5), "left_hip", 4, 1),
        Reading(date(2026, 1, 6), "right_hip", 2, 0),
    ]


def test_unknown_keys_and_patient_are_ignored() -> None:
    data = diary(source="app v2")
    data["entries"][0]["note"] = "after a walk"
    readings, _ = parse_diary(data)
    assert len(readings) == 2


def test_round_trip_through_json_text() -> None:
    readings, logged = parse_diary(json.loads(json.dumps(diary())))
    assert len(readings) == 2
    assert len(logged) == 2


def test_exact_duplicate_entry_is_one_reading() -> None:
    readings, _ = parse_diary(diary(entries=[entry(), entry()]))
    assert len(readings) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ("diary", "must be a JSON object"),
        ({"entries": []}, '"logged_days"'),
        ({"logged_days": []}, '"entries"'),
        ({"logged_days": "2026-01-05", "entries": []}, "list of dates"),
        ({"logged_days": [], "entries": {}}, "list of objects"),
        ({"logged_days": ["2026-13-01"], "entries": []}, "logged_days[0]"),
        ({"logged_days": ["05/01/2026"], "entries": []}, "YYYY-MM-DD"),
        ({"logged_days": [20260105], "entries": []}, "date string"),
        ({"logged_days": ["20260105"], "entries": []}, "YYYY-MM-DD"),
        ({"logged_days": [], "entries": ["left_hip"]}, "entries[0] must be an object"),
    ],
)
def test_malformed_diary_is_rejected_with_a_clear_message(
    data: object, message: str
) -> None:
    with pytest.raises(DiaryFormatError) as excinfo:
        parse_diary(data)
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"joint": "left_toe"}, "unknown joint 'left_toe'"),
        ({"joint": None}, "unknown joint None"),
        ({"date": "2026-02-30"}, "entries[0].date"),
        ({"pain": 11}, "from 0 to 10, not 11"),
        ({"pain": -1}, "from 0 to 10, not -1"),
        ({"pain": 3.5}, "whole number"),
        ({"pain": "4"}, "whole number"),
        ({"pain": True}, "true/false"),
        ({"swelling": 4}, "from 0 to 3, not 4"),
        ({"swelling": False}, "true/false"),
        ({"swelling": None}, "null"),
    ],
)
def test_bad_entry_field_is_rejected_with_its_position(bad: dict, message: str) -> None:
    with pytest.raises(DiaryFormatError) as excinfo:
        parse_diary(diary(entries=[entry(**bad)]))
    assert message in str(excinfo.value)
    assert "entries[0]" in str(excinfo.value)


@pytest.mark.parametrize("missing", ["joint", "date", "pain", "swelling"])
def test_entry_missing_a_field_is_rejected(missing: str) -> None:
    data = entry()
    del data[missing]
    with pytest.raises(DiaryFormatError, match=f'has no "{missing}"'):
        parse_diary(diary(entries=[data]))


def test_conflicting_duplicate_entries_are_rejected() -> None:
    with pytest.raises(DiaryFormatError, match="disagree") as excinfo:
        parse_diary(diary(entries=[entry(pain=4), entry(pain=6)]))
    assert "entries[1] and entries[0]" in str(excinfo.value)


def test_diary_format_error_is_a_value_error() -> None:
    assert issubclass(DiaryFormatError, ValueError)


MIGRATION = MigrationFinding(
    from_joint="left_hip",
    to_joint="right_hip",
    relation="contralateral",
    kind="sequential",
    to_onset=date(2026, 5, 2),
    detected_on=date(2026, 5, 9),
)
EPISODE = EpisodeFinding(
    joint="left_hip",
    onset=date(2026, 1, 2),
    peak=date(2026, 2, 10),
    peak_pain=8,
    phase="resolved",
    resolved_on=date(2026, 4, 20),
    detected_on=date(2026, 1, 9),
)


def test_migrations_to_json_uses_the_contract_keys_and_iso_dates() -> None:
    assert migrations_to_json([MIGRATION]) == [
        {
            "from": "left_hip",
            "to": "right_hip",
            "relation": "contralateral",
            "kind": "sequential",
            "to_onset": "2026-05-02",
            "detected_on": "2026-05-09",
        }
    ]
    json.dumps(migrations_to_json([MIGRATION]))


def test_format_table_lists_migrations_and_episodes() -> None:
    text = format_table(Detection(episodes=[EPISODE], migrations=[MIGRATION]))
    assert "Left hip" in text
    assert "Right hip" in text
    assert "contralateral" in text
    assert "2026-05-09" in text
    assert "resolved" in text
    assert text.index("Migrations") < text.index("Episodes")


def test_format_table_says_none_for_an_empty_detection() -> None:
    assert format_table(Detection(episodes=[], migrations=[])).count("(none)") == 2
