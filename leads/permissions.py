from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import COACHES_GROUP


def is_coach(user) -> bool:
    """An active staff member of the "Enrollment coaches" group, or a superuser."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_leads_is_coach", None)
    if cached is None:
        cached = user.groups.filter(name=COACHES_GROUP).exists()
        user._leads_is_coach = cached
    return cached


def lead_owners() -> QuerySet:
    """Who may own leads: active staff in the "Enrollment coaches" group. A superuser sees every
    lead but owns one only when in the group, so that the list of owners is the list of coaches."""
    return get_user_model().objects.filter(
        is_active=True, is_staff=True, groups__name=COACHES_GROUP
    )


def may_own_leads(user) -> bool:
    return user is not None and user.pk is not None and lead_owners().filter(pk=user.pk).exists()


def can_see_attribution(user) -> bool:
    """The attribution report holds no personal data: coaches and the editors who write."""
    if is_coach(user):
        return True
    return bool(user.is_active and user.is_staff and user.has_perm("articles.view_article"))
