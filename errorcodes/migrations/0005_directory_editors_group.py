"""The "Directory editors" group: may edit the directory's content, not users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Directory editors"
MODELS = (
    "provider", "component", "source", "errorcode", "formerslug", "exceptionidentifier",
    "antispamrule", "faqentry", "sendertool",
)  # fmt: skip
ACTIONS = ("view", "add", "change", "delete")


def create_group(apps, schema_editor):
    # Permissions are made after all migrations ran; this one needs them now.
    app_config = apps.get_app_config("errorcodes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="errorcodes", codename__in=codenames)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("errorcodes", "0004_release_content"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
