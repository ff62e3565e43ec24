from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def diary_file(tmp_path, data) -> str:
    path = tmp_path / "diary.json"
    path.write_text(json.dumps(data))
    return str(path)


def hip_to_hip() -> dict:
    """Left hip episode that heals, then the right hip starts: a sequential migration."""
    start = dt.date(2026, 1, 5)
    days, entries = [], []
    for i in range(300):
        day = start + dt.timedelta(days=i)
        days.append(day.isoformat())
        left = min(8, i // 4) if i < 40 else max(0, 8 - (i - 40) // 12)
        right = 0 if i < 160 else min(7, (i - 160) // 4)
        for joint, pain in (("left_hip", left), ("right_hip", right)):
            if pain:
                entries.append(
                    {
                        "joint": joint,
                        "date": day.isoformat(),
                        "pain": pain,
                        "swelling": min(3, pain // 3),
                    }
                )
    # Entries in any order, plus keys the contract says to ignore.
    return {
        "patient": "anon-17",
        "source": "test",
        "logged_days": days,
        "entries": entries[::-1],
    }


def test_json_contract_on_a_file(tmp_path, capsys):
    call_command(
        "detect_migrations", "--format", "json", diary_file(tmp_path, hip_to_hip())
    )
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 1
    event = out[0]
    assert set(event) == {"from", "to", "relation", "kind", "to_onset", "detected_on"}
    assert (event["from"], event["to"], event["relation"], event["kind"]) == (
        "left_hip",
        "right_hip",
        "contralateral",
        "sequential",
    )
    onset = dt.date.fromisoformat(event["to_onset"])
    assert abs((onset - dt.date(2026, 6, 14)).days) <= 21
    assert dt.date.fromisoformat(event["detected_on"]) >= onset


def test_table_format_lists_episodes_too(tmp_path, capsys):
    call_command(
        "detect_migrations", "--format", "table", diary_file(tmp_path, hip_to_hip())
    )
    out = capsys.readouterr().out
    assert "Left hip" in out
    assert "Right hip" in out
    assert "Episodes" in out


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        "[]",
        '{"logged_days": "2026-01-01", "entries": []}',
        '{"logged_days": ["2026-13-01"], "entries": []}',
        '{"logged_days": [], "entries": [{"joint": "left_nose", "date": "2026-01-01", "pain": 1, "swelling": 0}]}',
        '{"logged_days": [], "entries": [{"joint": "left_hip", "date": "2026-01-01", "pain": 11, "swelling": 0}]}',
    ],
)
def test_malformed_input_exits_2_with_a_message_on_stderr(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "detect_migrations",
            "--format",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert str(path) in result.stderr


def test_needs_a_path_or_a_patient():
    with pytest.raises(CommandError):
        call_command("detect_migrations")


@pytest.mark.django_db
def test_patient_from_the_database(capsys):
    call_command("seed_demo", patients=2, days=365, stdout=io.StringIO())
    call_command("detect_migrations", "--patient", "patient1@example.com")
    out = json.loads(capsys.readouterr().out)
    assert [(e["from"].split("_")[1], e["to"].split("_")[1]) for e in out] == [
        ("hip", "hip")
    ]


def _hip_then_sore_knee() -> dict:
    """The left hip heals; the left knee below it is sore for its last three days."""
    data = hip_to_hip()
    data["entries"] = [e for e in data["entries"] if e["joint"] == "left_hip"]
    for day, pain in zip(data["logged_days"][-3:], (3, 4, 5), strict=True):
        data["entries"].append(
            {"joint": "left_knee", "date": day, "pain": pain, "swelling": 1}
        )
    data["entries"].append(
        {"joint": "left_knee", "date": data["logged_days"][0], "pain": 0, "swelling": 0}
    )
    return data


def test_json_lists_confirmed_migrations_only(tmp_path, capsys):
    path = diary_file(tmp_path, _hip_then_sore_knee())
    call_command("detect_migrations", "--format", "json", path)
    assert json.loads(capsys.readouterr().out) == []
    call_command("detect_migrations", "--format", "table", path)
    out = capsys.readouterr().out
    assert "Possible new joints (not confirmed)" in out
    (row,) = [line for line in out.splitlines() if "Left knee" in line]
    assert row.split()[0] == "possible"
    assert "not yet told apart" in row
