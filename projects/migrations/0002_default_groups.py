"""Create the "Project owners" and "Directors" groups with the permissions their work needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Project owners": {
        "projects": {
            "view": ["team", "cycle", "objective", "keyresult", "keyresultreading", "planneddatechange"],
            "add,change,view": ["project", "progressupdate", "incident"],
            "add,change,delete,view": ["milestone"],
        },
        "reports": {"view": ["directornote"]},
    },
    "Directors": {
        "projects": {
            "view": ["team", "cycle", "project", "milestone", "progressupdate", "planneddatechange"],
            "add,change,delete,view": ["objective", "keyresult", "keyresultreading"],
            "add,change,view,manage_all": ["incident"],
        },
        "reports": {
            "add,change,view": ["directornote"],
            "view": ["rollupsnapshot", "delivery"],
        },
    },
}


def codenames(actions: str, model: str) -> list[str]:
    return [f"{action}_{model}s" if action == "manage_all" else f"{action}_{model}" for action in actions.split(",")]


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, apps_perms in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for app_label, rules in apps_perms.items():
            for actions, models in rules.items():
                for model in models:
                    for codename in codenames(actions, model):
                        group.permissions.add(
                            Permission.objects.get(content_type__app_label=app_label, codename=codename)
                        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("reports", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
