"""Forgets the cached consent wording and programs when staff add, change or remove one."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from careers_site.cache import forget

from .models import ConsentText, Program
from .services import CONSENT_TEXT_KEY, PROGRAMS_KEY


@receiver(post_save, sender=ConsentText, dispatch_uid="consent_text_saved")
@receiver(post_delete, sender=ConsentText, dispatch_uid="consent_text_deleted")
def consent_text_changed(sender, **kwargs) -> None:
    forget(CONSENT_TEXT_KEY)


@receiver(post_save, sender=Program, dispatch_uid="program_saved")
@receiver(post_delete, sender=Program, dispatch_uid="program_deleted")
def program_changed(sender, **kwargs) -> None:
    forget(PROGRAMS_KEY)
