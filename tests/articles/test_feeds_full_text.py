"""The feeds carry each article whole, so that it can be read in a feed reader."""

import feedparser
import pytest

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

BODY = "## Where to start\n\nRead [our guide](/articles/other/) first.\n"


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_each_entry_carries_the_whole_article_with_absolute_links(client, url):
    article = ArticleFactory(body=BODY, dek="The short summary.", with_image=True)

    feed = feedparser.parse(client.get(url).content)

    (entry,) = feed.entries
    content = entry.content[0].value
    assert entry.summary == "The short summary."
    assert '<h2 id="where-to-start">Where to start</h2>' in content
    assert '<a href="https://careers.example/articles/other/"' in content
    assert 'src="https://careers.example/media/' in content
    assert f'alt="{article.featured_image_alt}"' in content


def test_the_category_feed_is_full_text_too(client):
    article = ArticleFactory(body=BODY)
    feed = feedparser.parse(client.get(f"/categories/{article.category.slug}/feed/").content)
    assert "Where to start" in feed.entries[0].content[0].value
