from django.core.management.base import BaseCommand

from courses.services.catalogue import course_enrolment_counts_refresh


class Command(BaseCommand):
    help = "Recount every course's active enrolments now, as the periodic job does."

    def handle(self, *args, **options) -> None:
        changed = course_enrolment_counts_refresh()
        self.stdout.write(self.style.SUCCESS(f"Recounted the enrolments; {changed} course counts changed."))
