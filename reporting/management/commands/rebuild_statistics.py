from django.core.management.base import BaseCommand

from reporting.services.rebuild import statistics_rebuild


class Command(BaseCommand):
    help = "Recount every statistics table from the learning-event log, in one transaction."

    def handle(self, *args, **options) -> None:
        result = statistics_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Counted {result.events} learning events (mark {result.mark})."))
