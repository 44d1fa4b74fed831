"""Template tags for the information-request calls to action."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def lead_call_to_action(context, article=None) -> str:
    return ""


@register.simple_tag(takes_context=True)
def lead_header_button(context) -> str:
    return ""


@register.simple_tag(takes_context=True)
def lead_modal(context) -> str:
    return ""
