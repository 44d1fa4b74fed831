"""The site's own pages (articles.site_page_models): Markdown like articles, their own addresses,
kept versions, the footer, the sitemap, the page cache, and who may edit them in admin."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import SitePage
from careers_site.page_cache import STATUS_HEADER

from .factories import ArticleFactory, SitePageFactory

pytestmark = pytest.mark.django_db


def test_a_site_page_has_its_own_address_with_its_markdown_rendered_and_sanitised(client):
    body = "## Cookies\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>x()</script>"
    page = SitePageFactory(body=body)

    response = client.get("/privacy/")

    assert page.get_absolute_url() == "/privacy/"
    assertContains(response, '<h2 id="cookies">Cookies</h2>', html=True)
    assertContains(response, "<td>1</td>", html=True)
    assertNotContains(response, "<script>x()")
    assertContains(response, '<h1 id="page-title" class="article-title mb-3">Privacy policy</h1>')


def test_an_unknown_site_page_is_404(client):
    assert client.get("/no-such-page/").status_code == 404


def test_other_addresses_keep_their_pages(client):
    SitePageFactory()
    assert client.get("/get-info/").status_code == 200
    assert client.get("/articles/").status_code == 200


def test_a_slug_that_is_another_page_address_is_refused():
    page = SitePage(title="Search", slug="search", body="x")
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "slug" in error.value.message_dict


def test_slugs_are_unique_in_the_database_too():
    SitePageFactory()
    with pytest.raises(IntegrityError):
        SitePage.objects.create(title="Another", slug="privacy", body="x")


def test_each_change_of_the_text_is_a_new_version_and_the_old_wording_stays_readable(client):
    page = SitePageFactory(body="We keep your name.")
    page.body = "We keep your name and your e-mail address."
    page.save()
    page.summary = "A new summary, not the text."
    page.save()

    assert page.version == 2
    assert list(page.versions.values_list("number", flat=True)) == [2, 1]
    old = client.get("/privacy/versions/1/")
    assertContains(old, "We keep your name.")
    assertContains(old, "This wording has since changed")
    assertContains(old, '<meta name="robots" content="noindex">')
    assertContains(client.get("/privacy/"), "We keep your name and your e-mail address.")
    assert client.get("/privacy/versions/3/").status_code == 404


def test_saving_a_page_unchanged_makes_no_new_version():
    page = SitePageFactory()
    SitePage.objects.get(pk=page.pk).save()
    assert page.versions.count() == 1


def test_footer_links_the_pages_shown_there_in_their_order(client):
    SitePageFactory(title="Terms of use", slug="terms", position=2)
    SitePageFactory(title="Privacy policy", slug="privacy", position=1)
    SitePageFactory(title="Hidden", slug="hidden", in_footer=False)

    html = client.get("/").content.decode()

    assert html.index('href="/privacy/"') < html.index('href="/terms/"')
    assert 'href="/hidden/"' not in html


def test_the_sitemap_lists_the_site_pages(client):
    SitePageFactory()
    assertContains(client.get("/sitemap.xml"), "<loc>https://careers.example/privacy/</loc>")


def test_a_site_page_is_shared_and_a_change_shows_at_once(client):
    page = SitePageFactory(body="First wording.")
    assert client.get("/privacy/")[STATUS_HEADER] == "miss"
    assert client.get("/privacy/")[STATUS_HEADER] == "hit"

    page.body = "Second wording."
    page.save()

    response = client.get("/privacy/")
    assert response[STATUS_HEADER] == "miss"
    assertContains(response, "Second wording.")


def test_a_text_change_keeps_other_pages_but_a_new_title_drops_every_footer(client):
    page = SitePageFactory()
    article = ArticleFactory()
    url = article.get_absolute_url()
    client.get(url)

    page.body = "Changed text."
    page.save()
    assert client.get(url)[STATUS_HEADER] == "hit"

    page.title = "Our privacy policy"
    page.save()
    response = client.get(url)
    assert response[STATUS_HEADER] == "miss"
    assertContains(response, "Our privacy policy")


def test_a_deleted_page_leaves_every_footer_at_once(client):
    page = SitePageFactory()
    client.get("/")
    page.delete()
    response = client.get("/")
    assert response[STATUS_HEADER] == "miss"
    assertNotContains(response, 'href="/privacy/"')


def test_seed_demo_creates_the_site_pages_and_leaves_edited_ones_alone():
    call_command("seed_demo")
    assert set(SitePage.objects.values_list("slug", flat=True)) == {
        "about",
        "contact",
        "privacy",
        "terms",
    }
    SitePage.objects.filter(slug="privacy").update(body="Edited by staff.")

    call_command("seed_demo")

    assert SitePage.objects.get(slug="privacy").body == "Edited by staff."


@pytest.fixture
def site_editor(django_user_model):
    user = django_user_model.objects.create_user(username="lena", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Site editors"))
    return user


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user(username="mo", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def test_a_site_editor_adds_and_changes_pages_but_cannot_delete_them(client, site_editor):
    client.force_login(site_editor)
    response = client.post(
        reverse("admin:articles_sitepage_add"),
        {
            "title": "Terms of use",
            "slug": "terms",
            "summary": "",
            "body": "## Reading\n\nYou may quote us.",
            "in_footer": "on",
            "position": "3",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    page = SitePage.objects.get(slug="terms")
    assert page.version == 1
    change_url = reverse("admin:articles_sitepage_change", args=[page.pk])
    assert client.get(change_url).status_code == 200
    delete_url = reverse("admin:articles_sitepage_delete", args=[page.pk])
    assert client.get(delete_url).status_code == 403


def test_saving_a_page_in_admin_unchanged_changes_nothing(client, site_editor):
    page = SitePageFactory()
    client.force_login(site_editor)
    change_url = reverse("admin:articles_sitepage_change", args=[page.pk])
    form = client.get(change_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name != "version"}
    data = {name: value for name, value in data.items() if value is not None and value is not False}
    data |= {"versions-TOTAL_FORMS": "1", "versions-INITIAL_FORMS": "1"}
    data["versions-0-id"] = str(page.versions.get().pk)
    data["versions-0-page"] = str(page.pk)

    response = client.post(change_url, data)

    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.version, page.body, page.versions.count()) == (1, SitePageFactory.body, 1)


@pytest.mark.parametrize("url_name", ["changelist", "add"])
def test_a_moderator_cannot_open_the_site_pages(client, moderator, url_name):
    client.force_login(moderator)
    assert client.get(reverse(f"admin:articles_sitepage_{url_name}")).status_code == 403


def test_the_consent_links_the_version_of_the_privacy_policy_it_refers_to(client):
    page = SitePageFactory()
    page.body = "A second wording."
    page.save()

    response = client.get(reverse("leads:create"))

    assertContains(response, '<a href="/privacy/versions/2/">Privacy policy</a> (version 2)')


def test_the_comment_form_links_the_privacy_policy(client):
    SitePageFactory()
    article = ArticleFactory()

    response = client.get(reverse("comments:form", args=[article.slug]))

    assertContains(response, '<a href="/privacy/versions/1/">Privacy policy</a> (version 1)')


def test_without_a_privacy_policy_the_forms_show_no_link(client):
    article = ArticleFactory()
    for url in (reverse("leads:create"), reverse("comments:form", args=[article.slug])):
        assertNotContains(client.get(url), "/privacy/")
