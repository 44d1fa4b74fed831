"""cdn/default.vcl in a real varnishd (cdn.varnish.running_varnish) in front of a recording
backend: what is stored, what passes, what a purge forgets, and who may purge.

Each test uses its own paths: one varnishd and one backend serve the whole module.
"""

import gzip
import hashlib
import http.client
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from careers_site.cdn import purge
from cdn.varnish import VarnishError, render_vcl, running_varnish

pytestmark = pytest.mark.cdn

PERSONAL_COOKIES = ("sessionid", "comment_submitted", "comment_author", "messages")
# All of 127.0.0.0/8 is loopback: a client bound to 127.0.0.2 is "another address" to Varnish.
OTHER_ADDRESS = "127.0.0.2"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def cache(self) -> str | None:
        return self.headers.get("X-Cache")


def send(varnish, path, *, method="GET", headers=None, body=None, source="127.0.0.1"):
    parts = urlsplit(varnish.url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def test_the_vcl_compiles(varnishd):
    """`varnishd -C` compiles the VCL rendered for a real site name (the fixture runs it too)."""
    vcl = render_vcl(
        backend_host="127.0.0.1",
        backend_port=8000,
        purgers=("127.0.0.1", "10.0.0.0/8"),
        site_hosts=("careers.example", "www.careers.example"),
    )
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)  # run as root, varnishd compiles as the user varnish
        (Path(folder) / "default.vcl").write_text(vcl)
        result = subprocess.run(
            [varnishd, "-C", "-f", f"{folder}/default.vcl", "-n", f"{folder}/work"],
            capture_output=True,
            text=True,
            check=False,
        )

    assert result.returncode == 0, result.stderr
    assert '"10.0.0.0"/8;' in vcl
    assert r"^(careers\.example|www\.careers\.example)(:[0-9]+)?$" in vcl


def test_a_shared_page_is_stored_and_served_from_the_cache(varnish, backend):
    backend.answer(
        "/shared/",
        headers={
            "Cache-Control": "public, max-age=0, s-maxage=300",
            "Surrogate-Key": "article-1 articles",
        },
    )

    first = send(varnish, "/shared/")
    second = send(varnish, "/shared/")

    assert (first.status, first.cache) == (200, "MISS")
    assert (second.status, second.cache) == (200, "HIT")
    assert second.body == b"<p>a page</p>"
    assert backend.hits("/shared/") == 1


def test_surrogate_key_never_reaches_the_client(varnish, backend):
    backend.answer(
        "/keys-hidden/",
        headers={"Cache-Control": "public, s-maxage=300", "Surrogate-Key": "article-2 home"},
    )

    miss, hit = send(varnish, "/keys-hidden/"), send(varnish, "/keys-hidden/")

    assert (miss.cache, hit.cache) == ("MISS", "HIT")
    assert "Surrogate-Key" not in miss.headers
    assert "Surrogate-Key" not in hit.headers


def test_one_gzipped_copy_serves_readers_with_and_without_gzip(varnish, backend):
    backend.answer("/gzipped/", body=b"<p>" + b"careers " * 500 + b"</p>", gzip=True)

    zipped = send(varnish, "/gzipped/", headers={"Accept-Encoding": "gzip"})
    plain = send(varnish, "/gzipped/")

    assert (zipped.cache, plain.cache) == ("MISS", "HIT")
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body == b"<p>" + b"careers " * 500 + b"</p>"
    assert "Content-Encoding" not in plain.headers
    assert backend.hits("/gzipped/") == 1


def test_a_public_response_with_max_age_is_stored(varnish, backend):
    backend.answer("/public-max-age/", headers={"Cache-Control": "public, max-age=300"})

    send(varnish, "/public-max-age/")

    assert send(varnish, "/public-max-age/").cache == "HIT"
    assert backend.hits("/public-max-age/") == 1


def test_the_time_to_live_is_s_maxage(varnish, backend):
    """Kept for s-maxage (1 s here), not max-age (0) nor Varnish's default (2 minutes)."""
    backend.answer("/short-lived/", headers={"Cache-Control": "public, max-age=0, s-maxage=1"})
    send(varnish, "/short-lived/")
    assert send(varnish, "/short-lived/").cache == "HIT"

    deadline = time.monotonic() + 30
    while backend.hits("/short-lived/") < 2 and time.monotonic() < deadline:
        send(varnish, "/short-lived/")  # once expired: served in grace while it is fetched again
        time.sleep(0.2)

    assert backend.hits("/short-lived/") == 2


