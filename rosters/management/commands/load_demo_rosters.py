from collections import Counter

from django.core.management.base import BaseCommand
from django.urls import reverse

from rosters.demo.imports import demo_roster_load
from rosters.models import RosterRow

Outcome = RosterRow.Outcome


class Command(BaseCommand):
    help = (
        "Import the Hà Nội demo admin's roster of commune officials into the Hà Nội demo course's run "
        "(idempotent; after load_demo_data, load_address_mappings and load_demo_in_person_days)."
    )

    def handle(self, *args, **options) -> None:
        roster_import = demo_roster_load()
        if roster_import is None:
            self.stdout.write("Demo roster: the Hà Nội course has no run; nothing imported.")
            return
        outcomes = Counter(roster_import.rows.values_list("outcome", flat=True))
        self.stdout.write(
            f"Demo roster of {roster_import.rows_total} Hà Nội officials at "
            f"{reverse('rosters:detail', args=[roster_import.id])}: {outcomes[Outcome.CREATE]} new accounts invited "
            f"(worker.log), {outcomes[Outcome.MATCH] + outcomes[Outcome.ALREADY]} matched, "
            f"{outcomes[Outcome.REFUSED]} refused."
        )
