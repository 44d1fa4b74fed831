import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.images import srcset
from articles.structured_data import absolute, featured_image, html_datetime

register = template.Library()


@register.inclusion_tag("includes/responsive_image.html")
def responsive_image(
    renditions: dict, alt: str, sizes: str = "100vw", eager: bool = False, css_class: str = ""
) -> dict:
    """A <picture> with WebP and JPEG `srcset`s from an image's renditions."""
    return {
        "image": srcset(renditions),
        "alt": alt,
        "sizes": sizes,
        "eager": eager,
        "css_class": css_class,
    }


@register.filter
def machine_datetime(value) -> str:
    """A date and time as HTML's `datetime` attribute and Open Graph take it: to the second, in
    the site's time zone (Django's "c" format adds microseconds, which HTML does not allow)."""
    return html_datetime(value) if value else ""


# Below this a count tells a reader nothing (and "3 Views" reads as "nobody reads this"): the
# page shows none, as publications do.
VIEWS_SHOWN_FROM = 100


@register.filter
def views_label(count: int) -> str:
    """ "1,234 Views", or nothing while the count is small."""
    return f"{count:,} Views" if count >= VIEWS_SHOWN_FROM else ""


# The characters that could end a <script> element or start markup are written as \u escapes, so
# the JSON stays valid and a title containing "</script>" cannot break out of it. Every non-ASCII
# character is a \u escape too (json's default).
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(items: list[dict]) -> str:
    blocks = [
        format_html(
            '<script type="application/ld+json">{}</script>',
            mark_safe(json.dumps(item, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)),
        )
        for item in items
    ]
    return mark_safe("\n".join(blocks))


@register.filter
def absolute_url(url: str) -> str:
    return absolute(url)


@register.simple_tag
def social_image(article) -> dict | None:
    return featured_image(article)
