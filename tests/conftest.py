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
    from django.core.cache import cache

    from errorcodes import caching

    cache.clear()
    caching._local_version[:] = ["", float("-inf")]
