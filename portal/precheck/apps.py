from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrecheckConfig(AppConfig):
    name = "portal.precheck"
    label = "precheck"
    verbose_name = _("Template pre-check")

    def ready(self):
        from . import checks  # noqa: F401  (registers the check of kb/precheck/rules.toml)