@pytest.mark.parametrize("cookie", PERSONAL_COOKIES)
def test_a_request_with_a_personal_cookie_passes_and_is_never_stored(varnish, backend, cookie):
    path = f"/personal-{cookie}/"
    backend.answer(path)  # even a response marked shareable
    headers = {"Cookie": f"csrftoken=abc; {cookie}=value"}

    first = send(varnish, path, headers=headers)
    second = send(varnish, path, headers=headers)
    anonymous = send(varnish, path)

    assert (first.cache, second.cache) == ("PASS", "PASS")
    assert anonymous.cache == "MISS"  # the personal answers were not kept for anyone
    assert backend.hits(path) == 3
    assert backend.requests(path)[0].headers["cookie"] == f"csrftoken=abc; {cookie}=value"


@pytest.mark.parametrize(
    "cookie", ["csrftoken=abc", "leads_visit=xyz", "_ga=GA1.1.1", "my_sessionid=1; xmessages=2"]
)
def test_other_cookies_do_not_keep_a_request_from_the_cache(varnish, backend, cookie):
    path = f"/impersonal-{cookie.split('=')[0]}/"
    backend.answer(path)
    send(varnish, path)

    assert send(varnish, path, headers={"Cookie": cookie}).cache == "HIT"
    assert backend.hits(path) == 1


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("set-cookie", {"Cache-Control": "public, s-maxage=300", "Set-Cookie": "a=b; Path=/"}),
        ("no-cache-control", {}),
        ("max-age-only", {"Cache-Control": "max-age=300"}),
        ("public-max-age-0", {"Cache-Control": "public, max-age=0"}),
        ("private", {"Cache-Control": "private, s-maxage=300"}),
        ("no-store", {"Cache-Control": "no-store, s-maxage=300"}),
    ],
)
def test_a_response_that_may_not_be_shared_is_never_stored(varnish, backend, name, headers):
    path = f"/not-shared-{name}/"
    backend.answer(path, headers=headers)

    answers = [send(varnish, path) for _ in range(3)]

    assert [answer.cache for answer in answers] == ["PASS", "PASS", "PASS"]
    assert backend.hits(path) == 3
    if "Set-Cookie" in headers:
        assert answers[-1].headers["Set-Cookie"] == "a=b; Path=/"


