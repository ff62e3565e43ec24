from __future__ import annotations

import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from apps.accounts.models import User
from apps.accounts.services import physician_create


class Command(BaseCommand):
    help = "Create a physician account (physicians cannot sign up themselves)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="Prompted for when omitted.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(
        self,
        *args,
        email: str,
        password: str | None,
        first_name: str,
        last_name: str,
        **options,
    ):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not a valid email address.") from exc
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"An account for {email} already exists.")
        if password is None:
            password = getpass.getpass("Password: ")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        physician_create(
            email=email, password=password, first_name=first_name, last_name=last_name
        )
        self.stdout.write(self.style.SUCCESS(f"Physician {email} created."))
