"""The benchmark's and the load test's browser (bench/client.py): it must read the site's forms
as they are rendered and post them back as successful submissions, or `make bench` and
`make loadtest` would measure refusals. The load test's check must tell every kind of failure
apart. And the benchmark's own arithmetic (the readers' mix, wrk's output, the churn's summary,
the report and its targets) is tested here without wrk or a server."""

import os
import random
import subprocess
import sys
import time
import types
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import report
from bench.churn import Summary, reviewed
from bench.client import Browser, parse_form
from bench.no_loss import Sent, Stored, check
from bench.traffic import ReadMix
from bench.wrk import mix, parse_wrk
from comments.models import Comment
from comments.services import discussion_refresh
from leads.models import Submission
from tests.articles.factories import ArticleFactory
from tests.comments.factories import CommentFactory
from tests.leads.factories import ProgramFactory


def test_parse_form_reads_what_a_browser_would_send():
    html = """
    <form id="other"><input name="elsewhere" value="no"></form>
    <form id="target">
      <input type="hidden" name="token" value="a&amp;b">
      <input name="plain">
      <input type="checkbox" name="unticked">
      <input type="checkbox" name="ticked" checked>
      <textarea name="text">
Line one</textarea>
      <select name="choice"><option value="">Choose</option><option value="7">Seven</option>
        <option value="8" selected>Eight</option></select>
      <button type="submit">Send</button>
    </form>"""

    form = parse_form(html, "target")

    assert form.fields == {
        "token": "a&b",
        "plain": "",
        "ticked": "on",
        "text": "Line one",
        "choice": "8",
    }
    assert form.first_choice("choice") == "7"


def test_parse_form_refuses_a_page_without_the_form():
    with pytest.raises(LookupError):
        parse_form("<p>Comments are closed.</p>", "commentform")


@pytest.fixture
def after_the_time_trap(monkeypatch):
    """Ten seconds later for the time traps, without waiting for them."""

    def advance():
        later = types.SimpleNamespace(time=lambda: time.time() + 10)
        monkeypatch.setattr("articles.visitors.time", later)

    return advance


@pytest.mark.django_db(transaction=True)
def test_browser_posts_the_forms_back_as_successful_submissions(live_server, after_the_time_trap):
    article = ArticleFactory()
    ProgramFactory(name="Machine Learning Engineering")
    browser = Browser(live_server.url)
    comment = browser.comment_form(article.get_absolute_url())
    lead = browser.lead_form()
    after_the_time_trap()

    comment_answer = browser.request(
        f"{article.get_absolute_url()}comments/",
        {
            **comment.fields,
            "body": "Thank you, this helped me plan my move into machine learning.",
            "author_name": "Ada Reader",
            "author_email": "ada@example.com",
        },
    )
    lead_answer = browser.request(
        "/get-info/",
        {
            **lead.fields,
            "first_name": "Ada",
            "last_name": "Reader",
            "email": "ada@example.com",
            "program": lead.first_choice("program"),
            "consent": "on",
        },
        headers={"Accept": "application/json"},
    )

    assert comment_answer.status == 302
    assert Comment.objects.get(author_email="ada@example.com").status == Comment.Status.PENDING
    assert lead_answer.status == 200 and lead_answer.json()["ok"] is True
    assert Submission.objects.filter(email="ada@example.com").count() == 1


def test_load_test_check_tells_lost_duplicated_refused_and_failed_submissions_apart():
    sent = [
        Sent("lead", "kept@example.com", 200, True, 0.1),
        Sent("lead", "lost@example.com", 200, True, 0.1),
        Sent("lead", "twice@example.com", 200, True, 0.1),
        Sent("lead", "limited@example.com", 429, False, 0.1),
        Sent("lead", "broken@example.com", 500, False, 0.1),
        Sent("lead", "dropped@example.com", None, False, 30, "timed out"),
    ]
    stored = Stored(
        Counter({"kept@example.com": 1, "twice@example.com": 2, "dropped@example.com": 1})
    )

    result = check(sent, stored)

    assert (result.sent, result.accepted, result.stored) == (6, 3, 4)
    assert (result.missing, result.duplicates) == (1, 1)
    assert result.refused == {429: 1}
    assert (result.server_errors, result.no_answer, result.stored_though_refused) == (1, 1, 1)


ARTICLES = [f"/articles/a-{n}/" for n in range(2000)]


def test_reads_put_four_in_five_on_the_most_read_tenth():
    reads = ReadMix.spread(ARTICLES)
    rng = random.Random(7)

    picks = Counter(reads.pick(rng) for _ in range(20000))

    assert reads.hot == 200
    on_hot = sum(n for path, n in picks.items() if path in reads.paths[:200])
    assert 0.78 < on_hot / 20000 < 0.82
    assert len(picks) > 1500  # the rest spread over all the others (4,000 picks of 1,800)


def test_reads_are_the_same_sequence_for_the_same_seed():
    reads = ReadMix.spread(ARTICLES)

    first = [reads.pick(random.Random(3)) for _ in range(50)]

    assert first == [reads.pick(random.Random(3)) for _ in range(50)]


