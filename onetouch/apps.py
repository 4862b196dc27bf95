from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnetouchConfig(AppConfig):
    name = "onetouch"
    verbose_name = _("Platform core")
