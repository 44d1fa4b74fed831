"""What docs/scaling.md promises and one machine can show: a read replica router with two
databases, and two app servers sharing one Redis."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connections, transaction

from articles.models import Article
from careers_site.db_routers import PrimaryReplicaRouter
from tests.services import redis_available

ROOT = Path(__file__).resolve().parent.parent


class TestReplicaRouter:
    router = PrimaryReplicaRouter()

    def test_reads_go_to_the_replica_and_writes_to_the_primary(self):
        assert self.router.db_for_read(Article) == "replica"
        assert self.router.db_for_write(Article) == "default"

    @pytest.mark.django_db(transaction=True)
    def test_reads_inside_a_transaction_stay_on_the_primary(self):
        with transaction.atomic():
            assert self.router.db_for_read(Article) == "default"

    def test_only_the_primary_is_migrated(self):
        assert self.router.allow_migrate("default", "articles")
        assert not self.router.allow_migrate("replica", "articles")


def test_settings_add_the_replica_and_the_router_from_the_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/careers_site",
        DATABASE_REPLICA_URL="postgres://reader@replica.internal:5432/careers_site",
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['replica']['HOST'], s.DATABASE_ROUTERS[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "careers_site.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "replica.internal",
        "careers_site.db_routers.PrimaryReplicaRouter",
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:  # refused, reset or timed out while the worker boots
            time.sleep(0.3)
    raise TimeoutError(url)


def _post_login(base: str, password: str) -> int:
    """A sign-in attempt as a browser makes it: fetch the form (CSRF cookie), then post."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    page = opener.open(base + "/admin/login/").read().decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "boss", "password": password}
    ).encode()
    request = urllib.request.Request(base + "/admin/login/", data=data, headers={"Referer": base})
    try:
        return opener.open(request).status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.skipif(
    not redis_available() and not os.environ.get("CI"), reason="needs Redis on 127.0.0.1:6379"
)
def test_two_app_servers_share_one_redis(tmp_path):
    """Failed sign-ins counted by one server lock the address out on the other, and a page cached
    by one is served by the other: the cache is the shared Redis, not each process's memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    env.update(
        DJANGO_SECRET_KEY="two-servers-test-secret-key-0123456789",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/15",
        ADMIN_LOGIN_MAX_FAILURES="2",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [python, "-c", "import django; django.setup(); from django.core.cache import cache; "
         "cache.clear(); from django.contrib.auth.models import User; "
         "User.objects.create_user('boss', password='right-pass', is_staff=True)"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "careers_site.settings"}, check=True,
    )  # fmt: skip
    gunicorn = str(Path(python).with_name("gunicorn"))
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        first, second = (f"http://127.0.0.1:{port}" for port in ports)
        _wait_for(first + "/healthz")
        _wait_for(second + "/healthz")
        assert _post_login(first, "wrong") == 200
        assert _post_login(first, "wrong") == 200
        assert _post_login(second, "right-pass") == 429
        # A page one server rendered for anonymous readers, the other serves from the cache (the
        # load balancer passes on the site's one host name).
        for server, expected in ((first, "miss"), (second, "hit")):
            request = urllib.request.Request(server + "/articles/", headers={"Host": "127.0.0.1"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["X-Page-Cache"] == expected
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)
        connections.close_all()
