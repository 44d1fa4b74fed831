"""Forgets the cached consent wording and programs when staff add, change or remove one, and
counts each article view in its day for the attribution report."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from articles.signals import article_view_counted
from careers_site.cache import forget

from .models import ConsentText, Program
from .services import CONSENT_TEXT_KEY, PROGRAMS_KEY, article_day_view_add


@receiver(post_save, sender=ConsentText, dispatch_uid="consent_text_saved")
@receiver(post_delete, sender=ConsentText, dispatch_uid="consent_text_deleted")
def consent_text_changed(sender, **kwargs) -> None:
    forget(CONSENT_TEXT_KEY)


@receiver(post_save, sender=Program, dispatch_uid="program_saved")
@receiver(post_delete, sender=Program, dispatch_uid="program_deleted")
def program_changed(sender, **kwargs) -> None:
    forget(PROGRAMS_KEY)


@receiver(article_view_counted, dispatch_uid="leads_article_day_views")
def article_view_counted_in_its_day(sender, article_id: int, at, **kwargs) -> None:
    article_day_view_add(article_id=article_id, day=timezone.localdate(at))
