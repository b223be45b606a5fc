"""The "Editors" group: reads the editorial readouts under /staff/ and edits articles and step texts in the admin.

Like 0001's Support group, the permissions it grants are created first, so this works on a fresh database too.
Editors are staff accounts (is_staff) put in this group; they do not get the walks' look-up or dashboard.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editors"
#: app label -> (model, actions) the group gets.
GRANTS = {
    "content": [("article", ("view", "add", "change")), ("steptext", ("view", "change")),
                ("guidetext", ("view", "change")), ("sourcerevision", ("view",))],
    "tracking": [("vote", ("view",)), ("searchcount", ("view",))],
}
EXTRA = {"tracking": ["view_editorial"]}


def create_editors_group(apps, schema_editor):
    for label in GRANTS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for label, grants in GRANTS.items():
        codenames = [f"{action}_{model}" for model, actions in grants for action in actions] + EXTRA.get(label, [])
        group.permissions.add(*Permission.objects.filter(content_type__app_label=label, codename__in=codenames))


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_daily_rollups"),
        ("content", "0008_source_revisions"),
        ("tracking", "0006_search_counts"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
