from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "portal.content"
    label = "content"
    verbose_name = _("Help centre content")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks of the guides' words)
        from .models import Article, GuideText, StepText, TextRevision

        def bump(**kwargs):
            TextRevision.bump()

        # Every save, in the admin or by a restore, makes the guide read its words again.
        for model in (Article, StepText, GuideText):
            post_save.connect(bump, sender=model, dispatch_uid=f"bump-revision-{model.__name__}-save", weak=False)
            post_delete.connect(bump, sender=model, dispatch_uid=f"bump-revision-{model.__name__}-delete", weak=False)
