from django.core.management.base import BaseCommand

from announcements.demo.announcements import demo_announcements_load


class Command(BaseCommand):
    help = (
        "Write the demo announcements (the Hà Nội admin to the Hà Nội course's run, the ministry to a national "
        "course) and list their recipients (idempotent; after load_demo_data and load_demo_in_person_days)."
    )

    def handle(self, *args, **options) -> None:
        count = demo_announcements_load()
        self.stdout.write(f"{count} demo announcements: /learning/announcements/ as hocvien@demo.onetouch.vn.")
