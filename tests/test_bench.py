"""The benchmark's and the load test's browser (bench/client.py): it must read the site's forms
as they are rendered and post them back as successful submissions, or `make bench` and
`make loadtest` would measure refusals. And the load test's check must tell every kind of
failure apart."""

import os
import subprocess
import sys
import time
import types
from collections import Counter
from pathlib import Path

import pytest

from bench.client import Browser, parse_form
from bench.no_loss import Sent, Stored, check
from comments.models import Comment
from leads.models import Submission
from tests.articles.factories import ArticleFactory
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
