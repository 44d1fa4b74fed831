"""Django's `{% cache %}` tag, its fragments kept as ASCII HTML (articles.rendering.ascii_html), so
that the page they are joined into stays a string of one byte per character.

Templates load this library instead of Django's `cache`; the tag's arguments are the same.
"""

from django import template
from django.template.base import NodeList
from django.templatetags.cache import do_cache

from articles.rendering import ascii_html

register = template.Library()


class AsciiNodeList(NodeList):
    def render(self, context):
        return ascii_html(super().render(context))


@register.tag("cache")
def cache(parser, token):
    node = do_cache(parser, token)
    node.nodelist = AsciiNodeList(node.nodelist)
    return node
