from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from comments.models import Discussion


def stored_parts(request: HttpRequest, slug: str) -> HttpResponse:
    """The article's body and comment threads as stored, in one query, without a template."""
    body, threads = get_object_or_404(
        Discussion.objects.filter(article__slug=slug).values_list(
            "article__body_html", "threads_html"
        )
    )
    return HttpResponse(body + threads)


urlpatterns = [path("articles/<slug:slug>/", stored_parts, name="stored-parts")]
