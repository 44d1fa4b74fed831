import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from articles.models import Article, ArticleView
from articles.services import article_view_record, article_views_prune

from .factories import ArticleFactory

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def beacon(client, article, user_agent=BROWSER, address="203.0.113.7", **headers):
    return client.post(
        f"/articles/{article.slug}/view/",
        HTTP_USER_AGENT=user_agent,
        REMOTE_ADDR=address,
        headers={"Sec-Fetch-Site": "same-origin", **headers},
    )


def views_of(article) -> int:
    article.refresh_from_db(fields=["view_count"])
    return article.view_count


@pytest.mark.django_db
class TestBeacon:
    def test_first_visit_counts_once_and_answers_the_count(self, client):
        article = ArticleFactory()
        response = beacon(client, article)
        assert response.status_code == 200
        assert response.json() == {"views": 1, "label": ""}  # too few to show
        assert response["Cache-Control"] == "no-store"
        assert views_of(article) == 1
        assert beacon(client, article).json() == {"views": 1, "label": ""}

    def test_same_visitor_within_24_hours_counts_once(self, client):
        article = ArticleFactory()
        for _ in range(3):
            beacon(client, article)
        assert views_of(article) == 1

    def test_other_visitors_and_other_articles_count_separately(self, client):
        article, other = ArticleFactory(), ArticleFactory()
        beacon(client, article, address="203.0.113.7")
        beacon(client, article, address="198.51.100.9")
        beacon(client, other, address="203.0.113.7")
        assert (views_of(article), views_of(other)) == (2, 1)

    def test_visitor_counts_again_after_24_hours(self):
        article = ArticleFactory()
        start = timezone.now()
        assert article_view_record(article_id=article.pk, visitor="v", now=start)
        assert not article_view_record(
            article_id=article.pk, visitor="v", now=start + timedelta(hours=23, minutes=59)
        )
        assert article_view_record(
            article_id=article.pk, visitor="v", now=start + timedelta(hours=24, seconds=1)
        )
        assert views_of(article) == 2

    def test_behind_a_proxy_visitors_are_told_apart_by_the_configured_header(
        self, client, settings
    ):
        settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
        article = ArticleFactory()
        beacon(client, article, address="10.0.0.1", **{"X-Real-IP": "203.0.113.7"})
        beacon(client, article, address="10.0.0.1", **{"X-Real-IP": "198.51.100.9"})
        beacon(client, article, address="10.0.0.1", **{"X-Real-IP": "198.51.100.9"})
        assert views_of(article) == 2

    def test_no_raw_ip_address_is_stored(self, client):
        article = ArticleFactory()
        beacon(client, article, address="203.0.113.7")
        stored = ArticleView.objects.get()
        assert "203.0.113.7" not in stored.visitor
        assert len(stored.visitor) == 64

    @pytest.mark.parametrize(
        "user_agent",
        [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "facebookexternalhit/1.1",
            "curl/8.5.0",
            "python-requests/2.32",
            "Mozilla/5.0 HeadlessChrome/120.0",
            "",
        ],
    )
    def test_bots_are_not_counted(self, client, user_agent):
        article = ArticleFactory()
        response = beacon(client, article, user_agent=user_agent)
        assert response.status_code == 200
        assert response.json()["views"] == 0
        assert views_of(article) == 0

    @pytest.mark.parametrize(
        "header", [{"Sec-Purpose": "prefetch"}, {"Purpose": "prefetch"}, {"X-Moz": "prefetch"}]
    )
    def test_prefetches_are_not_counted(self, client, header):
        article = ArticleFactory()
        beacon(client, article, **header)
        assert views_of(article) == 0

    def test_staff_are_not_counted(self, client, staff_user):
        article = ArticleFactory()
        client.force_login(staff_user)
        beacon(client, article)
        assert views_of(article) == 0

    @pytest.mark.parametrize("method", ["get", "head"])
    def test_get_and_head_do_not_count(self, client, method):
        article = ArticleFactory()
        response = getattr(client, method)(
            f"/articles/{article.slug}/view/", HTTP_USER_AGENT=BROWSER
        )
        assert response.status_code == 405
        assert views_of(article) == 0

    def test_reading_the_page_itself_does_not_count(self, client):
        article = ArticleFactory()
        client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
        client.head(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
        assert views_of(article) == 0

    def test_cross_site_beacons_are_refused(self, client):
        article = ArticleFactory()
        response = beacon(client, article, **{"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403
        response = client.post(
            f"/articles/{article.slug}/view/",
            HTTP_USER_AGENT=BROWSER,
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403
        assert views_of(article) == 0

    def test_counting_does_not_touch_updated_at(self, client):
        article = ArticleFactory()
        updated_at = article.updated_at
        beacon(client, article)
        article.refresh_from_db()
        assert article.updated_at == updated_at

    def test_old_visitor_keys_are_pruned(self):
        article = ArticleFactory()
        now = timezone.now()
        article_view_record(article_id=article.pk, visitor="old", now=now - timedelta(hours=25))
        article_view_record(article_id=article.pk, visitor="new", now=now)
        assert article_views_prune(now=now) == 1
        assert list(ArticleView.objects.values_list("visitor", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (DATABASE_URL)"
)
def test_50_concurrent_first_visits_add_exactly_50_on_postgresql():
    article = ArticleFactory()
    barrier = threading.Barrier(50)
    results, errors = [], []

    def visit(number: int) -> None:
        try:
            barrier.wait()
            results.append(article_view_record(article_id=article.pk, visitor=f"visitor-{number}"))
        except Exception as error:  # any failure must fail the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results.count(True) == 50
    assert Article.objects.get(pk=article.pk).view_count == 50


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (DATABASE_URL)"
)
def test_one_visitor_racing_with_itself_counts_once_on_postgresql():
    article = ArticleFactory()
    barrier = threading.Barrier(20)
    results = []

    def visit() -> None:
        try:
            barrier.wait()
            results.append(article_view_record(article_id=article.pk, visitor="same"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
    assert Article.objects.get(pk=article.pk).view_count == 1
