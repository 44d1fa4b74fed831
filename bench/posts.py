"""The benchmark's form POSTs: a comment and an information request, each a real submission (the
form fetched as a reader's browser gets it, a new person and a new text in every request, sent by
bench/post.lua), and the rows they leave, counted then removed."""

import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.client import Browser

SUCCESS_STATUS = 302  # both forms redirect after a successful submission
IN_PROCESS = "queries"  # "__N__" of the one submission whose queries are counted in this process
WARM_UP = "warm-"  # before "__N__" in the warm-up's submissions, which are not counted
COMMENT_POST = "comment POST"
LEAD_POST = "lead POST"


@dataclass
class PostTarget:
    """A form POST for wrk: the Cookie header and the encoded body, "__N__" made unique per
    request by bench/post.lua. Success is a redirect (an invalid form answers 200 with errors)."""

    name: str
    path: str
    cookie: str
    body: str
    fetched_at: float = 0.0


def marker(run_id: str) -> str:
    """The start of the e-mail address of every person the POSTs of a run invent."""
    return f"bench-{run_id}-"


def post_targets(base: str, article_path: str, run_id: str, fetched_at: float) -> list[PostTarget]:
    """Fetch both forms as a reader's browser would (token, cookie, hidden fields, time trap) and
    fill them in with a person and a text of their own for each request."""
    reader = Browser(base)
    comment = reader.comment_form(article_path)
    comment_fields = {
        **comment.fields,
        "body": (
            "Thank you for this guide: it matches what I saw when I moved into machine "
            f"learning, and the section on skills helped me plan. Reader __N__ of {run_id}."
        ),
        "author_name": "Bench Reader __N__",
        "author_email": f"{marker(run_id)}__N__@example.com",
        "author_url": "",
    }
    lead = reader.lead_form()
    lead_fields = {
        **lead.fields,
        "first_name": "Bench",
        "last_name": "Reader __N__",
        "email": f"{marker(run_id)}__N__@example.com",
        "program": lead.first_choice("program"),
        "consent": "on",
        "message": "Could a coach tell me more about the program and its start dates?",
    }
    return [
        PostTarget(
            COMMENT_POST,
            f"{article_path.rstrip('/')}/comments/",
            reader.cookie_header,
            urllib.parse.urlencode(comment_fields),
            fetched_at,
        ),
        PostTarget(
            LEAD_POST,
            "/get-info/",
            reader.cookie_header,
            urllib.parse.urlencode(lead_fields),
            fetched_at,
        ),
    ]


def warm_up_body(target: PostTarget) -> str:
    """The same form for people of their own ("warm-"), left out of the stored counts."""
    return target.body.replace("__N__", f"{WARM_UP}__N__")


def count_post_queries(target: PostTarget) -> int:
    """The queries of one successful submission, in this process (the form as wrk sends it)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    data = dict(urllib.parse.parse_qsl(target.body.replace("__N__", IN_PROCESS)))
    with CaptureQueriesContext(connection) as queries:
        response = Client().post(target.path, data)
    assert response.status_code == SUCCESS_STATUS, (target.path, response.status_code)
    return len(queries)


def stored_and_removed(run_id: str, started: float) -> dict[str, int]:
    """How many of this run's submissions the database holds; then remove them, so the data set
    stays the same from one run to the next."""
    from bench.seed import remove_submissions
    from comments.models import Comment
    from leads.models import Submission

    prefix = marker(run_id)
    counted_here = f"{prefix}{IN_PROCESS}@example.com"
    warm_up = f"{prefix}{WARM_UP}"
    stored = {
        COMMENT_POST: Comment.objects.filter(author_email__startswith=prefix)
        .exclude(author_email=counted_here)
        .exclude(author_email__startswith=warm_up)
        .count(),
        LEAD_POST: Submission.objects.filter(email__startswith=prefix)
        .exclude(email=counted_here)
        .exclude(email__startswith=warm_up)
        .count(),
    }
    remove_submissions(prefix, since=datetime.fromtimestamp(started, tz=UTC))
    return stored
