"""Template tags for the information-request calls to action: header button, CTA box and modal.

Without JavaScript every button is a link to /get-info/; leads.js turns them into openers of the
modal, whose form posts to the same endpoint.
"""

import functools

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

register = template.Library()

ASSETS_FLAG = "leads_stylesheet_loaded"


def _claim_stylesheet(context) -> bool:
    """True for the first of the tags on a page: it emits the stylesheet, the others do not."""
    load_css = not context.render_context.get(ASSETS_FLAG)
    context.render_context[ASSETS_FLAG] = True
    return load_css


def _render(context, template_name: str, extra: dict) -> SafeString:
    load_css = _claim_stylesheet(context)
    # No request: these templates need no context processors, and running them all again for
    # each button costs more than the button itself.
    html = render_to_string(
        template_name,
        {"load_css": load_css, "on_form_page": bool(context.get("leads_page")), **extra},
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escapes


def _page_article(context, article=None) -> Article | None:
    article = article if article is not None else context.get("article")
    if isinstance(article, Article) and article.is_live:
        return article
    return None


@register.simple_tag(takes_context=True)
def lead_call_to_action(context, article=None) -> str:
    return _render(
        context, "leads/includes/call_to_action.html", {"article": _page_article(context, article)}
    )


@register.simple_tag(takes_context=True)
def lead_header_button(context) -> str:
    return _header_button(_claim_stylesheet(context), bool(context.get("leads_page")))


@functools.cache
def _header_button(load_css: bool, on_form_page: bool) -> SafeString:
    """On every page, and the same on each (addresses and text only): rendered once per process
    for each of its four forms."""
    html = render_to_string(
        "leads/includes/header_button.html", {"load_css": load_css, "on_form_page": on_form_page}
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escapes


@register.simple_tag(takes_context=True)
def lead_modal(context) -> str:
    """The dialog, without its form: leads.js loads the form when a reader first reaches for a
    button, so article pages stay free of queries, tokens and cookies for the form."""
    if context.get("leads_page"):
        return ""  # /get-info/ is the form itself
    article = _page_article(context)
    return _render(context, "leads/includes/modal.html", {"article": article})
