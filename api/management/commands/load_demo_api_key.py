from django.conf import settings
from django.core.management.base import BaseCommand

from api.demo.keys import demo_api_key_make


class Command(BaseCommand):
    help = (
        "Make the Hà Nội admin's demo API key (revoking the demo's earlier one) and print how to call the API "
        "with it (after load_demo_data)."
    )

    def handle(self, *args, **options) -> None:
        plain = demo_api_key_make()
        self.stdout.write(
            f"API: docs at {settings.SITE_URL}/api/docs/; Hà Nội's demo key (shown once): "
            f"curl -H 'Authorization: Bearer {plain}' {settings.SITE_URL}/api/v1/courses/"
        )
