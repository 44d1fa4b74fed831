"""careers_site.warmup: what a worker would do on its first requests is done when the application
loads (in gunicorn's master, before the workers are forked), without opening a connection."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
from django.core import validators
from django.utils.functional import empty
sys.modules.pop("comments.views", None)
from careers_site.wsgi import application
from django.db import connections
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "views": [name for name in ("articles.views", "comments.views", "leads.views")
              if name in sys.modules],
    "email_pattern": validators.EmailValidator.domain_regex._wrapped is not empty,
    "templates": sorted(loader.get_template_cache),
    "database_connections": [alias for alias in connections
                             if connections[alias].connection is not None],
}))
"""


def test_loading_the_application_warms_it_without_connecting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    env.update(
        DJANGO_SETTINGS_MODULE="careers_site.settings",
        DJANGO_SECRET_KEY="warm-up-test-secret-key-0123456789",
        DATABASE_URL=f"sqlite:///{tmp_path / 'never-opened.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])

    assert state["views"] == ["articles.views", "comments.views", "leads.views"]
    assert state["email_pattern"] is True
    for name in ("base.html", "articles/article_detail.html", "comments/comment_section.html"):
        assert name in state["templates"]  # compiled once, kept by the cached loader
    assert state["database_connections"] == []
    assert not (tmp_path / "never-opened.sqlite3").exists()
