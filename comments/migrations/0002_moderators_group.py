from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS = "Moderators"
# Moderating is reading and changing comments (approve, unapprove, spam, trash); nothing else.
PERMISSIONS = ("view_comment", "change_comment")


def create_moderators_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make this app's now.
    app_config = apps.get_app_config("comments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="comments", codename__in=PERMISSIONS)
    )


def delete_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MODERATORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_moderators_group, delete_moderators_group)]
