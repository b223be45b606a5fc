from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "portal.flows"
    label = "flows"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system check)
