import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
         "settings.CACHES['default']['BACKEND'], settings.EMAIL_BACKEND)"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "careers_site.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def test_site_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = load_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_debug_runs_without_a_key_on_sqlite_with_console_mail():
    result = load_settings(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.mail.backends.console.EmailBackend",
    ]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x"}, "postgresql"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "RedisCache"),
        ({"EMAIL_HOST": "smtp.example.com"}, "smtp.EmailBackend"),
    ],
)
def test_services_come_from_the_environment(env, expected):
    result = load_settings(DJANGO_SECRET_KEY="k" * 50, **env)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
