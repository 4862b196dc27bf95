from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InPersonConfig(AppConfig):
    name = "inperson"
    verbose_name = _("In-person days")
