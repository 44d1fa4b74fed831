"""What a reader notices on every page: one spelling of each label, valid machine-readable dates,
and the small details of a publication (tests/e2e/test_reader_layout.py has the browser's)."""

import pytest

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_call_to_action_has_one_spelling_everywhere(client):
    article = ArticleFactory()
    for url in ("/", article.get_absolute_url(), "/get-info/"):
        content = client.get(url).content.decode()
        assert "Get more information" in content
        assert "Get More Information" not in content
