from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import F

COACHES_GROUP = "Enrollment coaches"
# Coaches read the first-contact target and the e-mails sent to them; setting the target is
# for whoever staff give "Can change first-contact target".
COACH_PERMISSIONS = ["view_contacttarget", "view_coachemail"]


def grant_coach_permissions(apps, schema_editor):
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


def start_the_waits(apps, schema_editor):
    """Leads already waiting for a first contact wait from their request."""
    Lead = apps.get_model("leads", "Lead")
    Lead.objects.filter(status="new", awaiting_contact_since=None).update(
        awaiting_contact_since=F("created_at")
    )
    Lead.objects.filter(status="returning", awaiting_contact_since=None).update(
        awaiting_contact_since=F("last_submitted_at")
    )


def create_the_target(apps, schema_editor):
    apps.get_model("leads", "ContactTarget").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0006_first_contact_target_and_escalation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant_coach_permissions, migrations.RunPython.noop),
        migrations.RunPython(start_the_waits, migrations.RunPython.noop),
        migrations.RunPython(create_the_target, migrations.RunPython.noop),
    ]
