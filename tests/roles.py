"""Staff as the site has them: each role is a real group with its permissions, never a superuser.

Coaches and Moderators are the groups the data migrations make (made again here when a
transactional test flushed them); Editors stand for the editorial staff, with the articles app's
permissions only.
"""

import importlib

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

ROLES = ("coach", "moderator", "editor")


def coaches_group() -> Group:
    migration = importlib.import_module("leads.migrations.0002_coaches_group_and_consent_text")
    migration.create_group_and_consent(apps, None)
    later = importlib.import_module("leads.migrations.0007_waits_and_coach_permissions")
    later.grant_coach_permissions(apps, None)
    return Group.objects.get(name="Enrollment coaches")


def moderators_group() -> Group:
    group, created = Group.objects.get_or_create(name="Moderators")
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="comments", codename__in=("view_comment", "change_comment")
            )
        )
    return group


def editors_group() -> Group:
    group, created = Group.objects.get_or_create(name="Editors")
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="articles"))
    return group


GROUPS = {"coach": coaches_group, "moderator": moderators_group, "editor": editors_group}


def staff_member(role: str, username: str | None = None, **fields):
    """An active staff account in the role's group, and only there."""
    user = get_user_model().objects.create_user(
        username or role,
        password="pw",
        is_staff=True,
        email=f"{username or role}@example.com",
        **fields,
    )
    user.groups.add(GROUPS[role]())
    return user
