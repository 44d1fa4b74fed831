import json

from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from careers_site.personal_data import normalise_email, providers


class Command(BaseCommand):
    help = (
        "Export (as JSON) or erase everything stored about an e-mail address, across all apps: "
        "`personal_data export EMAIL` or `personal_data erase EMAIL`."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")

    def handle(self, *args, action: str, email: str, **options):
        email = normalise_email(email)
        try:
            validate_email(email)
        except Exception as error:
            raise CommandError(f"Not an e-mail address: {email!r}") from error
        if action == "export":
            data = {"email": email, **{p.name: p.export(email) for p in providers()}}
            self.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str))
            return
        with transaction.atomic():
            counts = {p.name: p.erase(email) for p in providers()}
        self.stdout.write(json.dumps({"email": email, "erased": counts}, indent=2, sort_keys=True))
