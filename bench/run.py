"""`make bench`: the living site against a bare Django, in the same run.

Seeds a large data set, then serves, one after the other with the same gunicorn settings
(gunicorn.conf.py, `--workers`): a bare Django (bench/bare: 5 bytes through Django's security
middleware), the site with its page cache, the site without it, and the site behind Varnish; and
drives each with wrk over loopback (`--connections` connections, `--duration` seconds a workload):

- bare Django: its one page; every req/s of the report is also given as a ratio to this one;
- calm: reads spread over every article (bench/reads.lua: 80 % on the 10 % most read);
- churn: the same reads while returning commenters post a comment a second, approved at once,
  and an editor saves an article every 10 s (bench/churn.py);
- single warm page: the article with 200 comments, requested once, then hammered;
- uncached article, 200 comments: the same, against a server with DJANGO_PAGE_CACHE_SECONDS=0;
- floor: the same address answered by bench/floor (the site's settings and middleware, one query
  for the article's stored body and comment threads, no template): what no render can go under;
- search: one query;
- Varnish: the single warm page, calm and churn again through Varnish (cdn.varnish), skipped with
  the reason when that module or varnishd is missing;
- comment POST and lead POST: real form submissions, a new person and text each (bench/post.lua).

It also counts the SQL queries per page at this data size and at a tenth of it, and the workers'
memory. Results go to stdout and to docs/benchmarks.md (`--output`).

Usage: .venv/bin/python -m bench.run [--duration 10] [--connections 16] [--workloads calm,churn]
"""

import argparse
import json
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench import report
from bench.churn import Summary
from bench.client import TIME_TRAP_SECONDS
from bench.posts import (
    SUCCESS_STATUS,
    PostTarget,
    count_post_queries,
    post_targets,
    stored_and_removed,
    warm_up_body,
)
from bench.servers import (
    RATE_LIMITS,
    ROOT,
    ensure_database,
    gunicorn,
    manage,
    production_environment,
    worker_rss_mb,
)
from bench.traffic import ReadMix
from bench.wrk import BROWSER_HEADERS, POST_SCRIPT, READS_SCRIPT, WrkRun, mix, run_wrk

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/careers_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
SMALL_REDIS_DB = "15"  # the smaller data set's cache, apart: fragments are keyed on row ids
PAGE_CACHE = "DJANGO_PAGE_CACHE_SECONDS"
CDN_PURGE = "DJANGO_CDN_PURGE_URLS"
# What the caller may choose in the environment; the command line in the report shows it.
CALLER_SETTINGS = ("DATABASE_URL", "REDIS_URL", PAGE_CACHE, "GUNICORN_MAX_REQUESTS")
BARE_APP = "bench.bare.wsgi:application"
FLOOR_SETTINGS = "bench.floor.settings"
SEARCH_PATH = "/search/?q=machine+learning+engineers"
PRIMING_CLIENTS = 4
WORKLOADS = ("calm", "churn", "warm", "uncached", "search", "posts", "varnish")
# Each wrk thread draws its paths from SEED * 1000 + its number: the warm-up, calm and churn
# read different sequences from the same distribution.
WARM_UP_SEED, CALM_SEED, CHURN_SEED = 1, 2, 3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per workload")
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
        "--small-fraction",
        type=int,
        default=10,
        help="the query counts are also taken on a data set this many times smaller, in a "
        "database of its own (<database>_small); 0 to skip",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="seconds of uncounted traffic before calm (reads, other paths of the same mix) and "
        "before each POST target",
    )
    parser.add_argument("--comment-every", type=float, default=1.0, help="churn: seconds")
    parser.add_argument("--edit-every", type=float, default=10.0, help="churn: seconds")
    parser.add_argument("--port", type=int, default=8765, help="the site's gunicorn")
    parser.add_argument("--bare-port", type=int, default=8764, help="the bare Django's gunicorn")
    parser.add_argument("--varnish-port", type=int, default=8767)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        help="a partial run, comma-separated, among: " + ", ".join(WORKLOADS) + " (the bare "
        "baseline is always measured; a server is started only if a workload needs it)",
    )
    args = parser.parse_args()
    args.workloads = [name.strip() for name in args.workloads.split(",") if name.strip()]
    if unknown := set(args.workloads) - set(WORKLOADS):
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")
    return args


