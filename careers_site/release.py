"""Which release of the code is running: part of every key of the page and fragment caches, so
that pages rendered by the code before a deploy are never served by the code after it."""

import hashlib
from pathlib import Path

# What the pages are made of: the apps' code and the templates (not tests, static files or docs;
# static files change their hashed names instead).
SOURCE_DIRECTORIES = ("careers_site", "articles", "comments", "leads", "templates")
SOURCE_SUFFIXES = {".py", ".html", ".txt"}


def source_fingerprint(root: Path) -> str:
    """A short hash of the site's source files: the same for every server of one release."""
    digest = hashlib.sha256()
    for directory in SOURCE_DIRECTORIES:
        for path in sorted((root / directory).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
