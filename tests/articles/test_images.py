import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.images import CheckedImageFormField

from .factories import ArticleFactory, image_bytes

pytestmark = pytest.mark.django_db


def upload(content: bytes, name: str = "photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def decompression_bomb(width=20_000, height=20_000) -> bytes:
    """A real bomb: a few hundred kilobytes of PNG that decode to 400 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def errors_for(content: bytes, name="photo.jpg") -> list[str]:
    field = CheckedImageFormField()
    try:
        field.clean(upload(content, name))
    except ValidationError as error:
        return list(error.messages)
    return []


def test_decompression_bomb_gets_a_form_error_not_a_crash():
    bomb = decompression_bomb()
    assert len(bomb) < 1_000_000
    messages = errors_for(bomb, "bomb.png")
    assert messages and "megapixels" in messages[0]


def test_image_over_the_pixel_limit_names_its_size(settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    messages = errors_for(image_bytes(size=(2000, 1000)))
    assert messages == ["This image is 2000×1000 pixels (2 megapixels); the limit is 1 megapixels."]


def test_a_non_image_with_an_image_extension_is_refused():
    messages = errors_for(b"%PDF-1.4 this is not a picture at all", "cv.jpg")
    assert messages == ["Upload a real image (JPEG, PNG, WebP or GIF); this file is not one."]


def test_a_truncated_image_is_refused():
    messages = errors_for(image_bytes()[:200])
    assert messages


def test_a_file_over_the_byte_limit_is_refused(settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1024
    messages = errors_for(image_bytes(size=(400, 400), image_format="PNG"), "big.png")
    assert messages and "largest image accepted is 1.0\xa0KB" in messages[0]


def jpeg_with_exif(size=(300, 100), orientation=6) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # GPS
    exif[0x010F] = "Camera maker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_upload_is_turned_upright_and_stripped_of_metadata():
    original = jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get(0x0112) == 6
    cleaned = CheckedImageFormField().clean(upload(original))
    with Image.open(cleaned) as after:
        assert after.size == (100, 300)
        assert not after.getexif()
        assert "exif" not in after.info


def test_renditions_are_webp_and_jpeg_at_widths_no_wider_than_the_source():
    article = ArticleFactory(
        featured_image=ContentFile(image_bytes(size=(1000, 500)), name="wide.jpg"),
        featured_image_alt="A wide chart",
    )
    renditions = article.featured_image_renditions
    assert renditions["source"] == article.featured_image.name
    assert [entry["width"] for entry in renditions["sizes"]] == [480, 800, 1000]
    assert [entry["height"] for entry in renditions["sizes"]] == [240, 400, 500]
    for entry in renditions["sizes"]:
        with default_storage.open(entry["webp"]) as webp, Image.open(webp) as image:
            assert (image.format, image.width) == ("WEBP", entry["width"])
        with default_storage.open(entry["jpg"]) as jpg, Image.open(jpg) as image:
            assert (image.format, image.width) == ("JPEG", entry["width"])


def test_renditions_follow_a_new_image_and_old_ones_are_deleted():
    article = ArticleFactory(with_image=True)
    old = article.featured_image_renditions["sizes"][0]["webp"]
    article.featured_image = ContentFile(image_bytes(size=(600, 600)), name="square.jpg")
    article.save()
    assert not default_storage.exists(old)
    assert [entry["width"] for entry in article.featured_image_renditions["sizes"]] == [480, 600]


def test_article_page_uses_srcset_sizes_and_dimensions(client):
    article = ArticleFactory(with_image=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'type="image/webp"' in html
    assert "-480w.webp 480w" in html
    assert "-1200w.jpg 1200w" in html
    assert 'width="1200" height="675"' in html
    assert 'sizes="(min-width: 1200px) 1140px, 100vw"' in html
    assert 'alt="A chart of machine learning job postings"' in html


def test_cards_below_the_fold_load_lazily(client):
    for _ in range(3):
        ArticleFactory(with_image=True)
    html = client.get("/articles/").content.decode()
    assert html.count('fetchpriority="high"') == 1
    assert html.count('loading="lazy"') == 2
