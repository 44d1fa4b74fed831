from django import template
from django.core.files.storage import default_storage

register = template.Library()


@register.inclusion_tag("includes/responsive_image.html")
def responsive_image(
    renditions: dict, alt: str, sizes: str = "100vw", eager: bool = False, css_class: str = ""
) -> dict:
    """A <picture> with WebP and JPEG `srcset`s from an image's renditions."""
    entries = (renditions or {}).get("sizes") or []
    if not entries:
        return {"image": None}
    largest = entries[-1]
    return {
        "image": {
            "webp_srcset": ", ".join(
                f"{default_storage.url(entry['webp'])} {entry['width']}w" for entry in entries
            ),
            "jpeg_srcset": ", ".join(
                f"{default_storage.url(entry['jpg'])} {entry['width']}w" for entry in entries
            ),
            "src": default_storage.url(largest["jpg"]),
            "width": largest["width"],
            "height": largest["height"],
        },
        "alt": alt,
        "sizes": sizes,
        "eager": eager,
        "css_class": css_class,
    }


@register.filter
def views_label(count: int) -> str:
    return f"{count:,} View" if count == 1 else f"{count:,} Views"
