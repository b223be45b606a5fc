from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "portal.staff"
    label = "staff"
    verbose_name = _("Staff workspace")

    def ready(self):
        from .sections import register_staff_sections

        register_staff_sections()
