from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("articles/<slug:slug>/view/", views.article_view_beacon, name="view-beacon"),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("categories/<slug:slug>/", views.CategoryDetailView.as_view(), name="category"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author"),
]
