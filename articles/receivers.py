"""Keeps stored search vectors current when an article, its tags, author or category change, and
tells the full-page cache that the public pages are stale."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Article, Author, Category, FAQItem, Tag
from .page_cache import pages_changed
from .search import refresh_search_vectors


@receiver(post_save, sender=Article, dispatch_uid="article_search_vector")
def article_saved(sender, instance: Article, raw=False, **kwargs) -> None:
    if not raw:
        refresh_search_vectors([instance.pk])


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="article_tags_search_vector")
def article_tags_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # tag.articles.add(...): the articles are in pk_set
        refresh_search_vectors(pk_set or instance.articles.values_list("pk", flat=True))
    else:
        refresh_search_vectors([instance.pk])


@receiver(post_save, sender=Author, dispatch_uid="author_search_vector")
@receiver(post_save, sender=Category, dispatch_uid="category_search_vector")
def name_changed(sender, instance, raw=False, created=False, **kwargs) -> None:
    if not raw and not created:
        refresh_search_vectors(instance.articles.values_list("pk", flat=True))


@receiver(post_save, sender=Article, dispatch_uid="article_pages_changed")
@receiver(post_delete, sender=Article, dispatch_uid="article_pages_deleted")
@receiver(post_save, sender=Author, dispatch_uid="author_pages_changed")
@receiver(post_delete, sender=Author, dispatch_uid="author_pages_deleted")
@receiver(post_save, sender=Category, dispatch_uid="category_pages_changed")
@receiver(post_delete, sender=Category, dispatch_uid="category_pages_deleted")
@receiver(post_save, sender=Tag, dispatch_uid="tag_pages_changed")
@receiver(post_delete, sender=Tag, dispatch_uid="tag_pages_deleted")
@receiver(post_save, sender=FAQItem, dispatch_uid="faq_pages_changed")
@receiver(post_delete, sender=FAQItem, dispatch_uid="faq_pages_deleted")
@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="article_tags_pages_changed")
def public_content_changed(sender, raw=False, action: str = "", **kwargs) -> None:
    if raw or (action and not action.startswith("post_")):
        return
    pages_changed()
