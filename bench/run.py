"""`make bench`: seed a large data set, start the production shape, drive it with wrk over loopback,
and report requests per second, p50/p99 latency and SQL queries per page, each also as a ratio to
a baseline view measured in the same run against the same server.

Every GET target is measured twice, each time against a freshly started gunicorn: "cold" with the
full-page cache off (DJANGO_PAGE_CACHE_SECONDS=0) and "warm" with it on and each URL primed. The
warm server then takes a comment POST and an information request POST (bench/post.lua): real
submissions with a CSRF token, a waited-out time trap and a new person in each request.

Usage: .venv/bin/python -m bench.run [--duration 10] [--connections 16] [--articles 2000]
Results go to stdout and to docs/benchmarks.md.
"""

import argparse
import contextlib
import dataclasses
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from bench.client import Browser

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/careers_bench"
POST_SCRIPT = ROOT / "bench" / "post.lua"
# The time traps refuse forms sent back within 3 s of being shown (COMMENTS_MIN_SECONDS_TO_SUBMIT,
# LEADS_MIN_FILL_SECONDS): the benchmark waits a little longer before its first POST.
TIME_TRAP_SECONDS = 3.5
# High enough that the benchmark's single client address is never rate limited.
RATE_LIMITS = {"COMMENTS_RATE_LIMIT_PER_MINUTE": "100000000", "LEADS_RATE_LIMIT": "100000000"}
PAGE_CACHE = "DJANGO_PAGE_CACHE_SECONDS"
POST_P99_TARGET_MS = 100
SUCCESS_STATUS = 302  # both forms redirect after a successful submission
RSS_TARGET_MB = 150
IN_PROCESS = "queries"  # "__N__" of the one submission whose queries are counted in this process
WARM_UP = "warm-"  # before "__N__" in the warm-up's submissions, which are not counted


@dataclass
class Result:
    name: str
    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    queries: int | None = None
    server: str = "cold"
    page_cache: str = ""
    statuses: dict[int, int] = field(default_factory=dict)
    stored: int | None = None


@dataclass
class PostTarget:
    """A form POST for wrk: the Cookie header and the encoded body, "__N__" made unique per
    request by bench/post.lua. Success is a redirect (an invalid form answers 200 with errors)."""

    name: str
    path: str
    cookie: str
    body: str
    accepted_status: int = SUCCESS_STATUS
    fetched_at: float = 0.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--timeout",
        type=int,
        default=30,
        help="seconds before wrk gives up on an answer (gunicorn's own timeout by default), so "
        "that slow answers count in the latencies instead of dropping out of them as errors",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() * 2 + 1)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=50000)
    parser.add_argument("--leads", type=int, default=10000)
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="seconds of uncounted POSTs before each POST target is measured",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--servers",
        default="uncached,cold,warm",
        help="which servers to measure, comma-separated (a partial run, for working on one figure)",
    )
    parser.add_argument(
        "--posts-only",
        action="store_true",
        help="measure only the baseline and the two POSTs (on the warm server), not the pages",
    )
    return parser.parse_args()


