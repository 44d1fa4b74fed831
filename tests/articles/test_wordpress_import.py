"""`manage.py import_wordpress`: a WordPress export made the site's authors, categories, tags,
articles and site pages; safe to run twice; a bad file gets a clear message."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles.models import Article, Author, Category, ImportedItem, SitePage, Tag
from articles.wordpress import wxr
from articles.wordpress.html import wordpress_markdown

from . import wxr_files as w

pytestmark = pytest.mark.django_db

NESTED = (
    w.author()
    + w.category("careers", "Careers", wp_id="1")
    + w.category("interviews", "Interviews", parent="careers", wp_id="2")
    + w.category("behavioural", "Behavioural", parent="interviews", wp_id="3")
    + w.tag("python", "Python")
)


def run(tmp_path, text: str, *args: str) -> str:
    out = StringIO()
    call_command("import_wordpress", str(w.write(tmp_path, text)), *args, stdout=out)
    return out.getvalue()


# Read once: every export built by a test schedules the same post at the same time.
FUTURE = (timezone.now() + timezone.timedelta(days=10)).strftime("%Y-%m-%d 09:00:00")


def site_export() -> str:
    future = FUTURE
    return w.export(
        NESTED,
        w.item(
            "10",
            "Don&#8217;t panic: Café & “quotes”",
            slug="dont-panic",
            excerpt="<p>A calm <em>summary</em>.</p>",
            categories=(("behavioural", "Behavioural"),),
            tags=(("python", "Python"),),
            meta={"_yoast_wpseo_metadesc": "What to do when the interview goes wrong."},
            sticky=True,
        ),
        w.item("11", "Coming soon", slug="coming-soon", status="future", date_gmt=future),
        w.item("12", "Half written", slug="half-written", status="draft"),
        w.item("13", "Pending one", slug="pending-one", status="pending"),
        w.item("14", "Secret", slug="secret", status="private"),
        w.item("15", "Locked", slug="locked", password="hunter2"),
        w.item("16", "", slug=""),
        w.item(
            "20", "About us", slug="about-us", post_type="page", content="<h2>Who</h2><p>We.</p>"
        ),
        w.item("21", "nav", post_type="nav_menu_item"),
    )


def test_a_post_becomes_an_article_with_its_fields(tmp_path):
    run(tmp_path, site_export())
    article = Article.objects.get(slug="dont-panic")
    assert article.title == "Don’t panic: Café & “quotes”"
    assert article.dek == "A calm summary."
    assert article.is_featured
    assert article.meta_description == "What to do when the interview goes wrong."
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == datetime(2020, 5, 4, 10, 0, tzinfo=UTC)
    assert article.updated_at == datetime(2020, 6, 1, 8, 0, tzinfo=UTC)
    assert article.author.name == "Jane Doe"
    assert "Hello." in article.body_html


def test_nested_categories_go_to_their_top_level_one_and_become_tags(tmp_path):
    output = run(tmp_path, site_export())
    article = Article.objects.get(slug="dont-panic")
    assert article.category.slug == "careers"
    assert list(Category.objects.values_list("slug", flat=True)) == ["careers"]
    assert set(article.tags.values_list("name", flat=True)) == {"Behavioural", "Python"}
    assert "its posts go in “Careers” with the tag “Interviews”" in output


def test_statuses_are_mapped_and_not_published_ones_reported(tmp_path):
    output = run(tmp_path, site_export())
    statuses = dict(Article.objects.values_list("slug", "status"))
    assert Article.objects.get(slug="coming-soon").is_scheduled
    assert statuses["half-written"] == statuses["pending-one"] == Article.Status.DRAFT
    assert statuses["secret"] == statuses["locked"] == Article.Status.DRAFT
    assert "private on WordPress: kept as a draft" in output
    assert "password-protected on WordPress: kept as a draft" in output
    assert set(Article.objects.published().values_list("slug", flat=True)) == {
        "dont-panic",
        "untitled-wordpress-post-16",
    }


def test_an_untitled_post_is_named_and_reported(tmp_path):
    output = run(tmp_path, site_export())
    assert Article.objects.filter(
        title="Untitled (WordPress post 16)", slug="untitled-wordpress-post-16"
    ).exists()
    assert "no title: named “Untitled (WordPress post 16)”" in output


def test_a_page_becomes_a_site_page_and_other_types_are_counted(tmp_path):
    output = run(tmp_path, site_export())
    page = SitePage.objects.get(slug="about-us")
    assert page.title == "About us"
    assert '<h2 id="who">Who</h2>' in page.body_html
    assert not page.in_footer
    assert "1 item(s) of type 'nav_menu_item': not imported" in output


def test_an_author_is_matched_to_the_staff_account_with_their_email(tmp_path):
    staff = User.objects.create_user("jd", email="JANE@example.com", is_staff=True)
    run(tmp_path, site_export())
    assert Author.objects.get().user == staff


def test_running_twice_creates_nothing_twice_and_updates_what_changed(tmp_path):
    run(tmp_path, site_export())
    counts = (Article.objects.count(), Tag.objects.count(), SitePage.objects.count())
    edited = site_export().replace("Don&amp;#8217;t panic", "Keep calm")
    output = run(tmp_path, edited)
    assert (Article.objects.count(), Tag.objects.count(), SitePage.objects.count()) == counts
    assert Article.objects.get(slug="dont-panic").title.startswith("Keep calm")
    assert "post 10 “Keep calm: Café & “quotes””: updated: title" in output
    assert "post: 0 created, 1 updated, 6 unchanged" in output


def test_an_unchanged_post_keeps_the_edits_made_on_the_site(tmp_path):
    run(tmp_path, site_export())
    Article.objects.filter(slug="dont-panic").update(dek="Edited on the site.")
    run(tmp_path, site_export())
    assert Article.objects.get(slug="dont-panic").dek == "Edited on the site."


def test_dry_run_writes_nothing_and_reports(tmp_path):
    output = run(tmp_path, site_export(), "--dry-run")
    assert "Dry run: nothing was written." in output
    assert "post: 7 created" in output
    assert not Article.objects.exists()
    assert not ImportedItem.objects.exists()
    assert not Author.objects.exists()


def test_a_slug_taken_by_another_article_gets_the_wordpress_id(tmp_path, django_db_blocker):
    from .factories import ArticleFactory

    ArticleFactory(slug="dont-panic")
    output = run(tmp_path, site_export())
    assert ImportedItem.objects.get(kind="post", wordpress_id="10").object_id == (
        Article.objects.get(slug="dont-panic-wp10").pk
    )
    assert "its address is /dont-panic-wp10/" in output


def test_one_bad_item_is_reported_and_the_rest_imported(tmp_path):
    SitePage.objects.create(title="Taken", slug="about-us", body="x")
    output = run(tmp_path, site_export())
    assert "page 20 “About us”: skipped: a site page already has the address /about-us/" in output
    assert Article.objects.count() == 7


def test_progress_is_written_while_it_runs(tmp_path, monkeypatch):
    monkeypatch.setattr("articles.wordpress.importer.PROGRESS_EVERY", 3)
    output = run(tmp_path, site_export())
    assert "… 3 records read" in output
    assert "… 12 records read" in output


def test_wxr_1_1_is_read_as_1_2(tmp_path):
    run(tmp_path, w.export(NESTED, w.item("10", "Old format", slug="old-format"), version="1.1"))
    assert Article.objects.filter(slug="old-format", category__slug="careers").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<?xml version='1.0'?><html><body>hi</body></html>", "its root element is <html>"),
        (
            "<rss><channel><title>A feed</title><item><title>x</title></item></channel></rss>",
            "it has no <wp:wxr_version>",
        ),
        ("this is not XML at all", "not well-formed XML at line 1"),
    ],
)
def test_a_file_that_is_not_a_wordpress_export_gets_a_clear_message(tmp_path, text, message):
    with pytest.raises(CommandError, match="is not a WordPress export that can be read") as error:
        run(tmp_path, text)
    assert message in str(error.value)
    assert "Nothing was imported." in str(error.value)


def test_a_file_cut_short_imports_nothing(tmp_path):
    text = site_export()
    with pytest.raises(CommandError, match="it may have been cut short"):
        run(tmp_path, text[: len(text) // 2])
    assert not Article.objects.exists()
    assert not Category.objects.exists()


def test_a_missing_file_gets_a_clear_message():
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_wordpress", "/nonexistent/export.xml")


def test_the_reader_lets_each_record_go_once_read(tmp_path):
    """Memory stays flat: the channel holds no record it has handed over."""
    path = w.write(
        tmp_path, w.export(NESTED, *(w.item(str(n), f"P{n}", slug=f"p{n}") for n in range(50)))
    )
    channel = wxr.Channel()
    sizes = []
    for record in wxr.read_export(str(path), channel):
        if isinstance(record, wxr.Item):
            sizes.append(record.wp_id)
    assert len(sizes) == 50
    assert channel.base_site_url == "https://old.example.com"


def test_the_channel_keeps_no_record_it_has_handed_over(tmp_path, monkeypatch):
    """Memory stays flat: each item is let go once read (only the parser's look-ahead stays)."""
    items = (w.item(str(n), f"P{n}", slug=f"p{n}") for n in range(20))
    path = w.write(tmp_path, w.export(NESTED, *items))
    channels, read, kept = [], [], []
    original = wxr._item
    real_iterparse = wxr.ElementTree.iterparse

    def iterparse(source, events):
        for event, element in real_iterparse(source, events):
            if event == "start" and element.tag == "channel":
                channels.append(element)
            yield event, element

    def spy(element):
        kept.extend(earlier for earlier in read if earlier in list(channels[0]))
        read.append(element)
        return original(element)

    monkeypatch.setattr(wxr, "_item", spy)
    monkeypatch.setattr(wxr.ElementTree, "iterparse", iterparse)
    list(wxr.read_export(str(path), wxr.Channel()))
    assert len(read) == 20
    assert kept == []


# Bodies --------------------------------------------------------------------------------------


def test_block_editor_html_becomes_markdown_with_its_structure():
    converted = wordpress_markdown(
        "<!-- wp:heading --><h2>Plan &amp; prepare</h2><!-- /wp:heading -->"
        "<!-- wp:list --><ul><li>One</li><li>Two</li></ul><!-- /wp:list -->"
        "<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>"
        "<blockquote><p>Quoted</p></blockquote>"
        '<pre class="wp-block-code"><code>x = 1</code></pre>'
        '<p>A <a href="https://example.org/">link</a><script>alert(1)</script></p>'
    )
    assert converted.markdown == (
        "## Plan & prepare\n\n- One\n- Two\n\n| A | B |\n| --- | --- |\n| 1 | 2 |\n\n"
        "> Quoted\n\n```\nx = 1\n```\n\nA [link](https://example.org/)"
    )
    assert "wp:" not in converted.markdown


def test_classic_editor_paragraphs_are_kept():
    assert wordpress_markdown("One line\nand the next\n\nSecond").markdown == (
        "One line  \nand the next\n\nSecond"
    )


def test_shortcodes_become_an_image_with_caption_or_a_reported_link():
    converted = wordpress_markdown(
        '[caption id="attachment_5" width="300"]<a href="/x.jpg">'
        '<img src="https://old.example.com/x.jpg" alt="A desk"></a> Where I work[/caption]'
        '[gallery ids="5,6"][embed]https://www.youtube.com/watch?v=abc[/embed]'
        '[contact-form-7 id="1"]',
        attachments={"5": "https://old.example.com/x.jpg"},
    )
    assert "![A desk](https://old.example.com/x.jpg)\n\n*Where I work*" in converted.markdown
    assert "<https://www.youtube.com/watch?v=abc>" in converted.markdown
    assert converted.notes == [
        "[gallery] kept as 1 link(s) to its images",
        "[embed] kept as a link to https://www.youtube.com/watch?v=abc",
        "shortcodes left as text: [contact-form-7]",
    ]


def test_iframes_become_links_and_nothing_unsafe_survives_the_save(tmp_path):
    body = (
        '<iframe src="https://player.example/v/1"></iframe><p onclick="x()">Hi'
        '<style>p{}</style></p><a href="javascript:alert(1)">x</a>'
    )
    run(tmp_path, w.export(NESTED, w.item("10", "Embed", slug="embed", content=body)))
    html = Article.objects.get(slug="embed").body_html
    assert 'href="https://player.example/v/1"' in html
    assert "onclick" not in html and "javascript:" not in html and "<style" not in html


def test_yoast_faq_blocks_become_faq_items(tmp_path):
    body = (
        '<p>Intro</p><!-- wp:yoast/faq-block --><div class="schema-faq wp-block-yoast-faq-block">'
        '<div class="schema-faq-section"><strong class="schema-faq-question">How long?</strong> '
        '<p class="schema-faq-answer">Two weeks.</p></div></div><!-- /wp:yoast/faq-block -->'
    )
    run(tmp_path, w.export(NESTED, w.item("10", "FAQ", slug="faq", content=body)))
    article = Article.objects.get(slug="faq")
    assert list(article.faqs.values_list("question", "answer")) == [("How long?", "Two weeks.")]
    assert article.body == "Intro"
    run(tmp_path, w.export(NESTED, w.item("10", "FAQ", slug="faq", content=body + " ")))
    assert article.faqs.count() == 1


def test_the_report_counts_each_kind_and_nested_categories(tmp_path):
    output = run(tmp_path, site_export())
    assert "category: 1 created, 0 updated, 0 unchanged, 0 skipped, 2 nested" in output
    assert "tag: 2 created, 0 updated, 0 unchanged, 0 skipped" in output  # Python, Behavioural
    again = run(tmp_path, site_export())
    assert "tag: 0 created, 0 updated, 1 unchanged, 0 skipped" in again


def test_comments_closed_on_wordpress_stay_closed(tmp_path):
    run(tmp_path, w.export(NESTED, w.item("10", "Closed", slug="closed", comment_status="closed")))
    run(tmp_path, w.export(NESTED, w.item("11", "Open", slug="open")))
    assert dict(Article.objects.values_list("slug", "comments_enabled")) == {
        "closed": False,
        "open": True,
    }


def test_related_articles_are_ranked_once_for_the_whole_import(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """Guards the import ranking a whole category again for every article it adds."""
    from articles import related
    from articles.models import RelatedList

    refreshes = []
    original = related.related_lists_refresh

    def counted(*, article_ids):
        refreshes.append(sorted(article_ids))
        original(article_ids=article_ids)

    monkeypatch.setattr(related, "related_lists_refresh", counted)
    posts = [w.item(str(n), f"Post {n}", slug=f"post-{n}") for n in range(10, 16)]
    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, w.export(NESTED, *posts))
    assert refreshes == [sorted(Article.objects.values_list("pk", flat=True))]
    first = Article.objects.get(slug="post-10")
    assert len(RelatedList.objects.get(article=first).article_ids) == 3


def test_a_reimport_shows_at_once_on_cached_pages(
    tmp_path, client, django_capture_on_commit_callbacks
):
    from careers_site.page_cache import STATUS_HEADER

    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, site_export())
    pages = ["/articles/dont-panic/", "/", "/categories/careers/"]
    for url in pages:
        client.get(url)
        assert client.get(url)[STATUS_HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        run(tmp_path, site_export().replace("Don&amp;#8217;t panic", "Keep calm"))
    for url in pages:
        assert "Keep calm" in client.get(url).content.decode(), url


@pytest.mark.parametrize(
    ("yoast", "seo_title"),
    [("Plan your move into ML", "Plan your move into ML"), ("%%title%% %%sep%% %%sitename%%", "")],
)
def test_a_plain_yoast_title_becomes_the_seo_title(tmp_path, yoast, seo_title):
    item = w.item("10", "Post", slug="post", meta={"_yoast_wpseo_title": yoast})
    run(tmp_path, w.export(NESTED, item))
    assert Article.objects.get(slug="post").seo_title == seo_title


def test_an_author_with_the_same_slug_is_the_same_author_and_it_is_said(tmp_path):
    from .factories import AuthorFactory

    existing = AuthorFactory(slug="jane", name="Jane D.")
    output = run(tmp_path, site_export())
    assert Article.objects.get(slug="dont-panic").author == existing
    assert "author jane “Jane Doe”: is the author “Jane D.”" in output


def test_comments_on_a_page_are_reported_as_left_out(tmp_path):
    page = w.item("20", "About", slug="about", post_type="page", comments=w.comment("5"))
    output = run(tmp_path, w.export(NESTED, page))
    assert "page 20 “About”: its 1 comment(s) are left out: site pages have none" in output
