"""Keeps stored search vectors current when an article, its tags, author or category change, drops
the shared pages that show what changed (articles/page_keys.py), and ranks related articles again
where the lists they are ranked from changed (articles/related.py)."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from careers_site.page_cache import pages_changed

from . import page_keys, related
from .models import Article, Author, Category, FAQItem, SitePage, Tag
from .publication import remember_next_publication
from .search import refresh_search_vectors
from .services import article_address_moved


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


@receiver(post_save, sender=Article, dispatch_uid="article_address_moved")
def article_address_kept(sender, instance: Article, raw=False, created=False, **kwargs) -> None:
    """Before article_pages_changed below (receivers run in this order), which moves on the
    state as loaded that tells the slug the article had."""
    if raw:
        return
    old_slug = (getattr(instance, "_page_state", None) or {}).get("slug")
    if created or (old_slug and old_slug != instance.slug):
        article_address_moved(article=instance, old_slug=old_slug)


@receiver(post_save, sender=Article, dispatch_uid="article_pages_changed")
def article_pages_changed(sender, instance: Article, raw=False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_page_state", None)
    keys = page_keys.keys_changed_by_article(instance, before)
    pages_changed(keys)
    related.lists_changed(keys)
    instance._page_state = page_keys.state(instance)
    remember_next_publication()


@receiver(pre_delete, sender=Article, dispatch_uid="article_pages_deleted")
def article_pages_deleted(sender, instance: Article, **kwargs) -> None:
    keys = page_keys.keys_changed_by_removal(instance)  # before its tags are gone
    pages_changed(keys)
    related.lists_changed(keys)


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="article_tags_pages_changed")
def article_tag_pages_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if reverse:  # tag.articles.add(...): instance is the tag, pk_set the articles
        article_ids = pk_set or instance.articles.values_list("pk", flat=True)
        tag_ids = [instance.pk]
    else:
        article_ids = [instance.pk]
        tag_ids = pk_set if action != "pre_clear" else instance.tags.values_list("pk", flat=True)
    keys = page_keys.keys_changed_by_tagging(article_ids=article_ids, tag_ids=tag_ids)
    pages_changed(keys)
    related.lists_changed(keys, article_ids=article_ids)  # they left the lists, or joined them


@receiver(post_save, sender=Author, dispatch_uid="author_pages_changed")
@receiver(post_delete, sender=Author, dispatch_uid="author_pages_deleted")
def author_pages_changed(sender, instance: Author, raw=False, **kwargs) -> None:
    if not raw:
        pages_changed(page_keys.keys_changed_by_author(instance))


@receiver(post_save, sender=Category, dispatch_uid="category_pages_changed")
@receiver(post_delete, sender=Category, dispatch_uid="category_pages_deleted")
def category_pages_changed(sender, raw=False, **kwargs) -> None:
    if not raw:
        pages_changed(page_keys.keys_changed_by_category())


@receiver(post_save, sender=Tag, dispatch_uid="tag_pages_changed")
@receiver(pre_delete, sender=Tag, dispatch_uid="tag_pages_deleted")
def tag_pages_changed(sender, instance: Tag, raw=False, **kwargs) -> None:
    if not raw:
        pages_changed(page_keys.keys_changed_by_tag(instance))


@receiver(pre_delete, sender=Tag, dispatch_uid="tag_related_deleted")
def tag_related_deleted(sender, instance: Tag, **kwargs) -> None:
    related.lists_changed(page_keys.keys_changed_by_tag(instance))  # while it still has articles


@receiver(post_save, sender=FAQItem, dispatch_uid="faq_pages_changed")
@receiver(post_delete, sender=FAQItem, dispatch_uid="faq_pages_deleted")
def faq_pages_changed(sender, instance: FAQItem, raw=False, **kwargs) -> None:
    if not raw:
        pages_changed(page_keys.keys_changed_by_faq(instance))


@receiver(post_save, sender=SitePage, dispatch_uid="site_page_pages_changed")
def site_page_pages_changed(sender, instance: SitePage, raw=False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_page_state", None)
    pages_changed(page_keys.keys_changed_by_site_page(instance, before))
    instance._page_state = page_keys.site_page_state(instance)


@receiver(post_delete, sender=SitePage, dispatch_uid="site_page_pages_deleted")
def site_page_pages_deleted(sender, instance: SitePage, **kwargs) -> None:
    pages_changed(page_keys.keys_changed_by_site_page(instance, None))
