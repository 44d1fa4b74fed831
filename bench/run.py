"""`make bench`: seed a large data set, start the production shape, drive it with wrk over loopback,
and report requests per second, p50/p99 latency and SQL queries per page, each also as a ratio to
a baseline view measured in the same run against the same server.

Usage: .venv/bin/python -m bench.run [--duration 10] [--connections 16] [--articles 2000]
Results go to stdout and to docs/benchmarks.md.
"""

import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/careers_bench"


@dataclass
class Result:
    name: str
    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    queries: int | None = None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per target")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() * 2 + 1)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=50000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    return parser.parse_args()


def bench_environment(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    env.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnop")
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_BENCHMARK_ENDPOINTS="1",
        DJANGO_SERVE_MEDIA="1",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_STATIC_ROOT=str(ROOT / "staticfiles"),
        DJANGO_SETTINGS_MODULE="careers_site.settings",
        GUNICORN_ACCESS_LOG="",
        GUNICORN_LOG_LEVEL="warning",
        SITE_URL=f"http://127.0.0.1:{args.port}",
    )
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


def seed_and_pick_targets(env: dict[str, str], args: argparse.Namespace) -> dict[str, str]:
    """Seed in this process (Django set up on the benchmark's settings) and choose the URLs."""
    os.environ.update(env)
    import django

    django.setup()
    from bench.seed import seed_articles, seed_comments

    started = time.monotonic()
    ids = sorted(seed_articles(args.articles))
    comments = seed_comments(ids, total=args.comments)
    print(f"Seeded {len(ids)} articles, {comments} comments in {time.monotonic() - started:.1f}s")
    from articles.models import Article

    article = Article.objects.get(pk=ids[0])
    return {
        "baseline": "/bench/baseline",
        "home": "/",
        "article, 200 comments": article.get_absolute_url(),
        "list": "/articles/",
        "list, page 50": "/articles/?page=50",
        "search": "/search/?q=machine+learning+engineers",
    }


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


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


DURATION_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * DURATION_UNITS[unit]


def run_wrk(name: str, url: str, args: argparse.Namespace) -> Result:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    output = subprocess.run(
        [*command, "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    errors_match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    errors = int(errors_match.group(1)) if errors_match else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    return Result(name, url.split(str(args.port), 1)[1], rps, p50, p99, errors)


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


def report(results: list[Result], rss: list[float], args, env) -> str:
    baseline = results[0]
    lines = [
        "# Benchmarks",
        "",
        "Made by `make bench` (`.venv/bin/python -m bench.run "
        f"--duration {args.duration} --connections {args.connections} --articles {args.articles} "
        f"--comments {args.comments}`)"
        f" on {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"gunicorn with {args.workers} workers, database `{env['DATABASE_URL'].split('://')[0]}`,"
        f" cache Redis, wrk {args.threads} threads / {args.connections} connections over "
        f"loopback, {args.duration}s per target. Full-page cache: off (every figure is cold).",
        "",
        "Ratios compare with the baseline view (a fixed small response through the whole "
        "middleware stack) measured in the same run against the same server, so runs on "
        "different machines compare.",
        "",
        "| target | path | req/s | × baseline | p50 ms | p99 ms | errors | SQL queries |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        lines.append(
            f"| {result.name} | `{result.path}` | {result.requests_per_second:,.0f} | "
            f"{result.requests_per_second / baseline.requests_per_second:.2f} | "
            f"{result.p50_ms:.1f} | {result.p99_ms:.1f} | {result.errors} | "
            f"{'' if result.queries is None else result.queries} |"
        )
    if rss:
        lines += [
            "",
            f"Worker memory after the run (RSS): max {max(rss):.0f} MB, "
            f"mean {sum(rss) / len(rss):.0f} MB over {len(rss)} workers.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    env = bench_environment(args)
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    targets = seed_and_pick_targets(env, args)
    queries = count_queries(targets)

    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "-c", "gunicorn.conf.py", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{args.port}"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_for(base + "/healthz")
        results = []
        for name, path in targets.items():
            result = run_wrk(name, base + path, args)
            result.queries = queries.get(name)
            results.append(result)
            print(
                f"{name:>16}: {result.requests_per_second:8.0f} req/s  "
                f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  "
                f"errors {result.errors}  queries {result.queries}",
                flush=True,
            )
        rss = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = report(results, rss, args, env)
    Path(args.output).write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