def production_environment(
    *, port: int, database_url: str, redis_url: str, secret_key: str
) -> dict[str, str]:
    """The environment of a production-shape server on this machine (DEBUG off, quiet logs, rate
    limits out of the way as all load comes from one address); the caller's own values win for
    the database, Redis and the secret."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", database_url)
    env.setdefault("REDIS_URL", redis_url)
    env.setdefault("DJANGO_SECRET_KEY", secret_key)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_STATIC_ROOT=str(ROOT / "staticfiles"),
        DJANGO_SETTINGS_MODULE="careers_site.settings",
        GUNICORN_ACCESS_LOG="",
        GUNICORN_LOG_LEVEL="warning",
        SITE_URL=f"http://127.0.0.1:{port}",
        **RATE_LIMITS,
    )
    return env


def bench_environment(args: argparse.Namespace) -> dict[str, str]:
    env = production_environment(
        port=args.port,
        database_url=DEFAULT_DATABASE_URL,
        redis_url="redis://127.0.0.1:6379/14",
        secret_key="benchmark-only-secret-key-0123456789-abcdefghijklmnop",
    )
    env.update(DJANGO_BENCHMARK_ENDPOINTS="1", DJANGO_SERVE_MEDIA="1")
    return env


UNCACHED_TARGETS = ("baseline", "article, 200 comments")


def server_environment(env: dict[str, str], server: str) -> dict[str, str]:
    """Cold: the full-page cache off. Warm: on, for as long as the site's default (or the
    caller's own non-zero DJANGO_PAGE_CACHE_SECONDS) keeps a page."""
    env = dict(env)
    if server == "uncached":  # no full-page cache and no shared fragments: every byte rendered
        env[PAGE_CACHE] = "0"
        env["DJANGO_FRAGMENT_CACHE_SECONDS"] = "0"
    elif server == "cold":
        env[PAGE_CACHE] = "0"
    elif env.get(PAGE_CACHE, "").strip() in ("0", ""):
        env.pop(PAGE_CACHE, None)
    return env


def ensure_database(database_url: str) -> None:
    if not database_url.startswith("postgres"):
        return
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *arguments: str) -> None:
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, check=True)


def seed_and_pick_targets(
    env: dict[str, str], args: argparse.Namespace
) -> tuple[dict[str, str], str]:
    """Seed in this process (Django set up on the benchmark's settings, page cache off so that the
    query counts are the cold ones) and choose the URLs: the GET targets, and the article the
    comment POSTs go to (not the measured one, whose page must stay the same)."""
    os.environ.update(server_environment(env, "cold"))
    import django

    django.setup()
    from bench.seed import seed_articles, seed_comments, seed_leads

    started = time.monotonic()
    ids = sorted(seed_articles(args.articles))
    comments = seed_comments(ids, total=args.comments)
    leads = seed_leads(ids, total=args.leads)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # plans for the seeded rows, not for empty tables
    print(
        f"Seeded {len(ids)} articles, {comments} comments, {leads} leads "
        f"in {time.monotonic() - started:.1f}s"
    )
    from articles.models import Article

    measured, commented = Article.objects.filter(pk__in=ids[:2]).order_by("pk")
    targets = {
        "baseline": "/bench/baseline",
        "home": "/",
        "article, 200 comments": measured.get_absolute_url(),
        "list": "/articles/",
        "list, page 50": "/articles/?page=50",
        "search": "/search/?q=machine+learning+engineers",
    }
    return targets, commented.get_absolute_url()


