import importlib

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _leads_reference_data(db):
    """The coaches group and the first consent wording come from a data migration; transactional
    tests elsewhere in the suite flush them, so they are made again when missing."""
    migration = importlib.import_module("leads.migrations.0002_coaches_group_and_consent_text")
    migration.create_group_and_consent(apps, None)
    later = importlib.import_module("leads.migrations.0007_waits_and_coach_permissions")
    later.grant_coach_permissions(apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The rate limit lives in the cache: each test starts with a clean count."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
