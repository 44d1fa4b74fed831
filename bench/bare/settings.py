"""A Django that does as little as Django can: one view, Django's security middleware, no database.

`make bench` serves it with the site's own gunicorn.conf.py (same workers, same settings) on a port
of its own, and divides every figure of the site by this one, measured in the same run: a ratio
to the framework's own floor on the same machine at the same moment.
"""

SECRET_KEY = "bench-bare-baseline-only-not-a-secret-0123456789-abcdefghijkl"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.bare.urls"
WSGI_APPLICATION = "bench.bare.wsgi.application"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware"]
DATABASES: dict = {}
USE_TZ = True
# The headers the site's SecurityMiddleware adds too (careers_site/settings.py).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