def count_queries(targets: dict[str, str]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for name, path in targets.items():
        client.get(path)  # warm what a long-running worker would have warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(queries)
    return counts


def count_post_queries(target: PostTarget) -> int:
    """The queries of one successful submission, in this process (the form as wrk sends it)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    data = dict(urllib.parse.parse_qsl(target.body.replace("__N__", IN_PROCESS)))
    with CaptureQueriesContext(connection) as queries:
        response = Client().post(target.path, data)
    assert response.status_code == target.accepted_status, (target.path, response.status_code)
    return len(queries)


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], args: argparse.Namespace, log: IO | None = None
) -> Iterator[subprocess.Popen]:
    """gunicorn as `make serve` runs it (gunicorn.conf.py), on args.port with args.workers."""
    binary = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [binary, "-c", "gunicorn.conf.py", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{args.port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT if log else None,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{args.port}/healthz")
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


DURATION_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * DURATION_UNITS[unit]


def run_wrk(
    name: str, url: str, args: argparse.Namespace, post: PostTarget | None = None
) -> Result:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    command += ["--latency", f"--timeout={args.timeout}s"]
    if post is not None:
        command += ["-s", str(POST_SCRIPT), url, "--", post.cookie, post.body]
    else:
        # As every browser does: the full-page cache keeps pages compressed for such readers.
        command += ["-H", "Accept-Encoding: gzip, deflate, br", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    socket_errors = re.search(r"Socket errors:.*", output)
    errors = sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0))) if socket_errors else 0
    statuses = {}
    if post is not None:
        counted = re.search(r"^statuses (.*)$", output, re.MULTILINE).group(1)
        statuses = {int(s): int(n) for s, n in re.findall(r"(\d+)=(\d+)", counted)}
        errors += sum(n for status, n in statuses.items() if status != post.accepted_status)
    else:
        non_2xx_3xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        errors += int(non_2xx_3xx.group(1)) if non_2xx_3xx else 0
    path = url.split(str(args.port), 1)[1]
    return Result(name, path, rps, p50, p99, errors, statuses=statuses)


def page_cache_state(url: str) -> str:
    """What the full-page cache said about this URL (X-Page-Cache), or "none" without one."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers.get("X-Page-Cache", "none")


def post_targets(base: str, article_path: str, run_id: str) -> list[PostTarget]:
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
        "author_email": f"bench-{run_id}-__N__@example.com",
        "author_url": "",
    }
    lead = reader.lead_form()
    lead_fields = {
        **lead.fields,
        "first_name": "Bench",
        "last_name": "Reader __N__",
        "email": f"bench-{run_id}-__N__@example.com",
        "program": lead.first_choice("program"),
        "consent": "on",
        "message": "Could a coach tell me more about the program and its start dates?",
    }
    fetched_at = time.monotonic()
    return [
        PostTarget(
            "comment POST",
            f"{article_path.rstrip('/')}/comments/",
            reader.cookie_header,
            urllib.parse.urlencode(comment_fields),
            fetched_at=fetched_at,
        ),
        PostTarget(
            "lead POST",
            "/get-info/",
            reader.cookie_header,
            urllib.parse.urlencode(lead_fields),
            fetched_at=fetched_at,
        ),
    ]


def stored_and_removed(run_id: str, started: float) -> dict[str, int]:
    """How many of this run's submissions the database holds; then remove them, so the data set
    stays the same from one run to the next."""
    from bench.seed import remove_submissions
    from comments.models import Comment
    from leads.models import Submission

    marker = f"bench-{run_id}-"
    submissions = list(
        Submission.objects.filter(email__startswith=marker).values_list("pk", flat=True)
    )
    counted_here = f"{marker}{IN_PROCESS}@example.com"
    warm_up = f"{marker}{WARM_UP}"
    stored = {
        "comment POST": Comment.objects.filter(author_email__startswith=marker)
        .exclude(author_email=counted_here)
        .exclude(author_email__startswith=warm_up)
        .count(),
        "lead POST": Submission.objects.filter(pk__in=submissions)
        .exclude(email=counted_here)
        .exclude(email__startswith=warm_up)
        .count(),
    }
    remove_submissions(marker, since=datetime.fromtimestamp(started, tz=UTC))
    return stored


def lost(result: Result) -> bool:
    """Fewer rows in the database than POSTs answered with success."""
    return result.stored is not None and result.stored < result.statuses.get(SUCCESS_STATUS, 0)


def print_result(result: Result) -> None:
    statuses = " ".join(f"{s}={n}" for s, n in sorted(result.statuses.items()))
    print(
        f"{result.server:>4} {result.name:>21}: {result.requests_per_second:8.0f} req/s  "
        f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  errors {result.errors}  "
        f"queries {result.queries}  {result.page_cache or statuses}",
        flush=True,
    )


