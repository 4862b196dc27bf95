from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from onetouch.models import Province
from onetouch.services.staff_accounts import STAFF_ROLES, staff_account_create


class Command(BaseCommand):
    help = "Create a staff account (provincial admin, partner trainer or ministry staff)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--role", required=True, choices=sorted(STAFF_ROLES))
        parser.add_argument("--province", help="official province code, for a provincial admin")
        parser.add_argument("--password", help="omit to create an account that must reset its password")

    def handle(self, *args, **options) -> None:
        province = None
        if options["province"]:
            province = Province.objects.filter(code=options["province"]).first()
            if province is None:
                raise CommandError(f"No province has the code {options['province']!r}.")
        try:
            user = staff_account_create(
                email=options["email"],
                full_name=options["full_name"],
                role=options["role"],
                password=options["password"],
                province=province,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Created {user.role} {user.email}.")
