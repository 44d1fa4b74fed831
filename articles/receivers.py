"""Keeps stored search vectors current when an article, its tags, author or category change."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from .models import Article, Author, Category
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
