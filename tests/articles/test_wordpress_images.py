"""Featured images of a WordPress export, read from a copy of wp-content/uploads (--media-dir):
the article's own image with its renditions; one that cannot be had is reported with the post
and the address, and the post is imported all the same. Nothing is downloaded."""

from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article

from . import wxr_files as w
from .factories import image_bytes

pytestmark = pytest.mark.django_db
UPLOADS = "https://old.example.com/wp-content/uploads"


def export(*items: str) -> str:
    return w.export(w.author(), w.category("careers", "Careers"), *items)


def attachment(wp_id: str, url: str, alt: str = "A desk by a window") -> str:
    return w.item(
        wp_id,
        "desk",
        post_type="attachment",
        status="inherit",
        attachment_url=url,
        meta={"_wp_attachment_image_alt": alt},
    )


def post(wp_id: str, slug: str, thumbnail: str) -> str:
    return w.item(wp_id, slug.title(), slug=slug, meta={"_thumbnail_id": thumbnail})


@pytest.fixture
def media_dir(tmp_path):
    folder = tmp_path / "uploads"
    (folder / "2020" / "05").mkdir(parents=True)
    (folder / "2020" / "05" / "desk.jpg").write_bytes(image_bytes())
    return folder


def run(tmp_path, text: str, *args: str) -> str:
    out = StringIO()
    call_command("import_wordpress", str(w.write(tmp_path, text)), *args, stdout=out)
    return out.getvalue()


def test_a_featured_image_becomes_the_articles_image_with_renditions(tmp_path, media_dir):
    # The post comes before its attachment, as WordPress exports often have it.
    text = export(post("10", "with-image", "5"), attachment("5", f"{UPLOADS}/2020/05/desk.jpg"))
    output = run(tmp_path, text, "--media-dir", str(media_dir))
    article = Article.objects.get(slug="with-image")
    assert article.featured_image.name.startswith("articles/desk")
    assert article.featured_image_alt == "A desk by a window"
    assert (article.featured_image_width, article.featured_image_height) == (1600, 900)
    assert article.featured_image_renditions["source"] == article.featured_image.name
    assert "image: 1 created" in output
    run(tmp_path, text, "--media-dir", str(media_dir))  # again: the same image, not a second
    assert Article.objects.get(slug="with-image").featured_image.name == article.featured_image.name


def test_a_missing_image_is_reported_and_the_post_imported(tmp_path, media_dir):
    text = export(post("10", "missing", "6"), attachment("6", f"{UPLOADS}/2019/01/gone.jpg"))
    output = run(tmp_path, text, "--media-dir", str(media_dir))
    article = Article.objects.get(slug="missing")
    assert not article.featured_image
    assert (
        f"post 10 “Missing”: featured image: {UPLOADS}/2019/01/gone.jpg is not in the media "
        f"directory (looked for {media_dir}/2019/01/gone.jpg)"
    ) in output


def test_without_a_media_dir_nothing_is_downloaded_and_it_is_said(tmp_path):
    text = export(post("10", "no-media", "5"), attachment("5", f"{UPLOADS}/2020/05/desk.jpg"))
    output = run(tmp_path, text)
    assert not Article.objects.get(slug="no-media").featured_image
    assert "not imported: no --media-dir (nothing is downloaded)" in output


def test_an_attachment_not_in_the_export_is_reported(tmp_path, media_dir):
    output = run(tmp_path, export(post("10", "orphan", "77")), "--media-dir", str(media_dir))
    assert Article.objects.filter(slug="orphan").exists()
    assert "featured image: attachment 77 is not in the export" in output


def test_a_file_that_is_not_an_image_is_reported(tmp_path, media_dir):
    (media_dir / "2020" / "05" / "fake.jpg").write_text("not an image")
    text = export(post("10", "fake", "5"), attachment("5", f"{UPLOADS}/2020/05/fake.jpg"))
    output = run(tmp_path, text, "--media-dir", str(media_dir))
    assert not Article.objects.get(slug="fake").featured_image
    assert "featured image: Upload a real image" in output


def test_an_address_that_leaves_the_media_dir_is_refused(tmp_path, media_dir):
    text = export(post("10", "escape", "5"), attachment("5", f"{UPLOADS}/../../etc/passwd"))
    output = run(tmp_path, text, "--media-dir", str(media_dir))
    assert "leaves the media directory" in output


def test_a_dry_run_writes_no_image(tmp_path, media_dir, settings):
    text = export(post("10", "dry", "5"), attachment("5", f"{UPLOADS}/2020/05/desk.jpg"))
    output = run(tmp_path, text, "--media-dir", str(media_dir), "--dry-run")
    assert "image: 1 created" in output
    assert not (settings.MEDIA_ROOT / "articles").exists()


def body_post(wp_id: str, slug: str, *urls: str) -> str:
    images = "".join(
        f'<p><img src="{url}" alt="Figure {n}" title="t"></p>' for n, url in enumerate(urls)
    )
    return w.item(wp_id, slug.title(), slug=slug, content=f"<p>Intro</p>{images}")


def test_images_in_a_body_are_copied_into_the_sites_storage(tmp_path, media_dir, settings):
    text = export(body_post("10", "body", f"{UPLOADS}/2020/05/desk.jpg", "https://cdn.other/x.png"))
    run(tmp_path, text, "--media-dir", str(media_dir))
    article = Article.objects.get(slug="body")
    assert "![Figure 0](/media/articles/body/2020/05/desk.jpg)" in article.body
    assert '![Figure 1](https://cdn.other/x.png "t")' in article.body  # not an old upload
    assert (settings.MEDIA_ROOT / "articles/body/2020/05/desk.jpg").is_file()
    assert 'src="/media/articles/body/2020/05/desk.jpg"' in article.body_html
    output = run(
        tmp_path,
        export(body_post("10", "body", f"{UPLOADS}/2020/05/desk.jpg")),
        "--media-dir",
        str(media_dir),
    )
    assert len(list((settings.MEDIA_ROOT / "articles/body/2020/05").iterdir())) == 1
    assert "post 10 “Body”: updated: body" in output


def test_a_body_image_that_cannot_be_had_keeps_its_address_and_is_reported(tmp_path, media_dir):
    text = export(body_post("10", "gone", f"{UPLOADS}/2019/01/gone.jpg"))
    output = run(tmp_path, text, "--media-dir", str(media_dir))
    assert f'![Figure 0]({UPLOADS}/2019/01/gone.jpg "t")' in Article.objects.get(slug="gone").body
    assert (
        f"body image {UPLOADS}/2019/01/gone.jpg: {UPLOADS}/2019/01/gone.jpg is not in the media"
        in output
    )
