"""Property-based tests: random, huge, empty and malformed values in every public query parameter
of the article pages never give a 500 and never come back unescaped."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

MARKER = "<b>x</b>"
odd_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=3000),
    st.sampled_from(["", " ", "\x00", "%", "' OR 1=1 --", '"', "<script>", "&amp;", "\u202e"]),
)

fuzz_settings = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def published():
    return ArticleFactory(slug="fuzz", tags=[TagFactory(slug="fuzz-tag")])


@fuzz_settings
@given(query=odd_text, page=odd_text)
def test_search_never_fails_and_escapes_the_query(client, published, query, page):
    response = client.get("/search/", {"q": query + MARKER, "page": page})
    assert response.status_code in {200, 404}
    assert MARKER.encode() not in response.content


@fuzz_settings
@given(page=odd_text, extra=odd_text)
@pytest.mark.parametrize(
    "url", ["/", "/articles/", "/categories/{c}/", "/tags/fuzz-tag/", "/authors/{a}/", "/feed/"]
)
def test_list_pages_never_fail_on_odd_parameters(client, published, url, page, extra):
    url = url.format(c=published.category.slug, a=published.author.slug)
    response = client.get(url, {"page": page, "utm_source": extra + MARKER, extra[:50]: MARKER})
    assert response.status_code in {200, 404}
    assert MARKER.encode() not in response.content


@fuzz_settings
@given(slug=odd_text)
def test_unknown_article_addresses_are_404_not_500(client, published, slug):
    # %-encoded as a link to such an article would be: a raw "?" or "#" would end the path.
    response = client.get("/articles/" + quote(slug.replace("/", ""), safe="") + "/")
    assert response.status_code in {200, 404}
