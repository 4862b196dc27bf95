from django.core.management.base import BaseCommand

from onetouch.services.admin_units import admin_units_load


class Command(BaseCommand):
    help = "Load the official 34 provinces and 3,321 communes (safe to run again)."

    def handle(self, *args, **options) -> None:
        provinces, communes = admin_units_load()
        self.stdout.write(f"Administrative units: {provinces} provinces, {communes} communes.")
