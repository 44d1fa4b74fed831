"""Template tags with which the article page shows the discussion under it."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_section(context, article) -> str:
    return ""


@register.simple_tag
def comment_count_link(article) -> str:
    return ""