def test_a_single_page_mix_reads_only_that_page(tmp_path):
    reads = ReadMix.single("/articles/a-0/")

    assert {reads.pick(random.Random(1)) for _ in range(100)} == {"/articles/a-0/"}
    file = reads.write(tmp_path / "paths.txt")
    assert file.read_text() == "/articles/a-0/\n"
    assert reads.wrk_arguments(file, 2) == [str(file), "1", "1", "2"]
    assert reads.describe() == "`/articles/a-0/`"


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8765/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.21ms    2.10ms  40.11ms   80.00%
  Latency Distribution
     50%    4.80ms
     75%    6.00ms
     90%    8.00ms
     99%    1.20s
  6000 requests in 2.00s, 80.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:   2999.50
Transfer/sec:     40.00MB
statuses 200=5990 500=10
x-page-cache hit=5900 miss=100
x-cache none=6000
"""


def test_wrk_output_gives_rates_latencies_errors_and_the_cache_mix():
    result = parse_wrk(WRK_OUTPUT)

    assert (result.requests_per_second, result.p50_ms, result.p99_ms) == (2999.5, 4.8, 1200.0)
    assert result.requests == 6000
    assert result.errors() == 3 + 10  # socket errors and every answer but a 200
    assert result.errors(accepted_status=500) == 3 + 5990
    assert mix(result.page_cache) == "hit 98%, miss 2%"
    assert mix(result.cdn_cache) == ""  # no CDN in front


def test_churn_counts_refused_held_and_lost_comments_as_problems():
    summary = Summary(posted=10, accepted=9, approved=7, stored=8, held=1, missing=1, edits=1)

    assert summary.problems == 3
    assert "**1 refused or unanswered, 1 held, 1 lost**" in summary.describe()
    assert Summary(posted=3, accepted=3, approved=3, stored=3).problems == 0


def test_an_editors_save_changes_the_body_without_growing_it():
    once = reviewed("The body.\n", "10:00:00")

    assert once != "The body.\n"
    assert reviewed(once, "10:00:10") == once.replace("10:00:00", "10:00:10")


def rows(**requests_per_second: float) -> list[report.Row]:
    names = {"bare": report.BARE, "churn": report.CHURN, "calm": report.CALM}
    names |= {"warm": report.WARM, "varnish_warm": report.VARNISH_WARM}
    return [
        report.Row(names[key], "`/`", rps, p50_ms=5, p99_ms=20, errors=0)
        for key, rps in requests_per_second.items()
    ]


def test_report_gives_every_workload_as_a_ratio_to_bare_django():
    lines = report.table(rows(bare=1000, calm=750))

    assert lines[2].startswith("| bare Django | `/` | 1,000 | 1.00 |")
    assert lines[3].startswith("| calm | `/` | 750 | 0.75 |")


def test_targets_are_met_not_met_or_not_measured():
    measured = rows(bare=1000, churn=600, calm=650, warm=950, varnish_warm=6000)
    queries = {"2,000 articles": {"home": 4, "list": 3}, "200 articles": {"home": 4, "list": 5}}

    lines = report.assess(measured, rss_mb=[70, 80], queries=queries)

    assert "churn ≥ 0.5 × bare with p99 < 50 ms: met (0.60 ×, p99 20.0 ms)" in lines
    assert "calm ≥ 0.7 × bare: **not met** (0.65 ×)" in lines
    assert "single warm page ≥ 0.9 × bare: met (0.95 ×)" in lines
    assert "search ≥ 0.2 × bare: not measured" in lines
    assert "through Varnish ≥ 5 × bare: met (single warm page 6.00 ×)" in lines
    assert "queries per page constant in data size: **not met** (list change)" in lines
    assert "worker RSS < 150 MB: met (max 80 MB)" in lines
    assert "comment POST p99 < 100 ms: not measured" in lines


def test_bare_django_answers_five_bytes_through_the_security_middleware():
    """The baseline every ratio is taken against: its own settings, no database."""
    program = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/', HTTP_HOST='127.0.0.1'); "
        "print(r.status_code, r.content, r['X-Content-Type-Options'])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}
    root = Path(__file__).resolve().parent.parent

    output = subprocess.run(
        [sys.executable, "-c", program], env=env, cwd=root, capture_output=True, text=True
    )

    assert output.stdout.split() == ["200", "b'hello'", "nosniff"], output.stderr


@pytest.mark.django_db
def test_floor_answers_the_articles_stored_body_and_threads_without_a_template(client, settings):
    """The floor under the uncached article: its stored parts from one query, nothing else."""
    article = ArticleFactory(body="The **body** of it.")
    CommentFactory(article=article, body="First to comment.")
    discussion_refresh(article_ids=[article.pk])
    settings.ROOT_URLCONF = "bench.floor.urls"

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/articles/{article.slug}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>body</strong>" in html
    assert "First to comment." in html
    assert "<html" not in html
    assert len(queries) == 1
