"""Faults: Redis gone, the database gone, the mail server down. `make chaos` proves the same on
real servers; these tests hold the behaviour in place."""

import importlib
import logging
import socket
from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from redis.exceptions import ConnectionError as RedisConnectionError

from careers_site.cache import STILL_DOWN_LOG_INTERVAL, OutageLogFilter
from comments.clients import rate_limit_exceeded
from comments.models import Comment, Notification
from leads import ratelimit
from leads.models import Submission
from tests.articles.factories import ArticleFactory
from tests.comments.factories import comment_form_data, moderators_group
from tests.leads.factories import ProgramFactory, form_data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dead_redis_cache_settings(location: str) -> dict:
    """The production cache (careers_site/settings.py) pointed at `location`."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        },
    }


@pytest.fixture
def redis_down(settings):
    """The cache is Redis, and nothing listens where it should be."""
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "careers_site.cache.outage"
    location = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = dead_redis_cache_settings(location)
    return location


@pytest.fixture
def redis_silent(settings):
    """Redis accepts connections and never answers (a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        location = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
        settings.CACHES = dead_redis_cache_settings(location)
        yield location


@pytest.fixture
def consent_text():
    """The first consent wording comes from a data migration, which transactional tests flush."""
    migration = importlib.import_module("leads.migrations.0002_coaches_group_and_consent_text")
    migration.create_group_and_consent(apps, None)


# Redis down: a miss, never an error


def test_dead_redis_reads_as_misses_and_drops_writes(redis_down):
    assert cache.get("key", "default") == "default"
    assert cache.set("key", "value") is None
    assert not cache.add("key", "value")
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("key") is None
    assert not cache.delete("key")
    assert cache.incr("key") is None


@pytest.mark.django_db
def test_a_hung_redis_is_a_miss_after_its_short_timeout_not_an_error(redis_silent, client):
    article = ArticleFactory()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"


def test_an_outage_is_logged_once_a_minute_not_once_a_call(redis_down, outage_log):
    for _ in range(50):
        assert cache.get("key", "default") == "default"

    (record,) = [r for r in outage_log.records if r.name == "careers_site.cache.outage"]
    assert record.getMessage().startswith("Cache unavailable (0 calls served without it")
    assert "Connection refused" in record.getMessage()
    assert record.exc_info is None  # no traceback for a server that is down


def test_the_outage_log_filter_lets_one_line_a_minute_through():
    outage_filter = OutageLogFilter()
    records = [
        logging.LogRecord("careers_site.cache.outage", logging.ERROR, "", 0, "Exception ignored",
                          (), (RedisConnectionError, RedisConnectionError("refused"), None))
        for _ in range(5)
    ]  # fmt: skip
    passed = [record for record in records if outage_filter.filter(record)]

    assert len(passed) == 1
    assert passed[0].getMessage() == (
        "Cache unavailable (0 calls served without it since the last line): refused"
    )
    outage_filter._logged_at -= STILL_DOWN_LOG_INTERVAL  # a minute later
    assert outage_filter.filter(records[-1])
    assert "(4 calls served without it" in records[-1].getMessage()


@pytest.mark.django_db
def test_rate_limits_let_requests_through_while_redis_is_down(redis_down, settings):
    settings.COMMENTS_RATE_LIMIT_PER_MINUTE = 1
    assert [rate_limit_exceeded("client") for _ in range(3)] == [False, False, False]
    for _ in range(3):
        ratelimit.record_hit("client")
    assert ratelimit.is_limited("client", limit=1) is False


@pytest.mark.django_db
def test_comment_is_saved_while_redis_is_down(client, redis_down):
    article = ArticleFactory()
    url = reverse("comments:create", kwargs={"slug": article.slug})
    for number in range(7):  # more than the limit of 5 a minute
        response = client.post(url, comment_form_data(body=f"Comment {number} while Redis is down"))
        assert response.status_code == 302
    assert Comment.objects.count() == 7


@pytest.mark.django_db
def test_lead_is_saved_while_redis_is_down(client, redis_down, settings, consent_text):
    settings.LEADS_RATE_LIMIT = 1
    program = ProgramFactory()
    for number in range(3):
        response = client.post(
            "/get-info/",
            form_data(program, email=f"person{number}@example.com"),
            headers={"Accept": "application/json"},
        )
        assert response.json()["ok"] is True
    assert Submission.objects.count() == 3


@pytest.mark.django_db
def test_admin_sign_in_works_while_redis_is_down(client, redis_down, django_user_model, settings):
    settings.ADMIN_LOGIN_MAX_FAILURES = 1
    django_user_model.objects.create_user("boss", password="right-pass", is_staff=True)
    for _ in range(3):
        assert (
            client.post("/admin/login/", {"username": "boss", "password": "no"}).status_code == 200
        )
    response = client.post("/admin/login/", {"username": "boss", "password": "right-pass"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_healthz_is_200_and_says_the_cache_is_down(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "unavailable"}


# The database gone: a friendly 503


def refuse(self, *args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


@pytest.fixture
def database_gone(db):
    """Every query fails as with PostgreSQL stopped (until the test's own teardown)."""
    with mock.patch.object(BaseDatabaseWrapper, "cursor", refuse):
        yield


@pytest.fixture
def article(db):
    return ArticleFactory(title="How to become an ML engineer")


def test_article_page_is_a_friendly_503_when_the_database_is_gone(
    client, article, database_gone, caplog
):
    response = client.get(article.get_absolute_url())

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "We’ll be back in a moment" in html
    assert "Please try again in a minute." in html
    assert f'href="{article.get_absolute_url()}">Try again' in html
    assert "Content-Security-Policy" in response.headers
    assert "Database unavailable, answered 503: GET" in caplog.text


def test_a_form_sent_while_the_database_is_gone_says_it_was_not_saved(
    client, article, database_gone
):
    url = reverse("comments:create", kwargs={"slug": article.slug})
    response = client.post(url, comment_form_data())
    assert response.status_code == 503
    assert "could not be saved just now" in response.content.decode()


def test_information_request_dialog_gets_json_when_the_database_is_gone(client, database_gone):
    response = client.post("/get-info/", {}, headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json() == {
        "ok": False,
        "message": "What you sent could not be saved just now, because of a problem on our "
        "side. Please send it again in a minute.",
    }


def test_healthz_is_503_json_when_the_database_is_gone(client, database_gone):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_other_errors_are_not_taken_for_an_outage(client, article, monkeypatch):
    def broken(self, *args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("articles.views.ArticleDetailView.get_object", broken)
    client.raise_request_exception = False
    assert client.get(article.get_absolute_url()).status_code == 500


def test_persistent_connections_are_checked_before_reuse(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def run_worker() -> None:
    call_command("task_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.mark.parametrize("error", [OperationalError("gone"), InterfaceError("closed")])
def test_task_worker_waits_out_a_database_outage(error, caplog, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    runs = iter([error, None])

    def run(worker):
        outcome = next(runs)
        if outcome is not None:
            raise outcome

    with (
        mock.patch.object(Worker, "run", run),
        mock.patch("careers_site.management.commands.task_worker.time.sleep") as sleep,
    ):
        run_worker()

    sleep.assert_called_once_with(5)
    assert "Task worker: database unavailable" in caplog.text


# The mail server down: saved now, delivered by the worker when it returns


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_lead_emails_once_the_mail_server_is_back(client, settings, consent_text):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.leads.doubles.FailingEmailBackend"
    settings.LEADS_NOTIFY_EMAILS = ["coach@careers.example"]
    settings.LEADS_RETRY_SECONDS = 30
    program = ProgramFactory()

    response = client.post("/get-info/", form_data(program), headers={"Accept": "application/json"})
    assert response.json()["ok"] is True
    run_worker()  # the first attempt fails and schedules a retry in 30 s

    submission = Submission.objects.get()
    assert submission.has_pending_email
    retry = DBTaskResult.objects.get(
        status=TaskResultStatus.READY, task_path="leads.tasks.deliver_submission_emails"
    )
    assert retry.run_after - timezone.now() > timedelta(seconds=25)
    # The other job waiting is the request's first-contact check, an hour later.
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # 30 s later
    run_worker()

    submission.refresh_from_db()
    assert (submission.confirmation_status, submission.notification_status) == ("sent", "sent")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "Grace.Hopper@Example.com",
        "coach@careers.example",
    ]


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_comment_emails_once_the_mail_server_is_back(
    client, settings, django_user_model
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.leads.doubles.FailingEmailBackend"
    settings.COMMENTS_NOTIFICATION_RETRY_SECONDS = 30
    moderator = django_user_model.objects.create_user("mod", email="mod@example.com")
    moderator.groups.add(moderators_group())
    article = ArticleFactory()

    url = reverse("comments:create", kwargs={"slug": article.slug})
    assert client.post(url, comment_form_data(body="Held, told by e-mail")).status_code == 302
    run_worker()  # the first attempt fails and schedules a retry in 30 s

    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after - timezone.now() > timedelta(seconds=25)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # 30 s later
    run_worker()
    run_worker()

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert [(m.to, "Held, told by e-mail" in m.body) for m in mail.outbox] == [
        (["mod@example.com"], True)
    ]


def test_retry_delays_follow_the_settings(settings):
    from comments.services import retry_delay as comment_retry_delay
    from leads.services import retry_delay as lead_retry_delay

    settings.COMMENTS_NOTIFICATION_RETRY_SECONDS = 2
    settings.LEADS_RETRY_SECONDS = 3
    assert [comment_retry_delay(n).total_seconds() for n in (1, 2, 3)] == [2, 4, 8]
    assert [lead_retry_delay(n).total_seconds() for n in (1, 2, 3)] == [3, 6, 12]
    settings.LEADS_RETRY_SECONDS = 60
    assert lead_retry_delay(20) == timedelta(hours=6)
