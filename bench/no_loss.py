"""`make loadtest`: nothing lost under load. 16 clients post comments and information requests for
60 s against the production shape (gunicorn, DEBUG off, PostgreSQL, Redis); then the database must
hold every submission the site accepted exactly once, none it refused, and no answer may be a 5xx.

Each client is a browser of its own (one cookie jar): it fetches the comment form and the
information request form once, waits out the time trap, then posts one after the other until the
time is up, each submission with a unique marker in its e-mail address. Exits 1 on any loss,
duplicate, 5xx, unanswered or refused submission.

Usage: .venv/bin/python -m bench.no_loss [--duration 60] [--clients 16]
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.client import TIME_TRAP_SECONDS, Browser
from bench.servers import ensure_database, gunicorn, manage, production_environment

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/careers_loadtest"
ARTICLES = 8  # the clients' comments are spread over this many articles


@dataclass
class Sent:
    """One submission and what the site answered (status None: no answer at all)."""

    kind: str  # "comment" or "lead"
    email: str
    status: int | None
    accepted: bool
    seconds: float
    error: str = ""


class Window:
    """The posting time: it opens when every client has its forms and has waited out the time
    trap, and closes `duration` seconds later."""

    def __init__(self, clients: int, duration: float):
        self.deadline = 0.0
        self.ready = threading.Barrier(clients, action=lambda: self.open(duration))

    def open(self, duration: float) -> None:
        self.deadline = time.monotonic() + duration


class Client(threading.Thread):
    """One reader posting comments and information requests while the window is open."""

    def __init__(self, number: int, base_url: str, article_path: str, run_id: str, window: Window):
        super().__init__(name=f"client-{number}", daemon=True)
        self.number = number
        self.base_url = base_url
        self.article_path = article_path
        self.run_id = run_id
        self.window = window
        self.sent: list[Sent] = []
        self.failure = ""

    def run(self) -> None:
        browser = Browser(self.base_url)
        try:
            comment_form = browser.comment_form(self.article_path)
            lead_form = browser.lead_form()
        except Exception as error:  # reported: a client that cannot start is a failure too
            self.failure = f"could not fetch the forms: {error!r}"
            self.window.ready.wait()
            return
        time.sleep(TIME_TRAP_SECONDS)
        self.window.ready.wait()  # all clients start posting together
        comment_path = f"{self.article_path.rstrip('/')}/comments/"
        n = 0
        while time.monotonic() < self.window.deadline:
            n += 1
            email = self.email("c", n)
            self.send(
                browser,
                "comment",
                email,
                comment_path,
                {
                    **comment_form.fields,
                    "body": (
                        "Thank you for this guide: it helped me plan my move into machine "
                        f"learning. Load test comment {email}."
                    ),
                    "author_name": f"Load Reader {self.number}-{n}",
                    "author_email": email,
                    "author_url": "",
                },
            )
            if time.monotonic() >= self.window.deadline:
                break
            email = self.email("l", n)
            self.send(
                browser,
                "lead",
                email,
                "/get-info/",
                {
                    **lead_form.fields,
                    "first_name": "Load",
                    "last_name": f"Reader {self.number}-{n}",
                    "email": email,
                    "program": lead_form.first_choice("program"),
                    "consent": "on",
                    "message": "Could a coach tell me more about the program?",
                },
                # The modal's way: an answer in JSON instead of a redirect.
                headers={"Accept": "application/json"},
            )

    def email(self, kind: str, n: int) -> str:
        return f"{marker_prefix(self.run_id)}{kind}{self.number}-{n}@example.com"

    def send(
        self,
        browser: Browser,
        kind: str,
        email: str,
        path: str,
        data: dict[str, str],
        headers: dict[str, str] | None = None,
    ) -> None:
        started = time.monotonic()
        try:
            response = browser.request(path, data, headers=headers)
        except OSError as error:
            self.sent.append(
                Sent(kind, email, None, False, time.monotonic() - started, repr(error))
            )
            return
        seconds = time.monotonic() - started
        if kind == "comment":
            accepted = response.status == 302  # to the comment; an invalid form answers 200
        else:
            try:
                accepted = response.status == 200 and response.json().get("ok") is True
            except ValueError:
                accepted = False
        self.sent.append(Sent(kind, email, response.status, accepted, seconds))


def marker_prefix(run_id: str) -> str:
    return f"noloss-{run_id}-"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of posting")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() * 2 + 1)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--keep", action="store_true", help="keep the run's submissions in the database"
    )
    return parser.parse_args()


def loadtest_environment(args: argparse.Namespace) -> dict[str, str]:
    return production_environment(
        port=args.port,
        database_url=DEFAULT_DATABASE_URL,
        redis_url="redis://127.0.0.1:6379/13",
        secret_key="load-test-only-secret-key-0123456789-abcdefghijklmnop",
    )


def prepare(env: dict[str, str]) -> list[str]:
    """Migrate, collect static files, and make sure there are articles to comment on and a
    program to ask about; returns the articles' paths."""
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    from articles.models import Article
    from bench.seed import seed_articles, seed_programs

    ids = seed_articles(ARTICLES)
    seed_programs()
    return [article.get_absolute_url() for article in Article.objects.filter(pk__in=ids)]


@dataclass
class Stored:
    """What the database holds for one kind of submission of the run."""

    copies: Counter  # e-mail address: rows holding it
    spam: int = 0  # comments the moderation rules took for spam
    without_consent: int = 0  # information requests without their consent record


