from django.contrib.auth.management import create_permissions
from django.db import migrations

COACHES_GROUP = "Enrollment coaches"
COACH_PERMISSIONS = [
    "view_lead",
    "change_lead",
    "view_submission",
    "view_leadnote",
    "add_leadnote",
    "view_leadstatuschange",
    "view_consentrecord",
    "view_webhookdelivery",
    "view_program",
    "view_consenttext",
]
FIRST_CONSENT = (
    "I agree that an enrollment coach may contact me by e-mail or phone about the program I chose, "
    "and that my details are kept for that purpose as described in the privacy policy. "
    "I can withdraw this consent at any time."
)


def create_group_and_consent(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("leads")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=COACHES_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="leads", codename__in=COACH_PERMISSIONS)
    )

    ConsentText = apps.get_model("leads", "ConsentText")
    if not ConsentText.objects.exists():
        ConsentText.objects.create(version=1, text=FIRST_CONSENT)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=COACHES_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group_and_consent, remove_group)]
