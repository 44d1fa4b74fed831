import json

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.timesince import timeuntil

from . import revisions, roles, seo
from .forms import WORKFLOW_ACTIONS, ArticleAdminForm, BodyImageForm
from .models import (
    Article,
    ArticleDraft,
    Author,
    BodyImage,
    Category,
    FAQItem,
    Tag,
    article_link_target,
    body_figure,
)
from .rendering import render_markdown
from .services import (
    article_draft_forget,
    article_draft_keep,
    article_publish,
    article_restore,
    article_send_back,
    article_submit_for_review,
    article_unpublish,
    body_image_upload,
)
from .structured_data import featured_image


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
        return (
            ("live", "Published"),
            ("scheduled", "Scheduled"),
            ("in_review", "In review"),
            ("draft", "Draft"),
        )

    def queryset(self, request, queryset):
        now = timezone.now()
        published = queryset.filter(status=Article.Status.PUBLISHED)
        if self.value() == "live":
            return published.filter(published_at__lte=now)
        if self.value() == "scheduled":
            return published.filter(published_at__gt=now)
        if self.value() in ("draft", "in_review"):
            return queryset.filter(status=self.value())
        return queryset


def workflow_actions(user, article: Article | None) -> list[str]:
    """The workflow buttons `user` may press on `article` (None: one being added)."""
    if article is None or article.pk is None:
        if roles.may_publish(user):
            return ["_publish_now", "_schedule"]
        return ["_submit_for_review"] if user.has_perm("articles.add_article") else []
    if roles.may_publish(user):
        if article.status == Article.Status.PUBLISHED:  # live, or scheduled
            return [*(["_publish_now"] if article.is_scheduled else []), "_schedule", "_unpublish"]
        in_review = article.status == Article.Status.IN_REVIEW
        return ["_publish_now", "_schedule", *(["_send_back"] if in_review else [])]
    return ["_submit_for_review"] if roles.may_submit(user, article) else []