@dataclass
class Check:
    """What the database holds for the run, against what the site answered."""

    sent: int = 0
    accepted: int = 0
    refused: Counter = field(default_factory=Counter)  # 4xx (and 200 with errors) by status
    no_answer: int = 0
    server_errors: int = 0
    stored: int = 0
    missing: int = 0
    duplicates: int = 0
    stored_though_refused: int = 0
    stored_unknown: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0


def check(sent: list[Sent], stored: Stored) -> Check:
    result = Check(sent=len(sent), stored=sum(stored.copies.values()))
    for submission in sent:
        copies = stored.copies[submission.email]
        if submission.accepted:
            result.accepted += 1
            result.missing += copies == 0
            result.duplicates += copies > 1
            continue
        if submission.status is None:
            result.no_answer += 1
        elif submission.status >= 500:
            result.server_errors += 1
        else:
            result.refused[submission.status] += 1
        result.stored_though_refused += copies > 0
    result.stored_unknown = len(set(stored.copies) - {s.email for s in sent})
    times = sorted(s.seconds * 1000 for s in sent if s.status is not None)
    if len(times) >= 2:
        percentiles = statistics.quantiles(times, n=100, method="inclusive")
        result.p50_ms, result.p99_ms = percentiles[49], percentiles[98]
    return result


def stored_rows(run_id: str) -> dict[str, Stored]:
    """The run's rows: comments, information requests, and the leads (one per person)."""
    from comments.models import Comment
    from leads.models import Lead, Submission

    prefix = marker_prefix(run_id)
    comments = Comment.objects.filter(author_email__startswith=prefix)
    submissions = Submission.objects.filter(email__startswith=prefix)
    leads = Lead.objects.filter(email__startswith=prefix)
    return {
        "comment": Stored(
            Counter(comments.values_list("author_email", flat=True)),
            spam=comments.filter(status=Comment.Status.SPAM).count(),
        ),
        "lead": Stored(
            Counter(submissions.values_list("email", flat=True)),
            without_consent=submissions.filter(consent__isnull=True).count(),
        ),
        "person": Stored(Counter(leads.values_list("email", flat=True))),
    }


def main() -> int:
    args = parse_args()
    env = loadtest_environment(args)
    articles = prepare(env)
    started = time.time()
    run_id = f"{int(started)}"
    base = f"http://127.0.0.1:{args.port}"
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept open for gunicorn, read after)
        "w+", prefix="careers-loadtest-", suffix=".log", delete=False
    )
    print(
        f"No-loss load test: {args.clients} clients for {args.duration} s against gunicorn "
        f"({args.workers} workers) on {base}, database {env['DATABASE_URL'].rsplit('/', 1)[1]}, "
        f"server log {log.name}",
        flush=True,
    )
    with gunicorn(env, args, log=log):
        window = Window(args.clients, args.duration)
        clients = [
            Client(n, base, articles[n % len(articles)], run_id, window)
            for n in range(args.clients)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
    sent = [s for client in clients for s in client.sent]
    rows = stored_rows(run_id)
    failures = [f"client {c.number}: {c.failure}" for c in clients if c.failure]

    print()
    print(
        f"{'':>8} {'sent':>6} {'accepted':>8} {'refused':>7} {'no answer':>9} {'5xx':>4} "
        f"{'stored':>6} {'missing':>7} {'duplicates':>10} {'p50 ms':>7} {'p99 ms':>7}  "
        "refused by status"
    )
    for kind in ("comment", "lead"):
        stored = rows[kind]
        result = check([s for s in sent if s.kind == kind], stored)
        by_status = " ".join(f"{status}={n}" for status, n in sorted(result.refused.items()))
        print(
            f"{kind + 's':>8} {result.sent:>6} {result.accepted:>8} "
            f"{sum(result.refused.values()):>7} {result.no_answer:>9} {result.server_errors:>4} "
            f"{result.stored:>6} {result.missing:>7} {result.duplicates:>10} "
            f"{result.p50_ms:>7.1f} {result.p99_ms:>7.1f}  {by_status or '-'}"
        )
        problems = {
            "refused": sum(result.refused.values()),
            "without an answer": result.no_answer,
            "answered 5xx": result.server_errors,
            "accepted but missing": result.missing,
            "stored more than once": result.duplicates,
            "refused or unanswered but stored": result.stored_though_refused,
            "stored but never sent": result.stored_unknown,
            "honest comments marked spam": stored.spam,
            "requests without their consent record": stored.without_consent,
        }
        failures += [f"{kind}s {what}: {n}" for what, n in problems.items() if n]
        if result.accepted == 0:
            failures.append(f"no {kind} was accepted")
    if duplicated := sum(1 for n in rows["person"].copies.values() if n > 1):
        failures.append(f"people with more than one lead: {duplicated}")

    log.seek(0)
    server_log = log.read()
    log.close()
    for line in server_log.splitlines():
        if "Traceback" in line or "WORKER TIMEOUT" in line or "ERROR" in line:
            print(f"server log: {line}")

    if not args.keep:
        from bench.seed import remove_submissions

        remove_submissions(marker_prefix(run_id), since=datetime.fromtimestamp(started, tz=UTC))
    print()
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print(f"OK: every accepted submission stored exactly once, no 5xx ({len(sent)} submissions).")
    os.unlink(log.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