def bench_environment(args: argparse.Namespace) -> dict[str, str]:
    """The site's environment, page cache on (the site's default, or the caller's non-zero
    DJANGO_PAGE_CACHE_SECONDS)."""
    env = production_environment(
        port=args.port,
        database_url=DEFAULT_DATABASE_URL,
        redis_url=DEFAULT_REDIS_URL,
        secret_key="benchmark-only-secret-key-0123456789-abcdefghijklmnop",
    )
    env.update(DJANGO_SERVE_MEDIA="1")
    env.pop(CDN_PURGE, None)
    if env.get(PAGE_CACHE, "").strip() in ("0", ""):
        env.pop(PAGE_CACHE, None)
    return env


def uncached(env: dict[str, str]) -> dict[str, str]:
    return {**env, PAGE_CACHE: "0"}


def floor_environment(env: dict[str, str]) -> dict[str, str]:
    return {**uncached(env), "DJANGO_SETTINGS_MODULE": FLOOR_SETTINGS}


def bare_environment(env: dict[str, str]) -> dict[str, str]:
    return {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}


def small_environment(env: dict[str, str]) -> dict[str, str]:
    redis_server = env["REDIS_URL"].rsplit("/", 1)[0]
    return {
        **env,
        "DATABASE_URL": env["DATABASE_URL"] + "_small",
        "REDIS_URL": f"{redis_server}/{SMALL_REDIS_DB}",
    }


def prepare(env: dict[str, str]) -> None:
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")


@dataclass
class Site:
    """What the run reads and writes, chosen once the data set is seeded."""

    reads: ReadMix  # every article, most read (newest) first
    measured: str  # the article with 200 comments
    commented: str  # where the comment POSTs go: their held comments change no measured page
    regulars: list[str]  # returning commenters' e-mail addresses


