from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .forms import ArticleAdminForm
from .models import Article, Author, Category, FAQItem, Tag
from .services import article_publish, article_unpublish


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "role", "user")
    search_fields = ("name", "role")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("user",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class FAQItemInline(admin.StackedInline):
    model = FAQItem
    extra = 0
    fields = ("question", "answer", "position")


class PublicationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (("live", "Live"), ("scheduled", "Scheduled"), ("draft", "Draft"))

    def queryset(self, request, queryset):
        now = timezone.now()
        published = queryset.filter(status=Article.Status.PUBLISHED)
        if self.value() == "live":
            return published.filter(published_at__lte=now)
        if self.value() == "scheduled":
            return published.filter(published_at__gt=now)
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = (
        "title",
        "state",
        "author",
        "category",
        "published_at",
        "view_count",
        "preview_link",
    )
    list_filter = (PublicationStateFilter, "status", "category", "author", "is_featured")
    list_select_related = ("author", "category")
    search_fields = ("title", "dek", "body", "author__name")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("author", "category", "tags")
    inlines = (FAQItemInline,)
    actions = ("publish_selected", "unpublish_selected")
    readonly_fields = (
        "preview_link",
        "reading_time",
        "word_count",
        "view_count",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "dek", "body")}),
        (
            "Publication",
            {"fields": ("status", "published_at", "author", "category", "tags", "is_featured")},
        ),
        (
            "Featured image",
            {
                "fields": (
                    "featured_image",
                    "featured_image_alt",
                    "featured_image_caption",
                    "featured_image_credit",
                )
            },
        ),
        ("Discussion", {"fields": ("comments_enabled",)}),
        ("Search engines", {"classes": ("collapse",), "fields": ("seo_title", "meta_description")}),
        (
            "Figures",
            {
                "fields": (
                    "preview_link",
                    "reading_time",
                    "word_count",
                    "view_count",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    @admin.display(description="state")
    def state(self, article: Article) -> str:
        if article.is_scheduled:
            return "Scheduled"
        return article.get_status_display()

    @admin.display(description="preview")
    def preview_link(self, article: Article) -> str:
        if not article.pk:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview</a>',
            reverse("articles:preview", kwargs={"pk": article.pk}),
        )

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            article_publish(article=article)
        self.message_user(request, f"Published {len(queryset)} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            article_unpublish(article=article)
        self.message_user(request, f"Moved {len(queryset)} article(s) back to draft.")
