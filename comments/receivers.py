"""Drops the shared pages whose discussion changed (comments/page_keys.py), and forgets the cached
moderation terms when staff change them."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from careers_site.cache import forget
from careers_site.page_cache import pages_changed

from .models import Comment, ModerationTerm
from .page_keys import keys_changed_by
from .services import MODERATION_TERMS_KEY


@receiver(post_save, sender=Comment, dispatch_uid="comment_pages_changed")
def comment_saved(sender, instance: Comment, created: bool, raw=False, **kwargs) -> None:
    # A new comment held for moderation shows on no shared page; an approved one does, and an
    # existing one may have been approved until now (marked spam, trashed, edited).
    if not raw and (instance.is_approved or not created):
        pages_changed(keys_changed_by(instance))


@receiver(post_delete, sender=Comment, dispatch_uid="comment_pages_deleted")
def comment_deleted(sender, instance: Comment, **kwargs) -> None:
    if instance.is_approved:
        pages_changed(keys_changed_by(instance))


@receiver(post_save, sender=ModerationTerm, dispatch_uid="moderation_terms_saved")
@receiver(post_delete, sender=ModerationTerm, dispatch_uid="moderation_terms_deleted")
def moderation_terms_changed(sender, **kwargs) -> None:
    forget(MODERATION_TERMS_KEY)