def measure_server(
    server: str,
    env: dict[str, str],
    args: argparse.Namespace,
    targets: dict[str, str],
    queries: dict[str, int],
    commented_article: str,
    run_id: str,
) -> tuple[list[Result], list[float]]:
    """Start gunicorn, measure the GET targets (warm: each primed first), and on the warm server
    the two POSTs; returns the results and the workers' RSS after the run."""
    base = f"http://127.0.0.1:{args.port}"
    results = []
    with gunicorn(server_environment(env, server), args) as process:
        posts = post_targets(base, commented_article, run_id) if server == "warm" else []
        for name, path in targets.items():
            if server == "uncached" and name not in UNCACHED_TARGETS:
                continue
            if args.posts_only and name != "baseline":
                continue
            if server == "warm":
                urllib.request.urlopen(base + path, timeout=30).read()
            result = run_wrk(name, base + path, args)
            result.server = server
            result.queries = queries.get(name) if server == "cold" else None
            result.page_cache = page_cache_state(base + path)
            results.append(result)
            print_result(result)
        for post in posts:
            time.sleep(max(0.0, post.fetched_at + TIME_TRAP_SECONDS - time.monotonic()))
            warm_up_post(post, base, args)
            queries_per_post = count_post_queries(post)
            result = run_wrk(post.name, base + post.path, args, post)
            result.server, result.queries = server, queries_per_post
            results.append(result)
            print_result(result)
        rss = worker_rss_mb(process.pid)
    return results, rss


def warm_up_post(post: PostTarget, base: str, args: argparse.Namespace) -> None:
    """Send the form for `--warmup` seconds, uncounted, so that every worker has handled it once
    (its first one connects to PostgreSQL and Redis), as the GET targets are primed. Its
    submissions are people of their own ("warm-"), left out of the stored counts."""
    if args.warmup <= 0:
        return
    warm = dataclasses.replace(post, body=post.body.replace("__N__", f"{WARM_UP}__N__"))
    run_wrk(
        f"{post.name} (warm-up)",
        base + post.path,
        argparse.Namespace(**{**vars(args), "duration": args.warmup}),
        warm,
    )


def worker_rss_mb(master_pid: int) -> list[float]:
    children = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            if match:
                sizes.append(int(match.group(1)) / 1024)
    return sizes


