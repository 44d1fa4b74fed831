"""What an import from WordPress keeps: which of the site's rows came from which WordPress item
(so that importing again updates them, never doubles them), and the old addresses of its posts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedItem(models.Model):
    """A row of the site made from a WordPress item, by the item's WordPress id. `fingerprint`
    is a hash of the item as last imported: an item that has not changed since is left alone,
    so edits made on the site after the import survive importing the same file again."""

    class Kind(models.TextChoices):
        AUTHOR = "author", _("Author")
        CATEGORY = "category", _("Category")
        TAG = "tag", _("Tag")
        POST = "post", _("Post (article)")
        PAGE = "page", _("Page (site page)")
        COMMENT = "comment", _("Comment")

    kind = models.CharField(max_length=10, choices=Kind)
    wordpress_id = models.CharField(
        max_length=200, help_text="The post, comment or term id; an author's login."
    )
    object_id = models.PositiveBigIntegerField(help_text="The primary key of the row made.")
    fingerprint = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("kind", "wordpress_id"), name="imported_item_once")
        ]

    def __str__(self) -> str:
        return f"WordPress {self.kind} {self.wordpress_id} → {self.object_id}"


class OldPath(models.Model):
    """An address a post or page had on WordPress (its permalink's path). It answers with a
    permanent redirect to the article's or site page's address now (articles/middleware.py):
    pointing at the row, not at another address, so no chain or loop can form."""

    path = models.CharField(max_length=255, help_text="Starts and ends with a slash.")
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="old_paths",
    )
    site_page = models.ForeignKey(
        "articles.SitePage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="old_paths",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("path",), name="old_path_unique"),
            models.CheckConstraint(
                condition=models.Q(article__isnull=True, site_page__isnull=False)
                | models.Q(article__isnull=False, site_page__isnull=True),
                name="old_path_one_target",
                violation_error_message="An old address leads to an article or a page.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} → {self.article_id or self.site_page_id}"
