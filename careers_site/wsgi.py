import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careers_site.settings")

django_application = get_wsgi_application()

from careers_site.page_cache import CopiesFirst  # noqa: E402 - needs the settings configured above
from careers_site.warmup import warm_up  # noqa: E402

# A page this process keeps a copy of is answered before Django's handler (page_cache.py).
application = CopiesFirst(django_application)

warm_up()
