import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from articles.models import Article

from .factories import ArticleFactory, AuthorFactory, CategoryFactory, FAQItemFactory, TagFactory
from .test_images import decompression_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_data(client, staff_user):
    article = ArticleFactory(with_image=True, tags=[TagFactory()])
    FAQItemFactory(article=article)
    client.force_login(staff_user)
    return client, article


@pytest.mark.parametrize("model", ["article", "author", "category", "tag"])
def test_every_admin_page_opens_for_a_superuser(admin_client_with_data, model):
    client, article = admin_client_with_data
    objects = {
        "article": article,
        "author": article.author,
        "category": article.category,
        "tag": article.tags.first(),
    }
    for url in [
        reverse(f"admin:articles_{model}_changelist"),
        reverse(f"admin:articles_{model}_add"),
        reverse(f"admin:articles_{model}_change", args=[objects[model].pk]),
        reverse(f"admin:articles_{model}_delete", args=[objects[model].pk]),
        reverse(f"admin:articles_{model}_history", args=[objects[model].pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_admin_index_and_filters_open(admin_client_with_data):
    client, article = admin_client_with_data
    changelist = reverse("admin:articles_article_changelist")
    assert client.get(reverse("admin:index")).status_code == 200
    for query in ["state=live", "state=scheduled", "state=draft", "q=machine", "state=in_review"]:
        assert client.get(f"{changelist}?{query}").status_code == 200
    response = client.get(changelist)
    assertContains(response, reverse("articles:preview", args=[article.pk]))


@pytest.mark.parametrize(
    ("username", "is_staff", "status"), [("reader", False, 302), ("intern", True, 403)]
)
def test_admin_article_pages_are_refused_to_users_without_permission(
    client, django_user_model, username, is_staff, status
):
    user = django_user_model.objects.create_user(username, password="pw", is_staff=is_staff)
    client.force_login(user)
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == status


def test_anonymous_visitor_is_sent_to_admin_login(client):
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def article_form_data(**overrides) -> dict:
    author, category = AuthorFactory(), CategoryFactory()
    data = {
        "title": "A new article",
        "slug": "a-new-article",
        "dek": "A summary.",
        "body": "## Section\n\nText " + "word " * 500,
        "status": "published",
        "published_at_0": "2026-01-05",
        "published_at_1": "09:00:00",
        "author": author.pk,
        "category": category.pk,
        "comments_enabled": "on",
        "faqs-TOTAL_FORMS": "1",
        "faqs-INITIAL_FORMS": "0",
        "faqs-MIN_NUM_FORMS": "0",
        "faqs-MAX_NUM_FORMS": "1000",
        "faqs-0-question": "Is it hard?",
        "faqs-0-answer": "word " * 400,
        "faqs-0-position": "0",
    }
    data.update(overrides)
    return data


def test_editor_creates_an_article_with_faq_in_admin(admin_client_with_data):
    client, _ = admin_client_with_data
    response = client.post(reverse("admin:articles_article_add"), article_form_data())
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="a-new-article")
    assert article.faqs.count() == 1
    assert article.reading_time == 4  # (502 body words + 403 FAQ words) / 230, rounded
    assert article.body_html.startswith('<h2 id="section">')


def test_decompression_bomb_upload_is_a_form_error_in_admin(admin_client_with_data):
    client, _ = admin_client_with_data
    data = article_form_data(
        featured_image=SimpleUploadedFile("bomb.png", decompression_bomb(), "image/png"),
        featured_image_alt="Bomb",
    )
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "megapixels" in errors["featured_image"][0]
    assertContains(response, 'value="A new article"')
    assert not Article.objects.filter(slug="a-new-article").exists()


def test_image_without_alt_text_is_a_form_error_in_admin(admin_client_with_data):
    from .factories import image_bytes

    client, _ = admin_client_with_data
    data = article_form_data(
        featured_image=SimpleUploadedFile("ok.jpg", image_bytes(), "image/jpeg"),
    )
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assertContains(response, "Describe the featured image in its alt text.")