def seed_site(env: dict[str, str], args: argparse.Namespace) -> tuple[Site, dict[str, int]]:
    """Seed in this process (Django set up on the benchmark's settings, page cache off so that the
    query counts are those of a rendered page), choose the paths, count the queries."""
    os.environ.update(uncached(env))
    import django

    django.setup()
    from articles.models import Article
    from bench.queries import count_queries, pages, seed
    from bench.seed import seed_regulars

    started = time.monotonic()
    ids = seed(articles=args.articles, comments=args.comments, leads=args.leads)
    regulars = seed_regulars(ids)
    print(
        f"Seeded {len(ids)} articles, {args.comments} comments, {args.leads} leads, "
        f"{len(regulars)} regular commenters in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    newest_first = Article.objects.filter(pk__in=ids).order_by("-published_at", "pk")
    site = Site(
        reads=ReadMix.spread([article.get_absolute_url() for article in newest_first]),
        measured=Article.objects.get(pk=ids[0]).get_absolute_url(),
        commented=Article.objects.get(pk=ids[1]).get_absolute_url(),
        regulars=regulars,
    )
    return site, count_queries(pages(ids))


def small_sizes(args: argparse.Namespace) -> tuple[int, int, int]:
    articles = max(args.articles // args.small_fraction, 2)
    comments = max(args.comments // args.small_fraction, 200 + articles)  # 200 on the first
    return articles, comments, max(args.leads // args.small_fraction, 1)


def small_query_counts(env: dict[str, str], args: argparse.Namespace) -> dict[str, int]:
    """The same count on a smaller data set, in a database (and a cache) of its own."""
    small = uncached(small_environment(env))
    prepare(small)
    articles, comments, leads = small_sizes(args)
    output = subprocess.run(
        [sys.executable, "-m", "bench.queries", "--articles", str(articles),
         "--comments", str(comments), "--leads", str(leads)],
        cwd=ROOT, env=small, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


class Paths:
    """The files bench/reads.lua reads its paths from, one per mix, in a temporary directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.files: dict[ReadMix, Path] = {}

    def file(self, reads: ReadMix) -> Path:
        if reads not in self.files:
            self.files[reads] = reads.write(self.directory / f"paths-{len(self.files)}.txt")
        return self.files[reads]


@dataclass
class Run:
    """The state of one benchmark run, handed to each server's measurements."""

    args: argparse.Namespace
    env: dict[str, str]
    site: Site
    paths: Paths
    run_id: str
    rows: list[report.Row] = field(default_factory=list)
    rss: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    posts: dict[str, tuple[report.Row, WrkRun]] = field(default_factory=dict)
    churn_ids: list[str] = field(default_factory=list)

    def wants(self, *workloads: str) -> bool:
        return any(workload in self.args.workloads for workload in workloads)

    def add(self, row: report.Row) -> None:
        self.rows.append(row)
        print(
            f"{row.workload:>32}: {row.requests_per_second:8.0f} req/s  p50 {row.p50_ms:6.1f} ms"
            f"  p99 {row.p99_ms:6.1f} ms  errors {row.errors}  {row.notes}",
            flush=True,
        )


def wrk_reads(run: Run, base: str, reads: ReadMix, seed: int, duration: int) -> WrkRun:
    args = run.args
    return run_wrk(
        base + "/",
        duration=duration,
        connections=args.connections,
        threads=args.threads,
        timeout=args.timeout,
        script=READS_SCRIPT,
        script_arguments=reads.wrk_arguments(run.paths.file(reads), seed),
        headers=BROWSER_HEADERS,
    )


def row(
    workload: str, paths: str, result: WrkRun, *, accepted: int = 200, notes: str = ""
) -> report.Row:
    caches = [
        f"X-Page-Cache {mix(result.page_cache)}" if mix(result.page_cache) else "",
        f"X-Cache {mix(result.cdn_cache)}" if mix(result.cdn_cache) else "",
    ]
    return report.Row(
        workload,
        paths,
        result.requests_per_second,
        result.p50_ms,
        result.p99_ms,
        result.errors(accepted),
        "; ".join(note for note in (*caches, notes) if note),
    )


def prime(url: str) -> int:
    """One request as a browser sends it; the size of the answer, in bytes."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return len(response.read())


def measure_page(run: Run, workload: str, base: str, path: str, notes: str = "") -> None:
    """One page, requested once (the cache filled), read for `--warmup` seconds uncounted (every
    worker has read it, as calm's reads are warmed up), then hammered."""
    prime(base + path)
    reads = ReadMix.single(path)
    if run.args.warmup > 0:
        wrk_reads(run, base, reads, WARM_UP_SEED, run.args.warmup)
    result = wrk_reads(run, base, reads, CALM_SEED, run.args.duration)
    run.add(row(workload, reads.describe(), result, notes=notes))


def prime_all(base: str, paths: tuple[str, ...]) -> None:
    """Every path requested once, a few at a time: what a site read for a while has cached."""
    with ThreadPoolExecutor(max_workers=PRIMING_CLIENTS) as pool:
        list(pool.map(lambda path: prime(base + path), paths))


def measure_calm(run: Run, workload: str, base: str) -> None:
    """The reads of a site that has been read for a while: each path requested once, then
    `--warmup` seconds of uncounted reads of another sequence of the same mix."""
    reads = run.site.reads
    started = time.monotonic()
    prime_all(base, reads.paths)
    print(f"{'':>32}  ({len(reads.paths)} pages primed in {time.monotonic() - started:.0f}s)")
    if run.args.warmup > 0:
        wrk_reads(run, base, reads, WARM_UP_SEED, run.args.warmup)
    result = wrk_reads(run, base, reads, CALM_SEED, run.args.duration)
    run.add(row(workload, reads.describe(), result))


def measure_churn(run: Run, workload: str, base: str, env: dict[str, str]) -> None:
    """The reads while bench/churn.py (with the server's environment) posts and edits."""
    args, reads = run.args, run.site.reads
    churn_id = f"{run.run_id}.{len(run.churn_ids)}"
    run.churn_ids.append(churn_id)
    command = [
        sys.executable, "-m", "bench.churn", "--base", base,
        "--paths", str(run.paths.file(reads)), "--hot", str(reads.hot),
        "--hot-share", f"{reads.hot_share:g}", "--duration", str(args.duration),
        "--run-id", churn_id, "--regulars", ",".join(run.site.regulars),
        "--comment-every", f"{args.comment_every:g}", "--edit-every", f"{args.edit_every:g}",
    ]  # fmt: skip
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as side:
        if side.stdout.readline().strip() != "ready":
            side.wait(timeout=30)
            raise RuntimeError(f"bench.churn did not start (exit status {side.returncode})")
        result = wrk_reads(run, base, reads, CHURN_SEED, args.duration)
        output, _ = side.communicate(timeout=args.duration + 120)
    if side.returncode != 0:
        raise RuntimeError(f"bench.churn failed (exit status {side.returncode})")
    summary_line = next(line for line in output.splitlines() if line.startswith("summary "))
    summary = Summary.from_json(summary_line.removeprefix("summary "))
    churned = row(workload, reads.describe(), result, notes=summary.describe())
    churned.errors += summary.problems
    run.add(churned)


def measure_posts(run: Run, base: str, posts: list[PostTarget]) -> None:
    """Each form POST after `--warmup` seconds of uncounted ones (every worker has handled it
    once); its queries counted in this process."""
    args = run.args

    def post(target: PostTarget, body: str, duration: int) -> WrkRun:
        return run_wrk(
            base + target.path,
            duration=duration,
            connections=args.connections,
            threads=args.threads,
            timeout=args.timeout,
            script=POST_SCRIPT,
            script_arguments=[target.cookie, body],
        )

    for target in posts:
        time.sleep(max(0.0, target.fetched_at + TIME_TRAP_SECONDS - time.monotonic()))
        if args.warmup > 0:
            post(target, warm_up_body(target), args.warmup)
        queries = count_post_queries(target)
        result = post(target, target.body, args.duration)
        posted = row(
            target.name,
            f"`{target.path}`",
            result,
            accepted=SUCCESS_STATUS,
            notes=f"{queries} SQL queries",
        )
        run.posts[target.name] = (posted, result)
        run.add(posted)


def measure_bare(run: Run) -> None:
    args = run.args
    with gunicorn(
        bare_environment(run.env), args, app=BARE_APP, port=args.bare_port, ready_path="/"
    ) as process:
        base = f"http://127.0.0.1:{args.bare_port}"
        measure_page(run, report.BARE, base, "/", notes="5 bytes, SecurityMiddleware only")
        run.rss["bare Django"] = worker_rss_mb(process.pid)


def measure_site(run: Run) -> None:
    """The site with its page cache: one page, search, calm, churn, then the POSTs."""
    args, site = run.args, run.site
    base = f"http://127.0.0.1:{args.port}"
    with gunicorn(run.env, args) as process:
        posts = []
        if run.wants("posts"):  # fetched now, sent back once the time trap allows
            posts = post_targets(base, site.commented, run.run_id, time.monotonic())
        if run.wants("warm"):
            measure_page(run, report.WARM, base, site.measured)
        if run.wants("search"):
            measure_page(run, report.SEARCH, base, SEARCH_PATH)
        if run.wants("calm"):
            measure_calm(run, report.CALM, base)
        if run.wants("churn"):
            measure_churn(run, report.CHURN, base, run.env)
        measure_posts(run, base, posts)
        run.rss["site"] = worker_rss_mb(process.pid)


def measure_uncached(run: Run) -> None:
    """The article rendered with the page cache off, then the floor under any render of it."""
    args, path = run.args, run.site.measured
    base = f"http://127.0.0.1:{args.port}"
    with gunicorn(uncached(run.env), args) as process:
        measure_page(run, report.UNCACHED, base, path, notes=f"`{PAGE_CACHE}=0`")
        run.rss["site, page cache off"] = worker_rss_mb(process.pid)
        page = prime(base + path)
    with gunicorn(floor_environment(run.env), args, ready_path=path):
        stored = prime(base + path)
        notes = f"one query, no template: {stored / 1000:.0f} of the page's {page / 1000:.0f} kB"
        measure_page(run, report.FLOOR, base, path, notes=notes)


def varnish_unavailable() -> str:
    """Why the Varnish workloads cannot run here ("" when they can)."""
    try:
        import cdn.varnish  # noqa: F401 (the CDN runner, bench's only use of it)
    except ImportError as error:
        return f"cdn.varnish cannot be imported ({error})"
    if not shutil.which("varnishd"):
        return "varnishd is not installed (apt-get install varnish)"
    return ""


def measure_varnish(run: Run) -> None:
    """The site (a server of its own, purging the CDN) behind Varnish: one page, calm, churn."""
    from cdn.varnish import running_varnish

    args = run.args
    with running_varnish(port=args.varnish_port, backend_port=args.port) as varnish:
        env = {**run.env, CDN_PURGE: varnish.purge_url, "SITE_URL": varnish.url.rstrip("/")}
        with gunicorn(env, args) as process:
            base = varnish.url.rstrip("/")
            if run.wants("warm"):
                measure_page(run, report.VARNISH_WARM, base, run.site.measured)
            if run.wants("calm"):
                measure_calm(run, report.VARNISH_CALM, base)
            if run.wants("churn"):
                measure_churn(run, report.VARNISH_CHURN, base, env)
            run.rss["site behind Varnish"] = worker_rss_mb(process.pid)


def clean_up(run: Run, started: float) -> None:
    """Count the POSTs' rows, then remove them and the churn's comments: the data set stays the
    same from one run to the next."""
    from bench.churn import remove

    stored = stored_and_removed(run.run_id, started)
    for churn_id in run.churn_ids:
        remove(churn_id)
    for name, (posted, result) in run.posts.items():
        successes = result.statuses.get(SUCCESS_STATUS, 0)
        lost = stored[name] < successes
        posted.notes += f"; {successes:,} × {SUCCESS_STATUS}, {stored[name]:,} rows stored"
        if lost:
            posted.notes += " (**fewer rows than successes: submissions lost**)"
            posted.errors += successes - stored[name]


def method_notes(run: Run, varnish_skipped: str) -> list[str]:
    args, reads = run.args, run.site.reads
    notes = [
        "Every ratio is to **bare Django** (bench/bare: one view answering 5 bytes through "
        "Django's SecurityMiddleware, no database), served by gunicorn with the same "
        "gunicorn.conf.py and workers and measured in the same run.",
        f"**calm** reads the {len(reads.paths):,} seeded articles' pages (article pages only, "
        f"no home or list pages), {reads.hot_share:.0%} of the requests on the {reads.hot:,} "
        "newest (the most read), the rest over the others (bench/reads.lua, a seeded sequence "
        f"per wrk thread), once each page has been requested once and after {args.warmup} s of "
        "uncounted reads of another sequence: a site that has been read for a while. "
        f"**churn** reads the same way while bench/churn.py posts a comment every "
        f"{args.comment_every:g} s as one of {len(run.site.regulars)} returning commenters "
        "(a real form submission, an address with an approved comment, a new text: approved at "
        "once), on articles drawn like the reads, and saves an article through the ORM every "
        f"{args.edit_every:g} s, with the server's environment. A comment refused, unanswered, "
        "held or lost counts as an error.",
        "**single warm page** and **search** are requested once, read for the same uncounted "
        "seconds, then hammered; "
        f"**uncached** is the same article against a server with `{PAGE_CACHE}=0`; **floor** is "
        "the same address answered by bench/floor: the site's settings and middleware, and a view "
        "that sends the article's body and comment threads as stored from one query, with no "
        "template (what a render of the page costs at the very least). GETs send "
        "`Accept-Encoding: gzip, deflate, br` as browsers do.",
        "**Varnish** rows: "
        + (
            f"not measured ({varnish_skipped})."
            if varnish_skipped
            else "a Varnish (cdn.varnish) in front of a gunicorn of its own with "
            f"`{CDN_PURGE}` set (the server and the churn purge it), same settings; their "
            "X-Page-Cache is that of the copy Varnish stored."
        ),
        "The POSTs are real submissions, each a new person with a new text: each form is "
        "fetched once as a reader's browser would (CSRF cookie and token, hidden fields, the "
        f"signed time trap), then sent back after more than {TIME_TRAP_SECONDS:g} s, after "
        f"{args.warmup} s of uncounted ones; a POST is an error unless answered with the "
        "redirect of a success. The servers run with "
        + " and ".join(f"`{name}={value}`" for name, value in RATE_LIMITS.items())
        + ", as all the load comes from one address. The benchmark deletes what it posted.",
    ]
    max_requests = run.env.get("GUNICORN_MAX_REQUESTS", "20000")
    memory = "; ".join(
        f"{server} max {max(sizes):.0f} MB, mean {sum(sizes) / len(sizes):.0f} MB"
        for server, sizes in run.rss.items()
        if sizes
    )
    notes.append(
        f"Worker memory (RSS) after each server's workloads: {memory} (each worker recycled "
        f"after about {max_requests} requests, as in production: `GUNICORN_MAX_REQUESTS`)."
    )
    return notes


def setup_line(run: Run, load: tuple[float, float]) -> str:
    args = run.args
    return (
        f"On {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"gunicorn with {args.workers} workers, database "
        f"`{run.env['DATABASE_URL'].split('://')[0]}` with {args.articles:,} articles, "
        f"{args.comments:,} comments and {args.leads:,} leads, cache Redis, wrk "
        f"{args.threads} threads / {args.connections} connections over loopback (timeout "
        f"{args.timeout}s), {args.duration}s per workload. Load average (1 min) {load[0]:.1f} "
        f"before the measurements and {load[1]:.1f} after (the run's own load; well above 0 "
        "before means other work, or the tail of an earlier run, was sharing the CPUs)."
    )


def command_line() -> str:
    chosen = [f"{name}={os.environ[name]}" for name in CALLER_SETTINGS if name in os.environ]
    arguments = " ".join(shlex.quote(argument) for argument in sys.argv[1:])
    return " ".join([*chosen, ".venv/bin/python -m bench.run", arguments]).strip()


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    command = command_line()
    env = bench_environment(args)
    prepare(env)
    manage(env, "collectstatic", "--noinput", "-v0")
    site, counts = seed_site(env, args)
    queries = {f"{args.articles:,} articles": counts}
    if args.small_fraction > 0:
        queries[f"{small_sizes(args)[0]:,} articles"] = small_query_counts(env, args)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="careers-bench-") as directory:
        run = Run(args, env, site, Paths(Path(directory)), f"r{int(started)}")
        varnish_skipped = varnish_unavailable() if run.wants("varnish") else "not asked for"
        load_before = os.getloadavg()[0]
        try:
            measure_bare(run)
            if run.wants("warm", "search", "calm", "churn", "posts"):
                measure_site(run)
            if run.wants("uncached"):
                measure_uncached(run)
            if not varnish_skipped:
                try:
                    measure_varnish(run)
                except Exception as error:  # the CDN runner's failure, reported: the rest stands
                    traceback.print_exc()
                    varnish_skipped = f"the Varnish run failed: {error!r}"
            elif run.wants("varnish"):
                print(f"Varnish workloads skipped: {varnish_skipped}", flush=True)
        finally:
            clean_up(run, started)
        load = (load_before, os.getloadavg()[0])
    text = report.render(
        run.rows,
        setup=setup_line(run, load),
        method=method_notes(run, varnish_skipped),
        notes=[],
        rss_mb=[size for sizes in run.rss.values() for size in sizes],
        queries=queries,
        command=command,
    )
    Path(args.output).write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