def report(
    results: list[Result],
    rss: dict[str, list[float]],
    args: argparse.Namespace,
    env: dict[str, str],
    load: tuple[float, float],
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Made by `make bench` (`.venv/bin/python -m bench.run "
        f"--duration {args.duration} --connections {args.connections} --articles {args.articles} "
        f"--comments {args.comments} --leads {args.leads}`)"
        f" on {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"gunicorn with {args.workers} workers, database `{env['DATABASE_URL'].split('://')[0]}`,"
        f" cache Redis, wrk {args.threads} threads / {args.connections} connections over "
        f"loopback (timeout {args.timeout}s), {args.duration}s per target. Load average "
        f"(1 min) {load[0]:.1f} before the measurements and {load[1]:.1f} after (the run's own "
        "load; well above 0 before means other work, or the tail of an earlier run, was "
        "sharing the CPUs).",
        "",
        "Each GET target is measured against two freshly started servers: **cold** with the "
        f"full-page cache off (`{PAGE_CACHE}=0`) and **warm** with it on and each URL requested "
        "once before wrk starts. Cold pages are put together from the fragments that are kept "
        "per change of content (article body, header, related articles, comment section, "
        "navigation: `DJANGO_FRAGMENT_CACHE_SECONDS`); the **uncached** row renders the "
        "article with every cache off. GETs send `Accept-Encoding: gzip, deflate, br` as "
        "browsers do (cached pages are kept compressed). The POSTs run on the warm server. "
        "Ratios compare with the baseline view (a fixed small response through the whole "
        "middleware stack) measured against the same server in the same run, so runs on "
        "different machines compare.",
        "",
        "| server | target | path | req/s | × baseline | p50 ms | p99 ms | errors | "
        "SQL queries | X-Page-Cache |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    baselines = {r.server: r for r in results if r.name == "baseline"}
    for result in results:
        baseline = baselines[result.server]
        lines.append(
            f"| {result.server} | {result.name} | `{result.path}` | "
            f"{result.requests_per_second:,.0f} | "
            f"{result.requests_per_second / baseline.requests_per_second:.2f} | "
            f"{result.p50_ms:.1f} | {result.p99_ms:.1f} | {result.errors} | "
            f"{'' if result.queries is None else result.queries} | {result.page_cache} |"
        )
    lines += ["", "Notes:", ""]
    posts = [result for result in results if result.stored is not None]
    if posts:
        lines.append(
            "- Submissions: "
            + "; ".join(
                f"{result.name} answered "
                + (", ".join(f"{n:,} × {s}" for s, n in sorted(result.statuses.items())) or "0")
                + f", {result.stored:,} rows stored"
                + (" (**fewer rows than successes: submissions lost**)" if lost(result) else "")
                for result in posts
            )
            + ". A POST counts as an error unless it is answered with the redirect of a "
            "successful submission (an invalid form is answered 200 with its errors, a refusal "
            "403 or 429). There can be more rows than answers: a request in flight when wrk "
            "stops (at most one per connection) or timed out by wrk is stored unanswered."
        )
    lines.append(
        "- The POSTs are real submissions, each a new person with a new text: each form is "
        "fetched once as a reader's browser would (CSRF cookie and token, hidden fields, the "
        f"signed time trap), then sent back after more than {TIME_TRAP_SECONDS:g} s. The server "
        "runs with "
        + " and ".join(f"`{name}={value}`" for name, value in RATE_LIMITS.items())
        + ", as all the load comes from one address. The comments go to another article than "
        "the measured one; the benchmark deletes its submissions afterwards."
        + (
            f" Each POST target is first sent for {args.warmup} s uncounted (`--warmup`), so "
            "that every worker has handled it once, as each GET target is primed."
            if args.warmup > 0
            else ""
        )
    )
    max_requests = env.get("GUNICORN_MAX_REQUESTS", "2000")
    for server, sizes in rss.items():
        if sizes:
            lines.append(
                f"- Worker memory after the {server} run (RSS): max {max(sizes):.0f} MB, "
                f"mean {sum(sizes) / len(sizes):.0f} MB over {len(sizes)} workers (each "
                f"recycled after about {max_requests} requests, as in production: "
                "`GUNICORN_MAX_REQUESTS`)."
            )
    worst_post = max((result.p99_ms for result in posts), default=None)
    worst_rss = max((size for sizes in rss.values() for size in sizes), default=None)
    if worst_post is not None and worst_rss is not None:
        lines.append(
            f"- Targets: POST p99 under {POST_P99_TARGET_MS} ms at 16 connections "
            f"({'met' if worst_post < POST_P99_TARGET_MS else 'not met'}: {worst_post:.0f} ms "
            f"at {args.connections}); a worker under {RSS_TARGET_MB} MB RSS after the run "
            f"({'met' if worst_rss < RSS_TARGET_MB else 'not met'}: {worst_rss:.0f} MB)."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    env = bench_environment(args)
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    targets, commented_article = seed_and_pick_targets(env, args)
    queries = count_queries(targets)
    started = time.time()
    run_id = f"r{int(started)}"

    results, rss = [], {}
    load_before = os.getloadavg()[0]
    try:
        servers = ["warm"] if args.posts_only else args.servers.split(",")
        for server in servers:
            server_results, rss[server] = measure_server(
                server, env, args, targets, queries, commented_article, run_id
            )
            results += server_results
    finally:
        stored = stored_and_removed(run_id, started)
    for result in results:
        result.stored = stored.get(result.name)
        if result.stored is not None:
            print(f"{result.name}: {result.stored} stored in the database")
            if lost(result):
                print(f"{result.name}: fewer rows than successful answers: submissions lost")
    text = report(results, rss, args, env, (load_before, os.getloadavg()[0]))
    Path(args.output).write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
