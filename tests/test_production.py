"""The production shape: security headers, health check, admin login limits, `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.templatetags.static import static

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/articles/", "/search/?q=x", "/admin/login/", "/healthz"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_public_pages_have_no_inline_script_or_style(client):
    from tests.articles.factories import ArticleFactory, FAQItemFactory

    article = ArticleFactory(with_image=True)
    FAQItemFactory(article=article)
    for url in ["/", "/articles/", article.get_absolute_url(), article.author.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert " style=" not in html, url
        assert "<style" not in html, url
        for chunk in html.split("<script")[1:]:
            opening = chunk.split(">", 1)[0]
            assert "src=" in opening or 'type="application/ld+json"' in opening, (url, opening)


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_gone(client, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_admin_login_is_limited_after_repeated_failures(client, django_user_model, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ADMIN_LOGIN_MAX_FAILURES = 3
    django_user_model.objects.create_user("boss", password="right-pass", is_staff=True)
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "boss", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/admin/login/", {"username": "boss", "password": "right-pass"})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    other = client.post(
        "/admin/login/", {"username": "boss", "password": "right-pass"}, REMOTE_ADDR="10.9.8.7"
    )
    assert other.status_code == 302
    cache.clear()


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "s" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
    "DJANGO_ALLOWED_HOSTS": "careers.example",
    "DJANGO_SECURE": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "1",
    "DJANGO_HSTS_PRELOAD": "1",
    "SITE_URL": "https://careers.example",
}


def test_check_deploy_is_clean_with_the_documented_production_variables():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_static_addresses_come_from_the_manifest_once_per_file(tmp_path, settings):
    """Production's storage (careers_site.storage) gives the hashed, far-future address of each
    file, and looks each one up in the manifest once."""
    from unittest import mock

    from careers_site.storage import StaticFilesStorage

    (tmp_path / "staticfiles.json").write_text(
        '{"paths": {"css/site.css": "css/site.0123456789ab.css"}, "version": "1.1"}'
    )
    storage = StaticFilesStorage(location=str(tmp_path), base_url="/static/")
    with mock.patch.object(storage, "stored_name", wraps=storage.stored_name) as lookups:
        urls = {storage.url("css/site.css") for _ in range(3)}
    assert urls == {"/static/css/site.0123456789ab.css"}
    assert lookups.call_count == 1
    with pytest.raises(ValueError):  # a file missing from the manifest is still an error
        storage.url("css/missing.css")


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_sites_icon(client):
    """Admin pages name no icon, so browsers ask for /favicon.ico: a 404 in their console."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("img/favicon.svg")
    assert finders.find("img/favicon.svg")
