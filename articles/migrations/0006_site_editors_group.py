from django.contrib.auth.management import create_permissions
from django.db import migrations

SITE_EDITORS = "Site editors"
# Writing the site's own pages (privacy, terms, about, contact): adding and changing them, and
# reading their kept versions. Not deleting: a consent may point at a page's versions.
PERMISSIONS = ("add_sitepage", "change_sitepage", "view_sitepage", "view_sitepageversion")


def create_site_editors_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make this app's now.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SITE_EDITORS)
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=PERMISSIONS)
    )


def delete_site_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=SITE_EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_site_pages"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_site_editors_group, delete_site_editors_group)]
