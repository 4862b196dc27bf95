import time

from django.core.management.base import BaseCommand, CommandError

from rosters.services.addresses import AddressMappingError, address_mappings_load


class Command(BaseCommand):
    help = "Load the mapping of pre-2025 communes onto the communes of today (safe to run again)."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        try:
            loaded = address_mappings_load()
        except AddressMappingError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Address mappings: {loaded.old_communes} pre-2025 communes, {loaded.successors} links to"
            f" communes of today, {loaded.splits} split, in {time.monotonic() - started:.1f} s."
        )
