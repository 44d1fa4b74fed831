"""`manage.py seed_demo`: the demo reads like a publication, and running it again changes
nothing that is already as it should be."""

import io
from itertools import combinations

import pytest
from django.apps import apps
from django.core.management import call_command
from PIL import Image, ImageChops, ImageStat

from articles.models import Article

pytestmark = pytest.mark.django_db

SEEDED_APPS = {"articles", "comments", "leads"}  # the demo's comments and requests too


def rows() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in SEEDED_APPS
    }


def test_running_it_again_leaves_every_row_and_its_modified_time_alone(
    django_capture_on_commit_callbacks,
):
    call_command("seed_demo")
    before = rows()

    with django_capture_on_commit_callbacks() as callbacks:
        call_command("seed_demo")

    assert rows() == before
    page_drops = [c for c in callbacks if c.__qualname__.startswith("pages_changed")]
    assert not page_drops  # no page of the cache dropped: nothing changed


def test_a_changed_demo_text_is_brought_up_to_date(monkeypatch):
    call_command("seed_demo")
    article = Article.objects.get(slug="building-an-ml-portfolio-that-gets-interviews")
    Article.objects.filter(pk=article.pk).update(title="Old title")

    call_command("seed_demo")

    article.refresh_from_db()
    assert article.title == "Building an ML Portfolio That Actually Gets Interviews"


def thumbnail(article: Article) -> Image.Image:
    with article.featured_image.open("rb") as file:
        return Image.open(io.BytesIO(file.read())).convert("L").resize((64, 36))


def test_the_demo_images_differ_and_their_captions_read_like_a_publication():
    call_command("seed_demo")
    articles = list(Article.objects.all())

    for first, second in combinations(articles, 2):
        if first.featured_image_caption == second.featured_image_caption:
            pytest.fail(f"{first.slug} and {second.slug} share a caption")
    differences = [
        ImageStat.Stat(ImageChops.difference(thumbnail(a), thumbnail(b))).mean[0]
        for a, b in combinations(articles, 2)
    ]
    assert min(differences) > 8  # grey levels of 255: no two images nearly the same
    for article in articles:
        assert "careers_site" not in article.featured_image_caption
        assert "generated" not in article.featured_image_caption.lower()
        assert article.featured_image_credit
        assert not article.featured_image_alt.startswith("An abstract illustration")


def test_no_public_page_of_the_demo_names_the_project(client):
    call_command("seed_demo")
    urls = ["/", "/articles/", *(a.get_absolute_url() for a in Article.objects.published())]
    for url in urls:
        assert "careers_site" not in client.get(url).content.decode(), url
