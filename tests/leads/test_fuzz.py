"""Property-based tests: random, huge, empty and malformed values in every field of the
information-request form (page and modal) and in its query parameters never give a 500, never come
back unescaped, and never leave a request half-saved."""

import pytest

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

GET_INFO = "/get-info/"


@pytest.fixture
def catalogue():
    return {"program": ProgramFactory()}


@pytest.mark.parametrize("referrer", ["http://[", "https://[::1/articles/x/", "http://]"])
def test_malformed_referrer_is_ignored_not_a_500(client, catalogue, referrer):
    """urlsplit() raises ValueError on an unmatched IPv6 bracket: /get-info/ answered 500 to any
    visitor whose browser (or a bot) sent such a Referer, on the page and on every post."""
    page = client.get(GET_INFO, HTTP_REFERER=referrer)
    invalid = client.post(GET_INFO, {"first_name": "Grace"}, HTTP_REFERER=referrer)

    assert page.status_code == 200
    assert 'name="page" value="/get-info/"' in page.content.decode()
    assert invalid.status_code == 200
    assert "This field is required." in invalid.content.decode()


@pytest.mark.parametrize("path", ["/", "/articles/", GET_INFO])
def test_page_number_too_long_for_int_is_not_a_500(client, catalogue, path):
    """The canonical link read ?page= with int(), which refuses more than 4,300 digits: every
    page of the site answered 500 to ?page=000...0 (5,000 zeros)."""
    response = client.get(path, {"page": "0" * 5000})

    assert response.status_code in {200, 404}
    assert b'<link rel="canonical" href="https://careers.example' in response.content
    assert b"?page=" not in response.content.split(b'rel="canonical"')[1].split(b">")[0]
