"""The site's own settings and middleware with one view instead of its pages: the floor under any
render of the uncached article (`make bench`'s "floor" row).

The view answers what the page keeps rendered per change (the article's body HTML and its stored
comment threads) from one ORM query, with no template: whatever a render path does beyond that
costs more than this. Served like the site (gunicorn.conf.py, the same workers, the page cache
off), in the same run as the bare Django.
"""

from careers_site.settings import *  # noqa: F403 - the site's settings, one value changed

ROOT_URLCONF = "bench.floor.urls"
