from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .images import CheckedImageField, build_renditions, delete_renditions, srcset
from .import_models import ImportedItem, OldPath  # noqa: F401 - the app's models
from .rendering import count_words, reading_minutes, render_markdown
from .site_page_models import SitePage, SitePageVersion  # noqa: F401 - the app's models


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, help_text="Used in the author's page address.")
    role = models.CharField(
        "role or title",
        max_length=160,
        blank=True,
        help_text="Shown under the name, e.g. “Senior ML Engineer”.",
    )
    bio = models.TextField(blank=True, help_text="Plain text, shown in “About the author”.")
    photo = CheckedImageField(
        upload_to="authors/", blank=True, width_field="photo_width", height_field="photo_height"
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        limit_choices_to={"is_staff": True},
        help_text="The staff account that writes as this author, if any.",
    )

    class Meta:
        ordering = ("name",)
        constraints = [models.UniqueConstraint(fields=("slug",), name="author_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


class Category(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True, help_text="Shown at the top of the category page.")
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Categories are listed in the header in this order."
    )

    class Meta:
        ordering = ("position", "name")
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=("slug",), name="category_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60)

    class Meta:
        ordering = ("name",)
        constraints = [models.UniqueConstraint(fields=("slug",), name="tag_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:tag", kwargs={"slug": self.slug})


CARD_LEAVES_OUT = ("body", "body_html", "table_of_contents", "search_vector", "search_rank_vector")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_cards(self):
        """What an article card shows: author and category come in the same query; the body and
        the search vectors, which no card shows, stay in the database."""
        return self.select_related("author", "category").defer(*CARD_LEAVES_OUT)

    def for_page(self):
        """What the article's own page shows: all but the search vectors; its related articles'
        ids come in the same query."""
        return self.select_related("author", "category", "related_list").defer(
            "search_vector", "search_rank_vector"
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")  # scheduled while `published_at` is ahead

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, help_text="The article's address: /articles/this-slug/."
    )
    dek = models.TextField(
        "summary (dek)",
        max_length=400,
        help_text="One or two sentences under the title, in lists and in search results.",
    )
    body = models.TextField(help_text="Markdown. Use ## for sections: they make the contents.")
    featured_image = CheckedImageField(
        upload_to="articles/",
        blank=True,
        width_field="featured_image_width",
        height_field="featured_image_height",
    )
    featured_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_alt = models.CharField(
        "image alt text",
        max_length=250,
        blank=True,
        help_text="Required with an image: what it shows, for readers who cannot see it.",
    )
    featured_image_caption = models.CharField("image caption", max_length=250, blank=True)
    featured_image_credit = models.CharField("image credit", max_length=150, blank=True)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="articles")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publication date",
        null=True,
        blank=True,
        help_text="A date in the future schedules the article: it appears by itself then.",
    )
    review_note = models.TextField(
        "note from the editor",
        blank=True,
        help_text="What the editor asks the writer to change when sending an article back.",
    )
    is_featured = models.BooleanField("featured", default=False, help_text="Shown first on home.")
    comments_enabled = models.BooleanField(default=True)
    seo_title = models.CharField(
        "SEO title", max_length=70, blank=True, help_text="Overrides the title in search results."
    )
    meta_description = models.CharField(
        max_length=160, blank=True, help_text="Overrides the summary in search results."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived on save; never edited by hand.
    body_html = models.TextField(editable=False, default="")
    table_of_contents = models.JSONField(editable=False, default=list)
    word_count = models.PositiveIntegerField(editable=False, default=0)
    reading_time = models.PositiveSmallIntegerField(
        "reading time (minutes)", editable=False, default=1
    )
    featured_image_renditions = models.JSONField(editable=False, default=dict)
    view_count = models.PositiveIntegerField(editable=False, default=0)
    # Full-text search on PostgreSQL (articles.search); GIN-indexed there by a migration.
    search_vector = SearchVectorField(null=True, editable=False)
    # Title, dek and names only: ranking on this small vector is cheap however long the body is.
    search_rank_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ("-published_at", "-pk")
        get_latest_by = "published_at"
        permissions = [
            ("publish_article", "Can review, schedule, publish and unpublish any article"),
        ]
        constraints = [
            models.UniqueConstraint(fields=("slug",), name="article_unique_slug"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_date",
                violation_error_message="A published article needs a publication date.",
            ),
            models.CheckConstraint(
                condition=Q(featured_image="") | ~Q(featured_image_alt=""),
                name="article_image_has_alt",
                violation_error_message="Describe the featured image in its alt text.",
            ),
        ]
        # The lists: all articles, a category's, an author's, the featured ones on home.
        indexes = [
            models.Index(fields=("status", "-published_at"), name="article_listing_idx"),
            models.Index(
                fields=("category", "status", "-published_at"), name="article_category_idx"
            ),
            models.Index(fields=("author", "status", "-published_at"), name="article_author_idx"),
            models.Index(
                fields=("status", "-published_at"),
                condition=Q(is_featured=True),
                name="article_featured_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        rendered = render_markdown(self.body, link_target=article_link_target, figure=body_figure)
        self.body_html = rendered.html
        self.table_of_contents = rendered.toc
        self.word_count = rendered.word_count
        self.reading_time = reading_minutes(rendered.word_count + self.faq_word_count())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                "body_html",
                "table_of_contents",
                "word_count",
                "reading_time",
            }
        super().save(*args, **kwargs)
        self.sync_image_renditions()

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def get_preview_url(self) -> str:
        return reverse("articles:preview", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values):
        """As loaded, with what its card and lists show kept aside: a save then drops only the
        pages that show what changed (articles/page_keys.py)."""
        from .page_keys import state

        article = super().from_db(db, field_names, values)
        article._page_state = state(article)
        return article

    @cached_property
    def tag_list(self) -> list["Tag"]:
        """The tags, read once per instance (from a prefetch if there was one)."""
        return list(self.tags.all())

    @cached_property
    def faq_list(self) -> list["FAQItem"]:
        return list(self.faqs.all())

    @property
    def is_live(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def state_label(self) -> str:
        """The editorial state: Draft, In review, Scheduled or Published."""
        return "Scheduled" if self.is_scheduled else self.get_status_display()

    @property
    def was_updated(self) -> bool:
        """True when the last edit fell on a later day than publication (shown as "Updated")."""
        if not self.published_at or not self.updated_at:
            return False
        return timezone.localdate(self.updated_at) > timezone.localdate(self.published_at)

    @property
    def page_title(self) -> str:
        return self.seo_title or self.title

    @property
    def description(self) -> str:
        return self.meta_description or self.dek

    def faq_word_count(self) -> int:
        if not self.pk:
            return 0
        return sum(
            count_words(f"{question} {answer}")
            for question, answer in self.faqs.values_list("question", "answer")
        )

    def sync_image_renditions(self) -> None:
        """Render the featured image's sizes once its file is in storage, when it has changed."""
        source = self.featured_image.name if self.featured_image else ""
        if self.featured_image_renditions.get("source", "") == source:
            return
        delete_renditions(self.featured_image_renditions)
        self.featured_image_renditions = build_renditions(self.featured_image) if source else {}
        Article.objects.filter(pk=self.pk).update(
            featured_image_renditions=self.featured_image_renditions
        )

    def update_reading_time(self) -> None:
        """Recount after FAQ items change, in one UPDATE that leaves `updated_at` alone."""
        minutes = reading_minutes(self.word_count + self.faq_word_count())
        Article.objects.filter(pk=self.pk).update(reading_time=minutes)
        self.reading_time = minutes


class OldSlug(models.Model):
    """An address an article had before its slug changed. It answers with a permanent redirect
    to the article's address now: pointing at the article, not at another address, no chain or
    loop can form; an article taking the address frees it."""

    slug = models.SlugField(max_length=200)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("slug",), name="old_slug_unique")]

    def __str__(self) -> str:
        return f"{self.slug} → {self.article_id}"


class ArticleDraft(models.Model):
    """What one staff member typed in an article's form and has not saved, sent by the editor
    every so often (static/js/article_editor.js): offered back when they open the article again,
    from any browser. Saving the article forgets it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    values = models.JSONField(default=dict)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("article", "user"), name="article_draft_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} by {self.user_id} @ {self.saved_at:%Y-%m-%d %H:%M}"


class BodyImage(models.Model):
    """An image uploaded into an article's body from the editor (static/js/article_editor.js),
    kept with its renditions. The body names it `![alt text](image:ID "Caption")`: alt text and
    caption are the body's (they change with it, in its revisions); the credit is the image's."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="body_images")
    image = CheckedImageField(
        upload_to="articles/body/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt = models.CharField(
        "alt text",
        max_length=250,
        help_text="What the image shows, for readers who cannot see it.",
    )
    caption = models.CharField(max_length=250, blank=True)
    credit = models.CharField(
        max_length=150, blank=True, help_text="Who made the image, e.g. “Photo: Ada Lovelace”."
    )
    renditions = models.JSONField(editable=False, default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-uploaded_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=~Q(alt=""),
                name="body_image_has_alt",
                violation_error_message="Describe the image in its alt text.",
            ),
        ]

    def __str__(self) -> str:
        return self.alt

    @property
    def markdown(self) -> str:
        """What the editor inserts into the body for this image."""
        alt = " ".join(self.alt.split())
        alt = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        caption = " ".join(self.caption.split()).replace('"', "”")
        return f'![{alt}](image:{self.pk} "{caption}")' if caption else f"![{alt}](image:{self.pk})"


