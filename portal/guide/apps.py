from django.apps import AppConfig


class GuideConfig(AppConfig):
    name = "portal.guide"
    label = "guide"
