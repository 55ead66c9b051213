"""Directors manage the chat channels, every chat identity, and see (and re-send) chat deliveries."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DIRECTORS = {
    "channel": ["add", "change", "delete", "view"],
    "chatidentity": ["add", "change", "delete", "view"],
    "chatdelivery": ["change", "view"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("chatbots")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Directors")
    for model, actions in DIRECTORS.items():
        for action in actions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="chatbots", codename=f"{action}_{model}")
            )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Directors"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="chatbots"))


class Migration(migrations.Migration):
    dependencies = [
        ("chatbots", "0001_initial"),
        ("projects", "0002_default_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
