"""The "Support" group: view-only rights on tracking and content, which is what every /staff/ page needs.

Permissions are normally created after all migrations have run; this migration creates the ones it grants first,
so it works on a fresh database too.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Support"
#: app label -> models whose "view" permission Support gets (read the walks, votes and texts; change nothing).
VIEW = {
    "tracking": ["flowsession", "sessionevent", "vote", "linkopen"],
    "content": ["article", "steptext"],
}


def create_support_group(apps, schema_editor):
    for label in VIEW:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for label, models in VIEW.items():
        codenames = [f"view_{model}" for model in models]
        group.permissions.add(*Permission.objects.filter(content_type__app_label=label, codename__in=codenames))


def remove_support_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tracking", "0004_one_outcome_event"),
        ("content", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_support_group, remove_support_group)]
