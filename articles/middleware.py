from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from .old_addresses import old_address_target, query_target


class OldAddressMiddleware:
    """Addresses of the WordPress site moved in (articles/old_addresses.py) answer a permanent
    redirect: `/?p=ID` before the home page answers it, the others only when nothing here has
    the address (a 404), so they never hide a page of the site."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            target = query_target(request.path, request.GET) if request.GET else None
        except (OperationalError, InterfaceError):  # the page answers as it can without it
            target = None
        if target:
            return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code == 404:
            try:
                target = old_address_target(request.path)
            except (OperationalError, InterfaceError):  # the 404 stands
                target = None
            if target and target != request.path:
                return HttpResponsePermanentRedirect(target)
        return response
