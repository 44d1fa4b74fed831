"""The site's own pages (privacy policy, terms, about, contact), kept apart from the articles'
models, which the editors' desk changes; articles.models imports them, so they are the app's."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import resolve, reverse
from django.utils import timezone

from .rendering import render_markdown

PRIVACY_SLUG = "privacy"  # the consent and the comment form link to the page at /privacy/


class SitePageQuerySet(models.QuerySet):
    def in_footer(self):
        return self.filter(in_footer=True).order_by("position", "title")


class SitePage(models.Model):
    """A page of the site itself (privacy policy, terms, about, contact) at /<slug>/. Every change
    of its text is kept as a numbered version, so a consent can point at the wording it meant."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=60, help_text="The page's address: /this-slug/. Change it only with care."
    )
    summary = models.CharField(
        max_length=160, blank=True, help_text="Shown in search results (meta description)."
    )
    body = models.TextField(help_text="Markdown, as in articles. Use ## for sections.")
    in_footer = models.BooleanField("linked from the footer", default=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Footer links are listed in this order."
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Derived on save; never edited by hand.
    body_html = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(
        editable=False, default=0, help_text="Goes up by one each time the text changes."
    )

    objects = SitePageQuerySet.as_manager()

    class Meta:
        ordering = ("position", "title")
        verbose_name = "site page"
        constraints = [models.UniqueConstraint(fields=("slug",), name="site_page_unique_slug")]

    def __str__(self) -> str:
        return self.title

    @transaction.atomic
    def save(self, *args, **kwargs) -> None:
        self.body_html = render_markdown(self.body).html
        latest = self.versions.first() if self.pk else None
        text_changed = latest is None or (latest.title, latest.body) != (self.title, self.body)
        if text_changed:
            self.version = (latest.number if latest else 0) + 1
        super().save(*args, **kwargs)
        if text_changed:
            SitePageVersion.objects.create(
                page=self,
                number=self.version,
                title=self.title,
                body=self.body,
                body_html=self.body_html,
            )

    def get_absolute_url(self) -> str:
        return reverse("pages:detail", kwargs={"slug": self.slug})

    def get_version_url(self) -> str:
        """The address of the current wording, which stays the same after later changes."""
        return reverse("pages:version", kwargs={"slug": self.slug, "number": self.version})

    @classmethod
    def from_db(cls, db, field_names, values):
        """As loaded, with its footer link kept aside: a save drops every page only when the
        link changed (articles/page_keys.py)."""
        from .page_keys import site_page_state

        page = super().from_db(db, field_names, values)
        page._page_state = site_page_state(page)
        return page

    def clean(self) -> None:
        # /search/, /articles/, /get-info/...: an address another page already has would hide it.
        if self.slug and resolve(f"/{self.slug}/").view_name != "pages:detail":
            raise ValidationError({"slug": f"/{self.slug}/ is already another page's address."})


class SitePageVersion(models.Model):
    """One wording of a site page, as it was published; never edited."""

    page = models.ForeignKey(SitePage, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    body = models.TextField()
    body_html = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-number",)
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=("page", "number"), name="site_page_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title}, version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("pages:version", kwargs={"slug": self.page.slug, "number": self.number})
