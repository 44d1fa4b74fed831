from django.urls import path

from careers_site.page_cache import shared_page as public  # anonymous readers share pages

from . import feeds, views

app_name = "articles"

urlpatterns = [
    path("", public(views.HomeView.as_view()), name="home"),
    path("articles/", public(views.ArticleListView.as_view()), name="list"),
    path("search/", public(views.SearchView.as_view()), name="search"),
    path("articles/<slug:slug>/", public(views.ArticleDetailView.as_view()), name="detail"),
    path("articles/<slug:slug>/view/", views.article_view_beacon, name="view-beacon"),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("feed/", feeds.SiteFeed(), name="feed"),
    path("feed/atom/", feeds.SiteAtomFeed(), name="feed-atom"),
    path("categories/<slug:slug>/", public(views.CategoryDetailView.as_view()), name="category"),
    path("categories/<slug:slug>/feed/", feeds.CategoryFeed(), name="category-feed"),
    path("tags/<slug:slug>/", public(views.TagDetailView.as_view()), name="tag"),
    path("authors/<slug:slug>/", public(views.AuthorDetailView.as_view()), name="author"),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author-feed"),
]