def test_a_post_passes_even_where_the_page_is_stored(varnish, backend):
    backend.answer("/form/")
    send(varnish, "/form/")
    assert send(varnish, "/form/").cache == "HIT"

    posted = send(
        varnish,
        "/form/",
        method="POST",
        body=b"name=Ada",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert posted.cache == "PASS"
    assert [seen.method for seen in backend.requests("/form/")] == ["GET", "POST"]


@pytest.mark.parametrize(
    "query",
    ["utm_source=newsletter", "a=1&utm_campaign=spring", "gclid=x1", "fbclid=y", "msclkid=z"],
)
def test_a_campaign_landing_reaches_the_app(varnish, backend, query):
    path = f"/landing/?{query}"
    backend.answer(path)

    answers = [send(varnish, path), send(varnish, path)]

    assert [answer.cache for answer in answers] == ["PASS", "PASS"]
    assert backend.hits(path) == 2


def test_a_visit_from_another_site_reaches_the_app(varnish, backend):
    backend.answer("/from-search/")
    send(varnish, "/from-search/")  # stored for readers without a referrer
    headers = {"Referer": "https://www.google.com/search?q=ai+careers"}

    answers = [send(varnish, "/from-search/", headers=headers) for _ in range(2)]

    assert [answer.cache for answer in answers] == ["PASS", "PASS"]
    assert backend.hits("/from-search/") == 3
    assert backend.requests("/from-search/")[-1].headers["referer"] == headers["Referer"]


@pytest.mark.parametrize(
    "referer",
    [
        "http://127.0.0.1/articles/",  # one of the site's host names (any port)
        "http://LOCALHOST:8000/",
        "{url}/articles/?page=2",  # the very Host of the request
    ],
)
def test_a_click_within_the_site_is_served_from_the_cache(varnish, backend, referer):
    path = f"/within-{hashlib.sha256(referer.encode()).hexdigest()[:12]}/"
    backend.answer(path)
    send(varnish, path)

    answer = send(varnish, path, headers={"Referer": referer.format(url=varnish.url)})

    assert answer.cache == "HIT"
    assert backend.hits(path) == 1


def test_a_purge_by_surrogate_key_forgets_exactly_the_pages_with_that_key(varnish, backend):
    pages = {
        "/purge-a/": "article-1 articles home",
        "/purge-b/": "article-12 articles",
        "/purge-c/": "articles home-page",
    }
    for path, keys in pages.items():
        backend.answer(
            path, headers={"Cache-Control": "public, s-maxage=300", "Surrogate-Key": keys}
        )
        send(varnish, path)

    # Whole keys only: neither the start nor the end of a key is that key.
    purged = send(varnish, "/", method="PURGE", headers={"Surrogate-Key": "12 page article"})

    assert purged.status == 200
    assert [send(varnish, path).cache for path in pages] == ["HIT", "HIT", "HIT"]

    purged = send(varnish, "/", method="PURGE", headers={"Surrogate-Key": "article-1"})

    assert purged.status == 200
    assert send(varnish, "/purge-a/").cache == "MISS"
    # article-1 is not article-12.
    assert send(varnish, "/purge-b/").cache == "HIT"
    assert send(varnish, "/purge-c/").cache == "HIT"

    purged = send(varnish, "/", method="PURGE", headers={"Surrogate-Key": " home  article-12 "})

    assert purged.status == 200
    assert send(varnish, "/purge-a/").cache == "MISS"
    assert send(varnish, "/purge-b/").cache == "MISS"
    assert send(varnish, "/purge-c/").cache == "HIT"  # "home-page" is not "home"


def test_careers_site_cdn_purge_bans_in_varnish(varnish, backend, settings):
    backend.answer(
        "/via-purge/",
        headers={"Cache-Control": "public, s-maxage=300", "Surrogate-Key": "category-3 tag-7"},
    )
    backend.answer(
        "/via-purge-other/",
        headers={"Cache-Control": "public, s-maxage=300", "Surrogate-Key": "category-4"},
    )
    send(varnish, "/via-purge/")
    send(varnish, "/via-purge-other/")
    settings.CDN_PURGE_URLS = [varnish.purge_url]

    purge(["tag-7", "author-9"])

    assert send(varnish, "/via-purge/").cache == "MISS"
    assert send(varnish, "/via-purge-other/").cache == "HIT"


def test_a_purge_of_a_path_forgets_that_url_only(varnish, backend):
    for path in ("/path-a/", "/path-b/"):
        backend.answer(path)
        send(varnish, path)

    assert send(varnish, "/path-a/", method="PURGE").status == 200

    assert send(varnish, "/path-a/").cache == "MISS"
    assert send(varnish, "/path-b/").cache == "HIT"


def test_a_purge_from_another_address_is_refused_and_bans_nothing(varnish, backend):
    backend.answer(
        "/guarded/", headers={"Cache-Control": "public, s-maxage=300", "Surrogate-Key": "guarded"}
    )
    send(varnish, "/guarded/")

    by_key = send(
        varnish, "/", method="PURGE", headers={"Surrogate-Key": "guarded"}, source=OTHER_ADDRESS
    )
    by_path = send(varnish, "/guarded/", method="PURGE", source=OTHER_ADDRESS)

    assert (by_key.status, by_path.status) == (403, 403)
    assert send(varnish, "/guarded/").cache == "HIT"
    assert backend.hits("/guarded/") == 1


@pytest.mark.parametrize(
    "keys", ["Article-1", "home|.*", ".*", "article_1", "home,feeds", "(^|x)", "", "   "]
)
def test_a_purge_with_a_bad_key_is_refused_and_bans_nothing(varnish, backend, keys):
    path = f"/bad-key-{hashlib.sha256(keys.encode()).hexdigest()[:12]}/"
    backend.answer(
        path,
        headers={"Cache-Control": "public, s-maxage=300", "Surrogate-Key": "home article-1 feeds"},
    )
    send(varnish, path)

    refused = send(varnish, "/", method="PURGE", headers={"Surrogate-Key": keys})

    assert refused.status == 400
    assert send(varnish, path).cache == "HIT"


@pytest.mark.parametrize("source", ["127.0.0.1", OTHER_ADDRESS])
def test_the_app_sees_the_client_address_in_x_real_ip(varnish, backend, source):
    path = f"/client-address-{source}/"
    backend.answer(path)

    send(varnish, path, headers={"X-Real-IP": "203.0.113.9"}, source=source)
    send(varnish, "/form/", method="POST", headers={"X-Real-IP": "203.0.113.9"}, source=source)

    assert backend.requests(path)[0].headers["x-real-ip"] == source
    assert backend.requests("/form/")[-1].headers["x-real-ip"] == source


def test_running_varnish_stops_varnishd_and_deletes_its_folder_when_the_block_fails(
    varnishd, backend, free_port
):
    with (
        pytest.raises(RuntimeError, match="in the block"),
        running_varnish(port=free_port, backend_port=backend.port) as running,
    ):
        assert send(running, "/", method="PURGE", headers={"Surrogate-Key": "!"}).status == 400
        raise RuntimeError("in the block")

    assert not running.workdir.parent.exists()
    with pytest.raises(ConnectionRefusedError):
        send(running, "/")


def test_running_varnish_says_why_varnishd_did_not_start(varnishd, backend):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(VarnishError, match="varnishd exited"),
            running_varnish(port=port, backend_port=backend.port),
        ):
            pass  # pragma: no cover (never reached)
