from unittest import mock

import pytest
from django.test import Client

from comments.clients import client_hash
from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_sixth_comment_in_a_minute_gets_a_friendly_429(post_comment, article):
    for number in range(5):
        assert post_comment(article, body=f"Comment {number}").status_code == 302

    response = post_comment(article, body="One too many")

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "Please wait a minute" in html
    assert article.title in html
    assert Comment.objects.count() == 5


def test_the_limit_is_per_client(post_comment, article):
    for number in range(6):
        post_comment(article, body=f"Comment {number}")

    other = Client(REMOTE_ADDR="203.0.113.5")
    assert post_comment(article, http_client=other, body="Someone else").status_code == 302


def test_the_limit_resets_the_next_minute(post_comment, article):
    with mock.patch("comments.clients.time.time", return_value=1_000_020.0):
        for number in range(6):
            post_comment(article, body=f"Comment {number}")
    with mock.patch("comments.clients.time.time", return_value=1_000_090.0):
        assert post_comment(article, body="A minute later").status_code == 302


def test_a_failing_cache_lets_comments_through(post_comment, article):
    with mock.patch("comments.clients.count_hit", side_effect=ConnectionError("cache down")):
        for number in range(7):
            assert post_comment(article, body=f"Comment {number}").status_code == 302


def test_the_client_key_is_a_keyed_hash_not_the_address():
    key = client_hash("198.51.100.7")
    assert "198.51.100.7" not in key
    assert key == client_hash("198.51.100.7")
    assert key != client_hash("198.51.100.8")


def test_the_client_address_header_is_used_only_when_configured(post_comment, article, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    behind_proxy = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="198.51.100.9")
    post_comment(article, http_client=behind_proxy)
    assert Comment.objects.get().client_hash == client_hash("198.51.100.9")
