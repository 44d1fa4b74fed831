"""Uploaded images: checked to be real and bounded, cleaned, and rendered at a few widths.

An upload is opened by Pillow (never trusted by its extension), refused above a size in bytes and
in pixels (a decompression bomb is refused from its header, before it is decoded), turned upright
by its EXIF orientation and saved again without metadata, so no GPS position or camera serial
leaves the server. Renditions in WebP and JPEG feed `srcset`.
"""

import io
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
NOT_AN_IMAGE = "Upload a real image (JPEG, PNG, WebP or GIF); this file is not one."
IMAGE_EXTENSIONS = ("jpg", "jpeg", "jpe", "png", "webp", "gif")


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def check_image_upload(upload) -> None:
    """Raise a ValidationError saying what is wrong with an upload; reads only its header.

    An image's extension that is not its format's (a PNG named .jpg) is no harm: it is encoded
    again and named by its format. Any other extension (.exe, .svg, .html) is refused."""
    extension = PurePosixPath(upload.name or "").suffix.lower().lstrip(".")
    if extension not in IMAGE_EXTENSIONS:
        raise ValidationError(
            "“%(extension)s” is not an image's extension: upload a .jpg, .png, .webp or .gif file.",
            code="invalid_extension",
            params={"extension": extension or "(none)"},
        )
    max_bytes = settings.IMAGE_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            "This file is %(size)s; the largest image accepted is %(limit)s.",
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )
    max_pixels = settings.IMAGE_MAX_PIXELS
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            width, height, image_format = image.width, image.height, image.format
    except Image.DecompressionBombError as error:
        raise ValidationError(
            "This image has far too many pixels; the limit is %(limit)s megapixels.",
            code="too_many_pixels",
            params={"limit": _megapixels(max_pixels)},
        ) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ValidationError(NOT_AN_IMAGE, code="invalid_image") from error
    finally:
        upload.seek(0)
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(NOT_AN_IMAGE, code="invalid_image")
    if width * height > max_pixels:
        raise ValidationError(
            "This image is %(width)s×%(height)s pixels (%(pixels)s megapixels); "
            "the limit is %(limit)s megapixels.",
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "pixels": _megapixels(width * height),
                "limit": _megapixels(max_pixels),
            },
        )


def clean_image_bytes(upload) -> tuple[bytes, str]:
    """Decode the image, apply its EXIF orientation and encode it again without any metadata."""
    upload.seek(0)
    with Image.open(upload) as original:
        image_format = original.format
        image = ImageOps.exif_transpose(original)
        image.load()
    output = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=90, optimize=True)
    elif image_format == "WEBP":
        image.save(output, "WEBP", quality=90)
    elif image_format == "GIF":
        image.save(output, "GIF")
    else:
        image_format = "PNG"
        image.save(output, "PNG", optimize=True)
    return output.getvalue(), image_format


class CheckedImageFormField(forms.ImageField):
    """An ImageField whose upload is bounded, verified and cleaned of metadata before saving."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        check_image_upload(data)
        checked = super().to_python(data)
        if checked is None:
            return None
        try:
            content, image_format = clean_image_bytes(checked)
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            raise ValidationError(NOT_AN_IMAGE, code="invalid_image") from error
        name = PurePosixPath(checked.name).stem or "image"
        suffix = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}[image_format]
        cleaned = SimpleUploadedFile(
            f"{name}.{suffix}", content, content_type=ACCEPTED_FORMATS[image_format]
        )
        return cleaned


class CheckedImageField(models.ImageField):
    """Model field for editor uploads: its form field checks and cleans the image."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})


def build_renditions(field_file, widths=None) -> dict:
    """Render the image at each width (never wider than the original) as WebP and JPEG.

    Returns what templates need for `srcset`: the source's name and size, and one entry a width.
    """
    widths = widths or settings.IMAGE_RENDITION_WIDTHS
    field_file.open("rb")
    try:
        with Image.open(field_file) as original:
            source = ImageOps.exif_transpose(original)
            source.load()
    finally:
        field_file.close()
    if source.mode not in ("RGB", "RGBA"):
        source = source.convert("RGBA" if "transparency" in source.info else "RGB")
    stem = PurePosixPath(field_file.name).stem
    folder = PurePosixPath("renditions") / PurePosixPath(field_file.name).parent
    targets = sorted({w for w in widths if w < source.width} | {min(source.width, max(widths))})
    renditions = []
    try:
        for width in targets:
            height = round(source.height * width / source.width)
            resized = source.resize((width, height), Image.Resampling.LANCZOS)
            entry = {"width": width, "height": height}
            renditions.append(entry)
            for image_format, suffix in (("WEBP", "webp"), ("JPEG", "jpg")):
                buffer = io.BytesIO()
                frame = resized.convert("RGB") if image_format == "JPEG" else resized
                frame.save(buffer, image_format, quality=82)
                entry[suffix] = default_storage.save(
                    str(folder / f"{stem}-{width}w.{suffix}"), ContentFile(buffer.getvalue())
                )
    except Exception:
        delete_renditions({"sizes": renditions})  # nothing half-stored: no rendition left over
        raise
    return {
        "source": field_file.name,
        "width": source.width,
        "height": source.height,
        "sizes": renditions,
    }


def delete_renditions(renditions: dict) -> None:
    for entry in renditions.get("sizes", []):
        for suffix in ("webp", "jpg"):
            if entry.get(suffix):
                default_storage.delete(entry[suffix])


def srcset(renditions: dict) -> dict | None:
    """What a <picture> needs from an image's renditions: WebP and JPEG `srcset`s, the largest
    JPEG as `src`, and its size; None when there are none."""
    entries = (renditions or {}).get("sizes") or []
    if not entries:
        return None
    largest = entries[-1]
    return {
        "webp_srcset": ", ".join(
            f"{default_storage.url(entry['webp'])} {entry['width']}w" for entry in entries
        ),
        "jpeg_srcset": ", ".join(
            f"{default_storage.url(entry['jpg'])} {entry['width']}w" for entry in entries
        ),
        "src": default_storage.url(largest["jpg"]),
        "width": largest["width"],
        "height": largest["height"],
    }
