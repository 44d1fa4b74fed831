"""The WordPress site's addresses keep working after `import_wordpress`: a post's permalink, its
`?p=ID` form, the date-based paths, and the old feed, category, tag and author addresses answer a
permanent redirect to the address here; none hides a page of the site or leads in a loop."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from articles.models import Article, OldPath, SitePage

from . import wxr_files as w

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    text = w.export(
        w.author(login="jane"),
        w.category("careers", "Careers", wp_id="1"),
        w.category("interviews", "Interviews", parent="careers", wp_id="2"),
        w.tag("python", "Python"),
        w.item(
            "10",
            "Dated",
            slug="dated-post",
            link="https://old.example.com/2020/05/04/dated-post/",
            categories=(("interviews", "Interviews"),),
        ),
        w.item("11", "Plain", slug="plain-post", link="https://old.example.com/plain-post/"),
        w.item(
            "12", "Draft", slug="draft-post", status="draft", link="https://old.example.com/?p=12"
        ),
        w.item("13", "Clash", slug="clash", link="https://old.example.com/blog/clash/"),
        w.item(
            "20",
            "About us",
            slug="about-us",
            post_type="page",
            link="https://old.example.com/company/about-us/",
        ),
    )
    from .factories import ArticleFactory

    ArticleFactory(slug="clash")  # the site already has /articles/clash/: #13 is clash-wp13
    call_command("import_wordpress", str(w.write(tmp_path, text)), stdout=StringIO())


def redirect_of(client, address: str) -> tuple[int, str]:
    response = client.get(address)
    return response.status_code, response.headers.get("Location", "")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/2020/05/04/dated-post/", "/articles/dated-post/"),  # its <link>
        ("/2020/05/04/dated-post", "/articles/dated-post/"),
        ("/2020/05/dated-post/", "/articles/dated-post/"),  # the other date-based form
        ("/2019/01/02/dated-post/", "/articles/dated-post/"),
        ("/2020/05/04/dated-post/feed/", "/articles/dated-post/"),
        ("/plain-post/", "/articles/plain-post/"),  # a /%postname%/ permalink
        ("/plain-post/feed/", "/articles/plain-post/"),
        ("/blog/clash/", "/articles/clash-wp13/"),
        ("/?p=11", "/articles/plain-post/"),
        ("/?page_id=20", "/about-us/"),
        ("/company/about-us/", "/about-us/"),  # a page's permalink
        ("/feed/rss2/", "/feed/"),
        ("/feed/rdf/", "/feed/"),
        ("/comments/feed/", "/feed/"),
        ("/?feed=rss2", "/feed/"),
        ("/category/careers/", "/categories/careers/"),
        ("/category/careers/interviews/", "/categories/careers/"),
        ("/category/careers/feed/", "/categories/careers/feed/"),
        ("/category/careers/interviews/feed/", "/categories/careers/feed/"),
        ("/tag/python/", "/tags/python/"),
        ("/tag/python/feed/", "/tags/python/"),
        ("/author/jane/", "/authors/jane/"),
        ("/author/jane/feed/", "/authors/jane/feed/"),
    ],
)
def test_an_old_address_answers_a_permanent_redirect(client, imported, old, new):
    assert redirect_of(client, old) == (301, new)
    assert client.get(new).status_code == 200  # where it leads is there: no chain, no loop


@pytest.mark.parametrize(
    "address",
    ["/?p=12", "/2020/05/04/draft-post/", "/?p=999", "/2020/05/04/nothing/", "/category/nothing/"],
)
def test_a_draft_or_unknown_old_address_is_not_redirected(client, imported, address):
    assert client.get(address).status_code in (200, 404)  # the home page, or not found


def test_the_sites_own_pages_are_not_hidden_by_old_addresses(client, imported):
    article = Article.objects.get(slug="plain-post")
    OldPath.objects.create(path="/about-us/", article=article)
    assert client.get("/about-us/").status_code == 200
    assert client.get("/feed/").status_code == 200
    assert SitePage.objects.filter(slug="about-us").exists()


def test_an_old_address_follows_the_article_when_its_slug_changes(client, imported):
    article = Article.objects.get(slug="dated-post")
    article.slug = "renamed"
    article.save()
    assert redirect_of(client, "/2020/05/04/dated-post/") == (301, "/articles/renamed/")
    assert redirect_of(client, "/2020/05/dated-post/") == (301, "/articles/renamed/")


def test_a_post_request_to_an_old_address_is_not_redirected(client, imported):
    assert client.post("/2020/05/04/dated-post/").status_code in (403, 404, 405)


def test_an_old_path_leads_to_exactly_one_article_or_page(imported):
    article, page = Article.objects.first(), SitePage.objects.first()
    for both_or_neither in (
        OldPath(path="/x/"),
        OldPath(path="/x/", article=article, site_page=page),
    ):
        with pytest.raises(ValidationError, match="leads to an article or a page"):
            both_or_neither.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            both_or_neither.save()


def test_a_unicode_permalink_leads_to_its_article(tmp_path, client):
    link = "https://old.example.com/2021/03/%d0%ba%d0%b0%d1%80%d1%8c%d0%b5%d1%80%d0%b0/"
    text = w.export(
        w.author(),
        w.category("careers", "Careers"),
        w.item("30", "Карьера в ML", slug="%d0%ba%d0%b0%d1%80%d1%8c%d0%b5%d1%80%d0%b0", link=link),
    )
    output = StringIO()
    call_command("import_wordpress", str(w.write(tmp_path, text)), stdout=output)
    article = Article.objects.get(title="Карьера в ML")
    assert article.slug == "ml"  # what the title has in ASCII; reported
    assert "its address is /ml/" in output.getvalue()
    assert redirect_of(client, "/2021/03/%d0%ba%d0%b0%d1%80%d1%8c%d0%b5%d1%80%d0%b0/") == (
        301,
        "/articles/ml/",
    )


def test_an_address_with_a_nul_byte_is_no_old_address():
    """PostgreSQL refuses NUL in a query: the 404 of such an address stays a 404, not a 500."""
    from articles.old_addresses import old_address_target

    assert old_address_target("/2020/05/04/a\x00b/") is None
