"""Publishing does what an editor means: "Publish now" is now, a schedule says its time zone and
the time left, Preview is at the top from the first save, "View on site" of an article not yet
live opens its preview, and a save that fails keeps the chosen featured image."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from articles.models import Article

from .factories import ArticleFactory, CategoryFactory, image_bytes, staff_member
from .test_workflow import NO_FAQ, change_url, form_data, logged_in

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_article_add")


@pytest.fixture
def editor_client():
    return logged_in(staff_member("Editors", "edith"))


def new_article_data(editor_client, **overrides) -> dict:
    return {
        "title": "A fresh piece",
        "slug": "a-fresh-piece",
        "dek": "A summary.",
        "body": "## One\n\nText.",
        "author": ArticleFactory.create().author_id,
        "category": CategoryFactory().pk,
        "comments_enabled": "on",
        **NO_FAQ,
        **overrides,
    }


def test_publish_now_publishes_now_even_when_a_date_ahead_was_set(editor_client):
    scheduled = ArticleFactory(scheduled=True)
    before = timezone.now().replace(microsecond=0)
    response = editor_client.post(change_url(scheduled), form_data(scheduled, _publish_now="1"))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.is_live
    assert scheduled.published_at >= before


def test_publish_now_on_a_new_article_without_a_date_publishes_it(editor_client):
    response = editor_client.post(ADD, new_article_data(editor_client, _publish_now="1"))
    assert response.status_code == 302
    assert Article.objects.published().filter(slug="a-fresh-piece").exists()


def test_a_schedule_shows_its_time_zone_and_the_time_left(editor_client):
    article = ArticleFactory(published_at=timezone.now() + timedelta(days=2, hours=3))
    page = editor_client.get(change_url(article))
    assertContains(page, "Times are UTC (UTC+0000)")
    assertContains(page, 'aria-label="Publication date"')  # each half of the field is named
    assertContains(page, "in 2\xa0days, 2\xa0hours")  # a minute or so has gone by
    assertContains(page, "UTC")


def test_the_first_save_stays_on_the_article_with_its_preview_at_the_top(editor_client):
    response = editor_client.post(ADD, new_article_data(editor_client), follow=True)
    article = Article.objects.get(slug="a-fresh-piece")
    assert article.status == Article.Status.DRAFT
    assert response.redirect_chain[-1][0] == change_url(article)
    tools = re.search(r'<ul class="object-tools">(.*?)</ul>', response.content.decode(), re.S)
    assert f'href="{article.get_preview_url()}"' in tools.group(1)


@pytest.mark.parametrize(
    "traits, opens",
    [({"draft": True}, "preview"), ({"scheduled": True}, "preview"), ({}, "page")],
    ids=["draft", "scheduled", "live"],
)
def test_view_on_site_opens_the_preview_until_the_article_is_live(editor_client, traits, opens):
    article = ArticleFactory(**traits)
    page = editor_client.get(change_url(article)).content.decode()
    (link,) = re.findall(r'<a href="([^"]+)" class="viewsitelink"', page)
    assert link == (article.get_preview_url() if opens == "preview" else article.get_absolute_url())
    assert editor_client.get(link).status_code == 200


def test_a_failed_save_keeps_every_value_and_the_chosen_image(editor_client):
    upload = SimpleUploadedFile("chart.jpg", image_bytes(), "image/jpeg")
    data = new_article_data(editor_client, featured_image=upload, featured_image_caption="Jobs")
    failed = editor_client.post(ADD, data)  # no alt text: refused
    assertContains(failed, "Describe the featured image in its alt text.")
    assertContains(failed, 'value="A fresh piece"')
    assertContains(failed, 'value="Jobs"')
    assertContains(failed, "Kept from your last try: chart")
    token = failed.context["adminform"].form.data["kept_featured_image"]

    data.pop("featured_image")
    data.update(kept_featured_image=token, featured_image_alt="A chart of jobs")
    assert editor_client.post(ADD, data).status_code == 302
    article = Article.objects.get(slug="a-fresh-piece")
    assert article.featured_image.name.startswith("articles/chart")
    assert article.featured_image_width == 1600
    assert article.featured_image_renditions["source"] == article.featured_image.name


def test_the_image_is_kept_when_only_an_faq_item_was_wrong(editor_client):
    upload = SimpleUploadedFile("chart.jpg", image_bytes(), "image/jpeg")
    data = new_article_data(
        editor_client,
        featured_image=upload,
        featured_image_alt="A chart",
        **{**NO_FAQ, "faqs-TOTAL_FORMS": "1", "faqs-0-question": "Why?", "faqs-0-answer": ""},
    )
    failed = editor_client.post(ADD, data)
    assert failed.status_code == 200
    assert failed.context["adminform"].form.data["kept_featured_image"]


def test_a_forged_kept_image_is_ignored(editor_client):
    data = new_article_data(
        editor_client,
        kept_featured_image=signing.dumps("../settings.py", salt="another-salt"),
    )
    assert editor_client.post(ADD, data).status_code == 302
    assert not Article.objects.get(slug="a-fresh-piece").featured_image


def test_a_writer_has_no_publication_date_to_set():
    response = logged_in(staff_member("Writers", "wendy")).get(ADD)
    assert 'name="published_at_0"' not in response.content.decode()
