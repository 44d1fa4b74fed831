from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITERS = "Writers"
EDITORS = "Editors"
# Writers write their own articles (with their FAQ) and pick a category and tags; the admin limits
# them to their own drafts. Editors hold every article permission and `publish_article`, and keep
# the authors, categories and tags the articles are filed under.
PERMISSIONS = {
    WRITERS: (
        "add_article", "change_article", "view_article",
        "add_faqitem", "change_faqitem", "delete_faqitem", "view_faqitem",
        "view_author", "view_category", "view_tag",
    ),
    EDITORS: (
        "add_article", "change_article", "delete_article", "view_article", "publish_article",
        "add_faqitem", "change_faqitem", "delete_faqitem", "view_faqitem",
        "add_author", "change_author", "view_author",
        "add_category", "change_category", "view_category",
        "add_tag", "change_tag", "view_tag",
    ),
}  # fmt: skip


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make this app's now.
    app_config = apps.get_app_config("articles")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_editorial_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
