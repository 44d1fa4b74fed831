"""Joins an article's threads again when one of its comments changes, which drops the shared
pages that show them (comments/page_keys.py); forgets the cached moderation terms when staff
change them."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article
from careers_site.cache import forget

from .models import Comment, Discussion, ModerationTerm
from .services import MODERATION_TERMS_KEY, discussion_refresh


@receiver(post_save, sender=Comment, dispatch_uid="comment_pages_changed")
def comment_saved(sender, instance: Comment, created: bool, raw=False, **kwargs) -> None:
    # A new comment held for moderation shows on no shared page; an approved one does, and an
    # existing one may have been approved until now (marked spam, trashed, edited).
    if not raw and (instance.is_approved or not created):
        discussion_refresh(article_ids=[instance.article_id])


@receiver(post_delete, sender=Comment, dispatch_uid="comment_pages_deleted")
def comment_deleted(sender, instance: Comment, origin=None, **kwargs) -> None:
    # Deleting the article deletes its comments and their stored threads with it.
    deleting_comments = getattr(origin, "model", type(origin)) is Comment
    if instance.is_approved and deleting_comments:
        discussion_refresh(article_ids=[instance.article_id])


@receiver(post_save, sender=Article, dispatch_uid="article_discussion_created")
def article_created(sender, instance: Article, created: bool, raw=False, **kwargs) -> None:
    """A new article starts with its (empty) threads stored: its page reads one row."""
    if created and not raw:
        Discussion.objects.get_or_create(article_id=instance.pk)


@receiver(post_save, sender=ModerationTerm, dispatch_uid="moderation_terms_saved")
@receiver(post_delete, sender=ModerationTerm, dispatch_uid="moderation_terms_deleted")
def moderation_terms_changed(sender, **kwargs) -> None:
    forget(MODERATION_TERMS_KEY)