BODY_IMAGE_SIZES = "(min-width: 800px) 736px, 100vw"  # the article's column: 46rem


def body_figure(image_id: int, alt: str, caption: str) -> str | None:
    """The <figure> of an uploaded image in a body (its renditions in `srcset`, lazy loading),
    None when no image has the id."""
    image = BodyImage.objects.filter(pk=image_id).only("renditions", "credit").first()
    if image is None or not image.renditions.get("sizes"):
        return None
    context = {
        "image": srcset(image.renditions),
        "alt": alt,
        "caption": caption,
        "credit": image.credit,
        "sizes": BODY_IMAGE_SIZES,
    }
    return render_to_string("includes/body_figure.html", context).strip()


def article_link_target(slug: str) -> str | None:
    """Where `[text](article:slug)` in a body leads: the article's address now, also when the
    slug is one it had before; None when no article has it."""
    current = Article.objects.filter(slug=slug).values_list("slug", flat=True).first()
    if current is None:
        current = OldSlug.objects.filter(slug=slug).values_list("article__slug", flat=True).first()
    return reverse("articles:detail", kwargs={"slug": current}) if current else None


class FAQItem(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Plain text; blank lines start new paragraphs.")
    position = models.PositiveSmallIntegerField("order", default=0)

    class Meta:
        ordering = ("position", "pk")
        verbose_name = "FAQ item"

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.article.update_reading_time()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.article.update_reading_time()
        return result


class RelatedList(models.Model):
    """The articles shown under an article as related, ranked again whenever a list it is ranked
    from changes (articles/related.py), so that its page does not rank them for every reader."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="related_list"
    )
    article_ids = models.JSONField(default=list, editable=False)
    ranked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Related to article {self.article_id}: {self.article_ids}"


class ArticleView(models.Model):
    """Who has been counted for an article in the last 24 hours, by a keyed hash: never an IP."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    visitor = models.CharField(max_length=64)
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("article", "visitor"), name="article_view_once")
        ]
        indexes = [models.Index(fields=("counted_at",), name="article_view_counted_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.counted_at:%Y-%m-%d %H:%M}"