PREVIEW_MAX_CHARACTERS = 500_000
AUTOSAVE_MAX_BYTES = 2_000_000
ARTICLE_LINKS_SHOWN = 10


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = (
        "title",
        "editorial_state",
        "author",
        "category",
        "publication_date",
        "views",
        "preview_link",
    )
    list_filter = (PublicationStateFilter, "category", "author", "is_featured")
    list_select_related = ("author", "category")
    search_fields = ("title", "dek", "body", "author__name")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("author", "category", "tags")
    inlines = (FAQItemInline,)
    actions = ("publish_selected", "unpublish_selected")
    readonly_fields = (
        "editorial_state",
        "publication_time",
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
            {
                "fields": (
                    "editorial_state",
                    "review_note",
                    "publication_time",
                    "published_at",
                    "author",
                    "category",
                    "tags",
                    "is_featured",
                )
            },
        ),
        (
            "Featured image",
            {
                "fields": (
                    "featured_image",
                    "featured_image_alt",
                    "featured_image_caption",
                    "featured_image_credit",
                    "kept_featured_image",
                )
            },
        ),
        ("Discussion", {"fields": ("comments_enabled",)}),
        ("Search engines", {"classes": ("collapse",), "fields": ("seo_title", "meta_description")}),
        (
            "Figures",
            {
                "fields": (
                    "reading_time",
                    "word_count",
                    "view_count",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    class Media:
        css = {"all": ("css/article_admin.css",)}
        js = ("js/article_editor.js",)

    # Writers write; what goes live, when and where on home is the editors' to decide.
    editors_only_fields = ("review_note", "published_at", "is_featured")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return roles.articles_visible_to(request.user, super().get_queryset(request))

    def has_change_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or roles.may_edit(request.user, obj))

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return roles.may_publish(request.user)

    def get_list_filter(self, request: HttpRequest):
        if roles.is_writer_only(request.user):  # they see their own articles only
            return tuple(name for name in self.list_filter if name != "author")
        return self.list_filter

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None):
        fields = super().get_readonly_fields(request, obj)
        if not roles.may_publish(request.user):
            fields = (*fields, *self.editors_only_fields)
        return fields

    def get_autocomplete_fields(self, request: HttpRequest):
        if roles.is_writer_only(request.user):  # a writer writes as their own author only
            return tuple(name for name in self.autocomplete_fields if name != "author")
        return self.autocomplete_fields

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "author" and roles.is_writer_only(request.user):
            kwargs["queryset"] = Author.objects.filter(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        own = Author.objects.filter(user=request.user).first()
        if own is not None:
            initial.setdefault("author", own.pk)
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST":  # the save failed: nothing the editor chose is lost
            context["adminform"].form.keep_chosen_image()
        context["server_draft"] = self._server_draft(request, obj)
        context["workflow_buttons"] = [
            (name, WORKFLOW_ACTIONS[name]) for name in workflow_actions(request.user, obj)
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Every save through the form is a revision (the workflow buttons' too)."""
        with reversion.create_revision():
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        action = form.workflow_action
        # The buttons shown are a courtesy; this is the rule (a writer's forged POST ends here).
        before = Article.objects.get(pk=obj.pk) if change else None
        if action is not None and action not in workflow_actions(request.user, before):
            raise PermissionDenied
        changed = [str(form.fields[name].label or name).lower() for name in form.changed_data]
        if not change:
            reversion.set_comment("Created.")
        else:
            reversion.set_comment(
                f"Changed {', '.join(changed)}." if changed else "Saved, unchanged."
            )
        super().save_model(request, obj, form, change)
        if change:
            article_draft_forget(article=obj, by=request.user)  # what was typed is saved

    # Revisions: History lists them; any two compare side by side; one is restored as a new one.

    def get_urls(self):
        urls = [
            path(
                "body-preview/",
                self.admin_site.admin_view(self.body_preview_view),
                name="articles_article_body_preview",
            ),
            path(
                "article-links/",
                self.admin_site.admin_view(self.article_links_view),
                name="articles_article_links",
            ),
            path(
                "<int:object_id>/autosave/",
                self.admin_site.admin_view(self.autosave_view),
                name="articles_article_autosave",
            ),
            path(
                "<int:object_id>/body-images/",
                self.admin_site.admin_view(self.body_image_view),
                name="articles_article_body_image",
            ),
            path(
                "<int:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<int:object_id>/history/<int:version_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="articles_article_restore",
            ),
        ]
        return urls + super().get_urls()

    def body_preview_view(self, request: HttpRequest) -> HttpResponse:
        """The body as the public page shows it (the site's renderer and sanitiser), for the
        live preview beside the editor (static/js/article_editor.js)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        body = request.POST.get("body", "")
        if len(body) > PREVIEW_MAX_CHARACTERS:
            return JsonResponse({"error": "Too long to preview."}, status=400)
        rendered = render_markdown(body, link_target=article_link_target, figure=body_figure)
        typed = self._typed(request)
        return JsonResponse(
            {
                "html": rendered.html,
                "words": rendered.word_count,
                "seo": seo.seo_report(
                    typed,
                    rendered,
                    share_image=self._share_image(request),
                    missing_images=self._missing_images(body),
                ),
            }
        )

    def article_links_view(self, request: HttpRequest) -> HttpResponse:
        """Published articles whose title has the words typed, for the toolbar's picker of
        `[text](article:slug)` links."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        query = request.GET.get("q", "").strip()[:100]
        articles = Article.objects.published().order_by("title")
        for word in query.split()[:5]:
            articles = articles.filter(title__icontains=word)
        found = articles.values("title", "slug")[:ARTICLE_LINKS_SHOWN]
        return JsonResponse({"articles": [{"title": a["title"], "slug": a["slug"]} for a in found]})

    def _typed(self, request: HttpRequest) -> seo.Typed:
        """What the form holds now: its text fields, and its FAQ items as [question, answer]."""
        try:
            faq = json.loads(request.POST.get("faq") or "[]")
        except ValueError:
            faq = []
        pairs = tuple(
            (str(item[0]), str(item[1]))
            for item in (faq if isinstance(faq, list) else [])
            if isinstance(item, list) and len(item) == 2
        )
        fields = ("title", "seo_title", "dek", "meta_description", "slug")
        return seo.Typed(**{name: request.POST.get(name, "") for name in fields}, faq=pairs)

    def _share_image(self, request: HttpRequest) -> dict | None:
        """The saved article's featured image, which its share card shows (the card's address
        on this site, where the editor's page can show it)."""
        pk = request.POST.get("article", "")
        article = self.get_queryset(request).filter(pk=pk).first() if pk.isdigit() else None
        image = featured_image(article) if article else None
        if image is None:
            return None
        return {**image, "url": image["url"].removeprefix(settings.SITE_URL)}

    def _missing_images(self, body: str) -> list[int]:
        named = seo.body_image_ids(body)
        kept = set(BodyImage.objects.filter(pk__in=named).values_list("pk", flat=True))
        return [image_id for image_id in named if image_id not in kept]

    def body_image_view(self, request: HttpRequest, object_id) -> HttpResponse:
        """POST an image for the body (the editor's Image button, a drop or a paste), with its
        alt text, caption and credit: answers the Markdown that shows it, or what is wrong."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        form = BodyImageForm(request.POST, request.FILES)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        body_image = body_image_upload(article=article, by=request.user, **form.cleaned_data)
        return JsonResponse({"id": body_image.pk, "markdown": body_image.markdown}, status=201)

    def autosave_view(self, request: HttpRequest, object_id) -> HttpResponse:
        """POST: keep the unsaved text the editor sends every so often; DELETE: forget it."""
        if request.method not in ("POST", "DELETE"):
            return HttpResponseNotAllowed(["POST", "DELETE"])
        article = self._article_for(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        if request.method == "DELETE":
            article_draft_forget(article=article, by=request.user)
            return JsonResponse({"kept": False})
        if len(request.body) > AUTOSAVE_MAX_BYTES:
            return JsonResponse({"error": "Too long to keep."}, status=413)
        try:
            values = json.loads(request.body)
        except ValueError:
            values = None
        if not isinstance(values, dict):
            return JsonResponse({"error": "Send the fields as a JSON object."}, status=400)
        draft = article_draft_keep(article=article, by=request.user, values=values)
        return JsonResponse({"kept": True, "savedAt": draft.saved_at.isoformat()})

    def _server_draft(self, request: HttpRequest, article: Article | None) -> dict | None:
        """This user's autosaved text of the article, when it is newer than the article."""
        if article is None or article.pk is None:
            return None
        draft = ArticleDraft.objects.filter(
            article=article, user=request.user, saved_at__gt=article.updated_at
        ).first()
        return draft and {"savedAt": draft.saved_at.isoformat(), "values": draft.values}

    def _article_for(self, request: HttpRequest, object_id) -> Article:
        article = self.get_object(request, str(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise Http404
        return article

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        article = self._article_for(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Revisions of “{article}”",
            "versions": list(revisions.versions_of(article)),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def compare_view(self, request: HttpRequest, object_id) -> HttpResponse:
        article = self._article_for(request, object_id)
        versions = revisions.versions_of(article)
        try:
            chosen = versions.in_bulk([int(request.GET["old"]), int(request.GET["new"])])
            old, new = chosen[int(request.GET["old"])], chosen[int(request.GET["new"])]
        except (KeyError, ValueError):
            messages.error(request, "Choose two revisions of this article to compare.")
            return HttpResponseRedirect(reverse("admin:articles_article_history", args=[object_id]))
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Compare revisions of “{article}”",
            "old": old,
            "new": new,
            "rows": revisions.compare(old, new),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request: HttpRequest, object_id, version_id: int) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        article = self._article_for(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(revisions.versions_of(article), pk=version_id)
        try:
            article_restore(article=article, version=version, by=request.user)
        except ValidationError as error:
            messages.error(request, "Not restored: " + " ".join(error.messages))
            return HttpResponseRedirect(reverse("admin:articles_article_history", args=[object_id]))
        self.message_user(
            request, f"Restored the revision of {revisions.describe(version)}.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        article, user = form.instance, request.user
        match form.workflow_action:
            case "_submit_for_review":
                article_submit_for_review(article=article, by=user)
            case "_send_back":
                article_send_back(article=article, by=user, note=article.review_note)
            case "_publish_now":
                article_publish(article=article, now=True, by=user)
            case "_schedule":
                article_publish(article=article, at=article.published_at, by=user)
            case "_unpublish":
                article_unpublish(article=article, by=user)

    def response_add(self, request, obj, post_url_continue=None) -> HttpResponse:
        workflow = self._workflow_response(request, obj)
        if workflow is not None or "_addanother" in request.POST:
            return workflow or super().response_add(request, obj, post_url_continue)
        # A first save stays on the article, where its Preview now is.
        self.message_user(request, f"“{obj}” is saved as a draft.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))

    def response_change(self, request, obj) -> HttpResponse:
        return self._workflow_response(request, obj) or super().response_change(request, obj)

    def _workflow_response(self, request: HttpRequest, article: Article) -> HttpResponse | None:
        """After a workflow button: say what happened, and stay on the article."""
        if not any(name in request.POST for name in WORKFLOW_ACTIONS):
            return None
        done = {
            Article.Status.DRAFT: "is a draft",
            Article.Status.IN_REVIEW: "waits for an editor's review",
        }.get(article.status)
        if done is None:
            done = "is scheduled" if article.is_scheduled else "is live"
        self.message_user(request, f"“{article}” {done}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def view_on_site(self, article: Article) -> str:
        """A draft, an article in review or a scheduled one opens in the preview."""
        return article.get_absolute_url() if article.is_live else article.get_preview_url()

    @admin.display(description="state")
    def editorial_state(self, article: Article) -> str:
        return article.state_label

    # Short columns, so that the list fits a laptop's window (1366 px) with both sidebars.
    @admin.display(description="date", ordering="published_at")
    def publication_date(self, article: Article) -> str:
        if article.published_at is None:
            return "—"
        return dateformat.format(timezone.localtime(article.published_at), "j M Y")

    @admin.display(description="views", ordering="view_count")
    def views(self, article: Article) -> int:
        return article.view_count

    @admin.display(description="goes live")
    def publication_time(self, article: Article) -> str:
        if article.published_at is None or article.status != Article.Status.PUBLISHED:
            return "Not published yet."
        when = dateformat.format(timezone.localtime(article.published_at), "D j M Y, H:i T")
        if article.is_scheduled:
            return f"{when}, in {timeuntil(article.published_at)}"
        return f"Live since {when}"

    @admin.display(description="preview")
    def preview_link(self, article: Article) -> str:
        if not article.pk:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview</a>',
            reverse("articles:preview", kwargs={"pk": article.pk}),
        )

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            article_publish(article=article, by=request.user)
        self.message_user(request, f"Published {len(queryset)} article(s).", messages.SUCCESS)

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            article_unpublish(article=article, by=request.user)
        self.message_user(request, f"Moved {len(queryset)} article(s) back to draft.")
