"""The site's own pages at /<slug>/ (privacy, terms, about, contact). Included last by
careers_site/urls.py, so that a page's slug never hides another app's address."""

from django.urls import path

from careers_site.page_cache import shared_page as public

from . import views

app_name = "pages"

urlpatterns = [
    path("<slug:slug>/", public(views.SitePageView.as_view()), name="detail"),
    path(
        "<slug:slug>/versions/<int:number>/",
        public(views.SitePageVersionView.as_view()),
        name="version",
    ),
]
