from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, ListView, TemplateView

from careers_site.page_cache import add_page_keys

from .models import Article, Author, Category, SitePage, SitePageVersion, Tag
from .page_keys import (
    ALL_ARTICLES_KEY,
    SEARCH_KEY,
    article_page_keys,
    card_keys,
    list_key,
    site_page_key,
)
from .roles import articles_visible_to
from .search import clean_query, search_articles
from .selectors import categories_with_counts, moved_article, related_articles
from .services import article_view_record
from .structured_data import article_json_ld, author_json_ld, home_json_ld
from .templatetags.article_tags import views_label
from .visitors import is_countable_view, visitor_key


class PageNumbersMixin:
    """The page links of a long list: the first, the last, and two on each side of this one."""

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is not None:
            context["page_numbers"] = page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            )
        return context


class PublishedArticleMixin:
    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.published().for_cards()


class HomeView(TemplateView):
    template_name = "articles/home.html"
    featured_count = 3
    latest_count = 6

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        published = Article.objects.published().for_cards()
        featured = list(published.filter(is_featured=True)[: self.featured_count])
        context["featured"] = featured
        latest = list(published.exclude(pk__in=[a.pk for a in featured])[: self.latest_count])
        context["latest"] = latest
        context["categories"] = categories_with_counts()
        context["structured_data"] = home_json_ld()
        add_page_keys(self.request, {ALL_ARTICLES_KEY, *card_keys([*featured, *latest])})
        return context


class ArticleListView(PageNumbersMixin, PublishedArticleMixin, ListView):
    model = Article
    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "articles"

    def list_keys(self) -> set[str]:
        return {ALL_ARTICLES_KEY}

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        add_page_keys(self.request, {*self.list_keys(), *card_keys(context["object_list"])})
        return context


class SearchView(PageNumbersMixin, ListView):
    """`/search/?q=`: ranked results, paginated; the query stays in the box."""

    template_name = "articles/search.html"
    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "articles"

    def get_queryset(self) -> QuerySet[Article]:
        self.query = clean_query(self.request.GET.get("q", ""))
        return search_articles(self.query)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(query=self.query, **kwargs)
        add_page_keys(self.request, {SEARCH_KEY, *card_keys(context["object_list"])})
        return context


class FilteredArticleListView(ArticleListView):
    """Articles of one category, tag or author: `subject_model` is looked up by slug."""

    subject_model: type
    subject_field: str
    subject_kind: str  # what articles/page_keys.py calls its list

    def get_subject(self):
        return get_object_or_404(self.subject_model, slug=self.kwargs["slug"])

    def get_queryset(self) -> QuerySet[Article]:
        self.subject = self.get_subject()
        return super().get_queryset().filter(**{self.subject_field: self.subject})

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(subject=self.subject, **kwargs)

    def list_keys(self) -> set[str]:
        return {list_key(self.subject_kind, self.subject.pk)}


class CategoryDetailView(FilteredArticleListView):
    subject_model = Category
    subject_field = "category"
    subject_kind = "category"
    template_name = "articles/category_detail.html"


class TagDetailView(FilteredArticleListView):
    subject_model = Tag
    subject_field = "tags"
    subject_kind = "tag"
    template_name = "articles/tag_detail.html"

    def list_keys(self) -> set[str]:
        return {*super().list_keys(), f"tag-{self.subject.pk}"}


class AuthorDetailView(FilteredArticleListView):
    subject_model = Author
    subject_field = "author"
    subject_kind = "author"
    template_name = "articles/author_detail.html"

    def list_keys(self) -> set[str]:
        return {*super().list_keys(), f"author-{self.subject.pk}"}

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["structured_data"] = author_json_ld(self.subject)
        return context


class ArticleDetailView(DetailView):
    model = Article
    context_object_name = "article"
    is_preview = False

    def get_visible_articles(self) -> QuerySet[Article]:
        return Article.objects.published()

    def get_queryset(self) -> QuerySet[Article]:
        return self.get_visible_articles().for_page()

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved_to = moved_article(self.kwargs.get("slug"))
            if moved_to is None:
                raise
            return HttpResponsePermanentRedirect(moved_to.get_absolute_url())

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        article = self.object
        related = list(related_articles(article))
        context["related_articles"] = related
        context["is_preview"] = self.is_preview
        context["absolute_url"] = settings.SITE_URL + article.get_absolute_url()
        context["structured_data"] = article_json_ld(article)
        add_page_keys(self.request, {*article_page_keys(article), *card_keys(related)})
        return context


@method_decorator(staff_member_required, name="dispatch")
class ArticlePreviewView(ArticleDetailView):
    """Any article, whatever its status, for staff who may see articles in admin."""

    is_preview = True

    def get_visible_articles(self) -> QuerySet[Article]:
        if not self.request.user.has_perm("articles.view_article"):
            raise Http404
        return articles_visible_to(self.request.user, Article.objects.all())

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        return response


class SitePageView(DetailView):
    """A site page (privacy, terms, about, contact) as it reads now."""

    model = SitePage
    context_object_name = "page"
    template_name = "articles/sitepage_detail.html"

    def get_context_data(self, **kwargs) -> dict:
        add_page_keys(self.request, {site_page_key(self.object)})
        return super().get_context_data(version=None, **kwargs)


class SitePageVersionView(SitePageView):
    """One published wording of a site page, as it read then: what a consent pointed at."""

    def get_context_data(self, **kwargs) -> dict:
        version = get_object_or_404(SitePageVersion, page=self.object, number=self.kwargs["number"])
        context = super().get_context_data(**kwargs)
        context["version"] = version
        return context


@csrf_exempt
def article_view_beacon(request: HttpRequest, slug: str) -> HttpResponse:
    """Counts a view, posted by the page's script so that cached pages still count.

    Exempt from the CSRF token because a page served from a shared cache has no per-visitor token;
    instead only same-origin requests are accepted (Sec-Fetch-Site / Origin), and all a forged
    request could do is count one view, once per visitor and day.
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _is_same_origin(request):
        return HttpResponse(status=403)
    article = get_object_or_404(Article.objects.published().only("pk", "view_count"), slug=slug)
    if is_countable_view(request) and article_view_record(
        article_id=article.pk, visitor=visitor_key(request)
    ):
        article.refresh_from_db(fields=["view_count"])
    # The page may come from the shared cache: the script shows the count as it is now.
    response = JsonResponse({"views": article.view_count, "label": views_label(article.view_count)})
    response["Cache-Control"] = "no-store"
    return response


def _is_same_origin(request: HttpRequest) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin == f"{request.scheme}://{request.get_host()}"
