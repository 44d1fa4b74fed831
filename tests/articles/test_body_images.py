"""Images in the body: uploaded from the editor to an admin endpoint (per role), checked, kept
with their renditions, inserted as `![alt](image:ID "caption")` and shown as a <figure>."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles.models import BodyImage, body_figure
from articles.rendering import render_markdown

from .factories import ArticleFactory, image_bytes, staff_member
from .test_images import decompression_bomb, jpeg_with_exif
from .test_workflow import logged_in

pytestmark = pytest.mark.django_db


def upload_url(article) -> str:
    return reverse("admin:articles_article_body_image", args=[article.pk])


def photo(content: bytes | None = None, name: str = "desk.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content or image_bytes((1600, 900)), content_type=content_type)


def post_image(client, article, **fields):
    data = {"image": photo(), "alt": "A desk by a window", "caption": "", "credit": "", **fields}
    return client.post(upload_url(article), data)


def stored_files() -> list[str]:
    found = []

    def walk(folder: str) -> None:
        folders, files = default_storage.listdir(folder)
        found.extend(f"{folder}/{name}".lstrip("/") for name in files)
        for name in folders:
            walk(f"{folder}/{name}".lstrip("/"))

    if default_storage.exists(""):
        walk("")
    return found


@pytest.mark.parametrize(
    "role, whose, status, answer",
    [
        ("anonymous", "own", "draft", 302),
        ("staff_without_group", "own", "draft", 404),  # may not see articles at all
        ("writer", "own", "draft", 201),
        ("writer", "own", "in_review", 403),
        ("writer", "other", "draft", 404),  # not even listed to them
        ("editor", "other", "draft", 201),
        ("editor", "other", "published", 201),
    ],
)
def test_who_may_upload_an_image_into_a_body(django_user_model, role, whose, status, answer):
    writer = staff_member("Writers", "wendy")
    users = {
        "staff_without_group": lambda: django_user_model.objects.create_user(
            "plain", is_staff=True
        ),
        "writer": lambda: writer,
        "editor": lambda: staff_member("Editors", "edith"),
    }
    author = writer.author_profile if whose == "own" else None
    article = ArticleFactory(status=status, **({"author": author} if author else {}))
    client = logged_in(users[role]()) if role in users else Client()
    assert post_image(client, article).status_code == answer
    assert BodyImage.objects.count() == (1 if answer == 201 else 0)


def test_an_upload_needs_the_csrf_token_and_a_post():
    writer = staff_member("Writers", "wendy")
    article = ArticleFactory(draft=True, author=writer.author_profile)
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    assert post_image(client, article).status_code == 403
    assert logged_in(writer).get(upload_url(article)).status_code == 405
    assert not BodyImage.objects.exists()


def test_an_uploaded_image_is_kept_cleaned_with_renditions_and_answers_its_markdown():
    editor = staff_member("Editors", "edith")
    article = ArticleFactory()
    answer = post_image(
        logged_in(editor),
        article,
        image=photo(jpeg_with_exif(size=(1600, 900))),
        alt="A desk [with] a lamp",
        caption='The "quiet" corner',
        credit="Photo: Ada",
    )
    assert answer.status_code == 201
    image = BodyImage.objects.get()
    assert answer.json() == {
        "id": image.pk,
        "markdown": f'![A desk \\[with\\] a lamp](image:{image.pk} "The ”quiet” corner")',
    }
    assert (image.article, image.uploaded_by, image.credit) == (article, editor, "Photo: Ada")
    assert (image.width, image.height) == (900, 1600)  # turned upright by its EXIF orientation
    with default_storage.open(image.image.name) as stored, Image.open(stored) as kept:
        assert not kept.getexif()  # no GPS position, no camera
    widths = [entry["width"] for entry in image.renditions["sizes"]]
    assert widths == [480, 800, 900]
    for entry in image.renditions["sizes"]:
        assert default_storage.exists(entry["webp"]) and default_storage.exists(entry["jpg"])


def _bomb():
    return photo(decompression_bomb(), "bomb.png", "image/png")


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"image": photo(b"%PDF-1.4 not an image", "cv.pdf")}, "image", "“pdf” is not"),
        ({"image": photo(b"GIF89a but not really", "fake.gif")}, "image", "real image"),
        ({"image": photo(image_bytes((40, 40), "PNG"), "x.exe")}, "image", "“exe” is not"),
        ({"image": _bomb()}, "image", "far too many pixels"),
        ({"image": ""}, "image", "Choose an image to upload."),
        ({"alt": "  "}, "alt", "Describe the image for readers who cannot see it"),
    ],
    ids=["pdf", "not-an-image", "wrong-extension", "decompression-bomb", "no-file", "no-alt"],
)
def test_a_bad_upload_gets_a_clear_message_at_its_field_and_nothing_is_stored(
    fields, field, message
):
    article = ArticleFactory()
    answer = post_image(logged_in(staff_member("Editors", "edith")), article, **fields)
    assert answer.status_code == 400
    assert message in " ".join(error["message"] for error in answer.json()["errors"][field])
    assert not BodyImage.objects.exists()
    assert stored_files() == []


def test_an_image_too_large_in_bytes_is_refused(settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1000
    answer = post_image(logged_in(staff_member("Editors", "edith")), ArticleFactory())
    assert answer.status_code == 400
    assert "the largest image accepted is" in answer.json()["errors"]["image"][0]["message"]
    assert stored_files() == []


class DiskFillsUp:
    """The media storage, which fails after a few renditions are stored."""

    def __init__(self, after: int):
        self.after, self.saved = after, []

    def save(self, name, content, *args, **kwargs):
        if len(self.saved) == self.after:
            raise OSError("No space left on device")
        self.saved.append(default_storage.save(name, content, *args, **kwargs))
        return self.saved[-1]

    def __getattr__(self, name):
        return getattr(default_storage, name)


def test_a_failure_while_rendering_leaves_no_row_no_file_no_rendition(monkeypatch):
    from articles import images

    storage = DiskFillsUp(after=3)
    monkeypatch.setattr(images, "default_storage", storage)
    client = logged_in(staff_member("Editors", "edith"))
    client.raise_request_exception = False
    answer = post_image(client, ArticleFactory())
    assert answer.status_code == 500
    assert len(storage.saved) == 3  # the upload and three renditions were stored, then taken away
    assert not BodyImage.objects.exists()
    assert stored_files() == []


def body_image(**fields) -> BodyImage:
    client = logged_in(staff_member("Editors", "edith"))
    article = fields.pop("article", None) or ArticleFactory()
    post_image(client, article, **fields)
    return BodyImage.objects.get()


def test_the_body_shows_an_uploaded_image_as_a_figure_with_srcset_and_lazy_loading():
    image = body_image(credit="Photo: <b>Ada</b>")
    article = ArticleFactory(body=f'Intro.\n\n![A desk](image:{image.pk} "The corner")\n\nMore.')
    html = article.body_html
    figure = html.split("<figure", 1)[1].split("</figure>", 1)[0]
    assert "<p><figure" not in html  # alone in its paragraph, the figure takes its place
    assert 'type="image/webp"' in figure and "480w" in figure and "1200w" in figure
    assert 'alt="A desk"' in figure
    assert 'loading="lazy"' in figure and 'decoding="async"' in figure
    assert 'sizes="(min-width: 800px) 736px, 100vw"' in figure
    assert 'width="1200" height="675"' in figure
    assert (
        "<figcaption>The corner "
        '<span class="credit">Photo: &lt;b&gt;Ada&lt;/b&gt;</span></figcaption>' in figure
    )
    assert "image:" not in html


FIGURE_ATTRIBUTES = {"class", "type", "src", "srcset", "sizes", "width", "height", "alt", "loading",
                     "decoding"}  # fmt: skip


class TagsAndAttributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attributes = []

    def handle_starttag(self, tag, attrs):
        self.attributes.extend(attrs)


def test_a_writer_cannot_inject_attributes_through_an_image():
    image = body_image()
    source = (
        f'![x" onerror="alert(1)](image:{image.pk} "a\\" onload=\\"alert(2)")\n\n'
        f'<img src="image:{image.pk}" onerror="alert(3)" alt="y" srcset="https://evil/x.jpg 1w">'
    )
    html = render_markdown(source, figure=body_figure).html
    tags = TagsAndAttributes()
    tags.feed(html)
    assert html.count("<figure") == 2
    assert {name for name, _ in tags.attributes} <= FIGURE_ATTRIBUTES
    assert ("alt", 'x" onerror="alert(1)') in tags.attributes  # text, inside its attribute
    assert all("evil" not in value for _, value in tags.attributes)


def test_an_image_that_no_longer_exists_shows_nothing():
    article = ArticleFactory(body="Before.\n\n![gone](image:999999)\n\nAfter.")
    assert "<img" not in article.body_html and "Before." in article.body_html


def test_the_live_preview_shows_the_figure():
    image = body_image()
    answer = logged_in(staff_member("Writers", "wendy")).post(
        reverse("admin:articles_article_body_preview"),
        {"body": f"![A desk](image:{image.pk})"},
    )
    assert '<figure class="body-figure">' in answer.json()["html"]
    assert 'srcset="/media/renditions/articles/body/' in answer.json()["html"]


def test_the_change_form_names_the_upload_endpoint_only_to_who_may_edit():
    writer = staff_member("Writers", "wendy")
    article = ArticleFactory(draft=True, author=writer.author_profile)
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert f'data-body-image-url="{upload_url(article)}"' in logged_in(writer).get(change).text
    add_page = logged_in(writer).get(reverse("admin:articles_article_add")).text
    assert "data-body-image-url" not in add_page


def test_the_admin_csp_allows_the_dialog_s_thumbnail():
    """The dialog shows the chosen image as a data: address (the CSP allows no blob: ones)."""
    page = logged_in(staff_member("Editors", "edith")).get(
        reverse("admin:articles_article_change", args=[ArticleFactory().pk])
    )
    assert "data:" in page["Content-Security-Policy"].split("img-src", 1)[1].split(";", 1)[0]


def test_a_feed_entry_carries_the_body_image_with_absolute_addresses(client, settings):
    image = body_image()
    ArticleFactory(body=f"![A desk](image:{image.pk})")
    entry = client.get(reverse("articles:feed")).content.decode()
    srcsets = re.findall(r'srcset="([^"]*)"', entry)
    assert len(srcsets) == 2  # WebP and JPEG
    for srcset in srcsets:
        assert all(
            url.strip().startswith(settings.SITE_URL + "/media/") for url in srcset.split(",")
        )


def test_saving_the_form_unchanged_keeps_the_body_s_figure():
    from .test_workflow import form_data

    writer = staff_member("Writers", "wendy")
    article = ArticleFactory(draft=True, author=writer.author_profile)
    post_image(logged_in(writer), article)
    image = BodyImage.objects.get()
    article.body = f"Intro.\n\n{image.markdown}"
    article.save()
    before = article.body_html
    change = reverse("admin:articles_article_change", args=[article.pk])
    answer = logged_in(writer).post(change, form_data(article, _save="Save"))
    assert answer.status_code == 302
    article.refresh_from_db()
    assert article.body_html == before and "<figure" in before
    assert BodyImage.objects.get() == image


def test_a_text_rendered_without_figures_shows_no_broken_image_for_image_addresses():
    """Site pages render their Markdown without the article's uploaded images."""
    html = render_markdown(
        "Text.\n\n![An image](image:1)\n\n![Web](https://example.org/a.png)"
    ).html
    assert "image:" not in html
    assert '<img alt="Web" src="https://example.org/a.png">' in html
