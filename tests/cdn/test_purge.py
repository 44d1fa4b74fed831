"""careers_site.cdn.purge against a real local HTTP server that records what it receives."""

import logging

import pytest

from careers_site.cdn import purge

pytestmark = pytest.mark.cdn


@pytest.fixture
def cache_server(backend, settings):
    """The recording server as the only CDN, with nothing received yet."""
    settings.CDN_PURGE_URLS = [backend.url + "/"]
    with backend.lock:
        backend.seen.clear()
    return backend


def test_purge_sends_one_purge_with_the_keys_as_surrogate_key(cache_server):
    purge(["article-12", "home", "articles"])

    assert [(seen.method, seen.path) for seen in cache_server.seen] == [("PURGE", "/")]
    assert cache_server.seen[0].headers["surrogate-key"].split() == [
        "article-12",
        "articles",
        "home",
    ]


def test_purge_reaches_every_configured_url(cache_server, settings):
    settings.CDN_PURGE_URLS = [cache_server.url, cache_server.url + "/"]

    purge({"tag-7"})

    assert [(seen.method, seen.path) for seen in cache_server.seen] == [
        ("PURGE", "/"),
        ("PURGE", "/"),
    ]
    assert {seen.headers["surrogate-key"] for seen in cache_server.seen} == {"tag-7"}


def test_purge_leaves_invalid_keys_out_and_logs_them(cache_server, caplog):
    with caplog.at_level(logging.WARNING, logger="careers_site.cdn"):
        purge(["article-1", "Article-2", "a b", "home|.*", "", "-x", 7, "feeds"])

    assert [seen.headers["surrogate-key"] for seen in cache_server.seen] == ["article-1 feeds"]
    assert caplog.text.count("Not a surrogate key") == 6


def test_purge_sends_nothing_when_no_key_is_valid(cache_server):
    purge(["Not A Key", "*"])
    purge([])

    assert cache_server.seen == []


def test_purge_sends_nothing_without_purge_urls(cache_server, settings):
    settings.CDN_PURGE_URLS = []

    purge(["home"])

    assert cache_server.seen == []


def test_purge_splits_many_keys_into_headers_varnish_accepts(cache_server):
    keys = {f"article-{number}" for number in range(2000)}

    purge(keys)

    headers = [seen.headers["surrogate-key"] for seen in cache_server.seen]
    assert len(headers) > 1
    assert all(len(header) <= 4000 for header in headers)
    assert {key for header in headers for key in header.split()} == keys


def test_purge_of_a_dead_url_logs_a_warning_and_does_not_raise(
    cache_server, settings, free_port, caplog
):
    dead = f"http://127.0.0.1:{free_port}/"
    settings.CDN_PURGE_URLS = [dead, cache_server.url + "/"]
    settings.CDN_PURGE_TIMEOUT = 5

    with caplog.at_level(logging.WARNING, logger="careers_site.cdn"):
        purge(["home"])

    assert f"CDN purge of {dead} failed" in caplog.text
    assert [seen.method for seen in cache_server.seen] == ["PURGE"]  # the next one still ran


def test_purge_logs_a_cache_that_refuses(cache_server, caplog):
    cache_server.answer("/", status=403, headers={})

    with caplog.at_level(logging.WARNING, logger="careers_site.cdn"):
        purge(["home"])

    assert "refused: 403" in caplog.text
    del cache_server.answers["/"]


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/", "http://"])
def test_purge_of_a_malformed_url_logs_a_warning_and_does_not_raise(settings, url, caplog):
    settings.CDN_PURGE_URLS = [url]

    with caplog.at_level(logging.WARNING, logger="careers_site.cdn"):
        purge(["home"])

    assert f"CDN purge of {url} failed" in caplog.text
