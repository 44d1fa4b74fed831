from urllib.parse import urlsplit

from django.conf import settings
from django.core.validators import slug_re
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from articles.models import Article
from articles.visitors import client_address

from . import ratelimit
from .attribution import client_hash, is_external, local_path
from .forms import LeadForm
from .middleware import read_attribution
from .services import LeadRequest, current_consent_text, lead_submit

THANK_YOU = "An enrollment coach will contact you within one business day."
RATE_LIMITED = (
    "You have sent several requests in the last hour. Please try again later: "
    "an enrollment coach will answer the requests you have already sent."
)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def live_article(slug: str) -> Article | None:
    # Only a slug is looked up: anything else (a NUL byte, which PostgreSQL refuses) names none.
    if not slug_re.fullmatch(slug):
        return None
    return Article.objects.published().filter(slug=slug).only("pk", "slug").first()


@method_decorator(never_cache, name="dispatch")
class LeadCreateView(FormView):
    """/get-info/: the form's page without JavaScript, and the endpoint the modal posts to."""

    template_name = "leads/lead_form.html"
    form_class = LeadForm

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        kwargs["consent_text"] = current_consent_text()
        kwargs["auto_id"] = "lead_%s"
        return kwargs

    def get_initial(self) -> dict:
        article = live_article(self.request.GET.get("article", "")[:200])
        return {
            "page": self.referring_page() or self.request.path,
            "article": article.slug if article else "",
        }

    def referring_page(self) -> str:
        """The page of this site the visitor came from (the Referer header), or ""."""
        referrer = self.request.META.get("HTTP_REFERER", "")
        try:
            parts = urlsplit(referrer)
        except ValueError:  # a malformed header such as "http://[" names no page
            return ""
        if not referrer or is_external(referrer, self.request.get_host()):
            return ""
        return local_path(parts.path + (f"?{parts.query}" if parts.query else ""))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        client = client_hash(client_address(request))
        if ratelimit.is_limited(client, limit=settings.LEADS_RATE_LIMIT):
            return self.rate_limited()
        self.client = client
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: LeadForm) -> HttpResponse:
        ratelimit.record_hit(self.client)
        if form.looks_automated:
            return self.succeeded()  # bots are answered like people, and nothing is kept
        data = form.cleaned_data
        lead_submit(
            request=LeadRequest(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                program=data["program"],
                country=data["country"],
                career_stage=data["career_stage"],
                message=data["message"],
                consent_text=form.shown_consent_text,
                page=data["page"],
                article=live_article(data["article"]),
            ),
            attribution=read_attribution(self.request),
            client_hash=self.client,
        )
        return self.succeeded()

    def form_invalid(self, form: LeadForm) -> HttpResponse:
        if wants_json(self.request):
            html = render_to_string(
                "leads/includes/lead_form_fragment.html", {"form": form}, request=self.request
            )
            return JsonResponse({"ok": False, "form_html": html}, status=400)
        return super().form_invalid(form)

    def succeeded(self) -> HttpResponse:
        if wants_json(self.request):
            return JsonResponse({"ok": True, "message": THANK_YOU})
        return redirect("leads:thanks")

    def rate_limited(self) -> HttpResponse:
        if wants_json(self.request):
            return JsonResponse({"ok": False, "message": RATE_LIMITED}, status=429)
        response = render(self.request, "leads/rate_limited.html", {"message": RATE_LIMITED})
        response.status_code = 429
        response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
        return response

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(leads_page=True, **kwargs)


class LeadFormFragmentView(LeadCreateView):
    """The form alone, with its CSRF token, for the modal that leads.js opens on any page."""

    template_name = "leads/includes/lead_form_fragment.html"
    http_method_names = ["get"]

    def get_initial(self) -> dict:
        article = live_article(self.request.GET.get("article", "")[:200])
        return {
            "page": local_path(self.request.GET.get("page", "")),
            "article": article.slug if article else "",
        }

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response


class LeadThanksView(TemplateView):
    template_name = "leads/lead_thanks.html"

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            leads_page=True, message=THANK_YOU, home_url=reverse("articles:home"), **kwargs
        )
