from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self) -> None:
        # Registers the API key's security scheme with drf-spectacular (the schema names it "bearer").
        from api import schema  # noqa: F401
