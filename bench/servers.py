"""The production shape on this machine, for the benchmark and the load test: its environment, its
database made ready, gunicorn started with gunicorn.conf.py and stopped, its workers' memory."""

import argparse
import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
# High enough that the benchmark's single client address is never rate limited.
RATE_LIMITS = {"COMMENTS_RATE_LIMIT_PER_MINUTE": "100000000", "LEADS_RATE_LIMIT": "100000000"}


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
    env: dict[str, str],
    args: argparse.Namespace,
    log: IO | None = None,
    *,
    app: str | None = None,
    port: int | None = None,
    ready_path: str = "/healthz",
) -> Iterator[subprocess.Popen]:
    """gunicorn as `make serve` runs it (gunicorn.conf.py), with args.workers, on `port`
    (args.port by default); `app` serves another WSGI application with the same settings."""
    binary = str(Path(sys.executable).with_name("gunicorn"))
    port = port or args.port
    server = subprocess.Popen(
        [binary, "-c", "gunicorn.conf.py", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{port}", *([app] if app else [])],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT if log else None,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}{ready_path}")
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


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
