from django.core.management.base import BaseCommand

from courses.demo.catalogue import demo_catalogue_load
from learners.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from learners.demo.crowd import demo_crowd_load
from onetouch.services.admin_units import admin_units_load


class Command(BaseCommand):
    help = (
        "Load administrative units, the demo catalogue, one demo account per role and a crowd of demo "
        "learners with 90 days of activity (idempotent)."
    )

    def handle(self, *args, **options) -> None:
        provinces, communes = admin_units_load()
        courses = demo_catalogue_load()
        accounts = demo_accounts_load()
        learners = demo_crowd_load()
        self.stdout.write(
            f"{provinces} provinces, {communes} communes, {courses} demo courses, {learners} demo learners."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(f"  {account.role:<18} {account.email}")
