from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import PatientProfile
from apps.detector import detect
from apps.detector.diary_json import (
    DiaryFormatError,
    format_table,
    migrations_to_json,
    parse_diary,
)
from apps.detector.services import diary_load


class Command(BaseCommand):
    help = (
        "Run the migration detector on a diary JSON file (PATH) or on a patient in "
        "the database (--patient EMAIL) and print the migrations it finds."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Diary JSON file; '-' reads stdin.")
        parser.add_argument("--patient", metavar="EMAIL")
        parser.add_argument("--format", choices=["json", "table"], default="json")
        parser.add_argument(
            "--save",
            action="store_true",
            help="With --patient: also store episodes and migrations, as after a saved day.",
        )

    def handle(
        self,
        *args,
        path: str | None,
        patient: str | None,
        format: str,
        save: bool,
        **options,
    ):
        if (path is None) == (patient is None):
            raise CommandError(
                "Give either a diary JSON PATH or --patient EMAIL.", returncode=2
            )
        if path is not None:
            readings, logged = self._read(path)
        else:
            profile = PatientProfile.objects.filter(user__email__iexact=patient).first()
            if profile is None:
                raise CommandError(
                    f"No patient with the email {patient}.", returncode=2
                )
            readings, logged = diary_load(patient=profile)
            if save:
                from apps.detector.services import episodes_refresh

                episodes_refresh(patient=profile)
        result = detect.detect(readings, logged)
        if format == "json":
            self.stdout.write(
                json.dumps(migrations_to_json(result.migrations), indent=2)
            )
        else:
            self.stdout.write(format_table(result))

    def _read(self, path: str):
        try:
            text = (
                self.stdin_text()
                if path == "-"
                else Path(path).read_text(encoding="utf-8")
            )
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}", returncode=2) from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
                returncode=2,
            ) from exc
        try:
            return parse_diary(data)
        except DiaryFormatError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from exc

    def stdin_text(self) -> str:
        import sys

        return sys.stdin.read()
