import pytest
from django.conf import settings

from errorcodes.sync import sync_directory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Install the shipped directory once into the test database."""
    with django_db_blocker.unblock():
        sync_directory(settings.DIRECTORY_FIXTURES_DIR)


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: rolled-back rows must not live on as cached pages."""
    from django.core.cache import caches

    from errorcodes import caching

    for alias in settings.CACHES:
        caches[alias].clear()
    caching.LOCAL_PAGES.clear()
    caching._Version.token, caching._Version.next_read = "", float("-inf")
