"""Forgets the cached consent wording and programs when staff add, change or remove one."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import ConsentText, Program
from .services import CONSENT_TEXT_KEY, PROGRAMS_KEY


@receiver(post_save, sender=ConsentText, dispatch_uid="consent_text_saved")
@receiver(post_delete, sender=ConsentText, dispatch_uid="consent_text_deleted")
def consent_text_changed(sender, **kwargs) -> None:
    # Now, and again once committed, so that no request reads the old wording back in between.
    cache.delete(CONSENT_TEXT_KEY)
    transaction.on_commit(lambda: cache.delete(CONSENT_TEXT_KEY), robust=True)


@receiver(post_save, sender=Program, dispatch_uid="program_saved")
@receiver(post_delete, sender=Program, dispatch_uid="program_deleted")
def program_changed(sender, **kwargs) -> None:
    cache.delete(PROGRAMS_KEY)
    transaction.on_commit(lambda: cache.delete(PROGRAMS_KEY), robust=True)
