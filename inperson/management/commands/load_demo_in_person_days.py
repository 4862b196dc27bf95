from django.core.management.base import BaseCommand

from inperson.demo.days import demo_in_person_days_load


class Command(BaseCommand):
    help = (
        "Make the demo partner trainer a trainer of the postal service and schedule the Hà Nội demo course's "
        "in-person day (idempotent; after load_demo_data, which this app sits above)."
    )

    def handle(self, *args, **options) -> None:
        days = demo_in_person_days_load()
        self.stdout.write(f"{days} in-person days.")
