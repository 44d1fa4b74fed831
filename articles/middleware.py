from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .publication import publish_due_articles


class ScheduledPublicationMiddleware:
    """Before any page is served: the pages that list a scheduled article that has gone live are
    dropped, so it appears everywhere on time (articles/publication.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        publish_due_articles()
        return self.get_response(request)
